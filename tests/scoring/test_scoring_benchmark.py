"""The lead-scoring benchmark's native contenders compute what crmkit computes.

``benchmarks/scoring.py`` times crmkit against a hand-written query on every engine and checks
the two outputs equal before timing; here the same contenders run on a few thousand leads and
must agree with crmkit lead by lead (so a contender that drifts from the model fails a test,
not only a benchmark run), and the results file keeps what a run did not regenerate.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from tests.modules import load_file

ROWS = 3_000


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load_file("benchmarks_scoring", "benchmarks/scoring.py")


@pytest.fixture(scope="module")
def leads(bench: ModuleType) -> Any:
    return bench.make_leads(ROWS, seed=3)


def _rows(frame: Any) -> list[tuple[int, float, float, float, str]]:
    """(lead, fit, engagement, total, action) of a pandas frame, by lead."""
    columns = ["lead_id", "fit_score", "engagement_score", "lead_score", "action"]
    return sorted(frame[columns].itertuples(index=False, name=None))


def _assert_same(got: list[tuple[Any, ...]], want: list[tuple[Any, ...]]) -> None:
    assert len(got) == len(want) == ROWS
    for mine, theirs in zip(got, want, strict=True):
        assert mine[0] == theirs[0]
        assert mine[1:4] == pytest.approx(theirs[1:4], abs=1e-9, rel=0)
        assert mine[4] == theirs[4]


def test_native_polars_eager_and_lazy_agree_with_crmkit(bench: ModuleType, leads: Any) -> None:
    model = bench.build_model()
    want = _rows(model.score(leads, as_of=bench.AS_OF).to_pandas())
    _assert_same(_rows(bench.native_polars(leads).to_pandas()), want)
    _assert_same(_rows(bench.native_polars(leads.lazy()).collect().to_pandas()), want)


def test_native_duckdb_sql_agrees_with_crmkit(bench: ModuleType, leads: Any) -> None:
    import duckdb

    con = duckdb.connect()
    con.register("leads", leads.to_arrow())
    model = bench.build_model()
    got = con.sql(bench.native_sql("duckdb")).to_arrow_table()
    want = model.score(con.table("leads"), as_of=bench.AS_OF).to_arrow_table()
    _assert_same(_rows(got.to_pandas()), _rows(want.to_pandas()))
    # the benchmark's own equality check passes on them, and fails on a changed score
    assert bench._check_arrow(got, want, ROWS).startswith(f"equal on all {ROWS:,} leads")
    with pytest.raises(AssertionError, match="scores differ"):
        bench.verdict((ROWS, 0.0, 0.5, 0.0, 0), ROWS)


def test_native_pandas_agrees_with_crmkit(bench: ModuleType, leads: Any) -> None:
    frame = leads.to_pandas()
    model = bench.build_model()
    _assert_same(_rows(bench.native_pandas(frame)), _rows(model.score(frame, as_of=bench.AS_OF)))


def test_native_dask_agrees_with_crmkit_and_keeps_the_index(
    bench: ModuleType, leads: Any, dask_cluster: Any
) -> None:
    import dask.dataframe as dd

    frame = leads.to_pandas()
    frame.index = frame.index * 3 + 7  # an index of its own, which both results keep
    model = bench.build_model()
    source = dd.from_pandas(frame, npartitions=3)
    native = source.map_partitions(bench.native_pandas, meta=bench.native_pandas(frame.head(0)))
    crmkit = model.score(source, as_of=bench.AS_OF).compute()
    assert list(crmkit.index) == list(frame.index)
    _assert_same(_rows(native.compute()), _rows(crmkit))
    explained = model.score(source, as_of=bench.AS_OF, explain=True).compute()
    whole = model.score(frame, as_of=bench.AS_OF, explain=True)
    assert list(explained.columns) == list(whole.columns)
    assert explained["points:recent visit"].tolist() == whole["points:recent visit"].tolist()


@pytest.mark.spark
def test_native_spark_sql_agrees_with_crmkit(bench: ModuleType, leads: Any, spark: Any) -> None:
    frame = spark.createDataFrame(leads.to_pandas())
    frame.createOrReplaceTempView("leads")
    model = bench.build_model()
    got = spark.sql(bench.native_sql("spark")).toPandas()
    want = model.score(frame, as_of=bench.AS_OF).toPandas()
    _assert_same(_rows(got), _rows(want))


def test_a_run_replaces_its_engines_rows_and_keeps_the_rest(bench: ModuleType) -> None:
    row = bench.Row("duckdb", bench.Timing(1.0, 2.0), "SQL", bench.Timing(1.0, 1.0), "equal")
    text = bench.HEADING + "\n\nProse kept as written.\n"
    first = bench.merge(
        text, 1000, [bench.render_row(row, 1000)], "- engines duckdb: one", ["duckdb"]
    )
    spark = row._replace(engine="spark", crmkit=bench.Timing(3.0, 3.0))
    second = bench.merge(
        first, 1000, [bench.render_row(spark, 1000)], "- engines spark: two", ["spark"]
    )
    again = row._replace(crmkit=bench.Timing(1.5, 1.5))
    third = bench.merge(second, 1000, [bench.render_row(again, 1000)], "- engines duckdb: three",
                        ["duckdb"])  # fmt: skip
    assert third.startswith(bench.HEADING)
    assert "Prose kept as written." in third
    table = [line for line in third.splitlines() if line.startswith(("| DuckDB", "| Spark"))]
    assert [line.split(" | ")[:2] for line in table] == [
        ["| DuckDB", "1.500"],
        ["| Spark `local[2]`", "3.000"],
    ]
    assert "| 1.50 | 1.50 |" in table[0]  # × native CPU and wall of the new run
    assert "- engines spark: two" in third
    assert "- engines duckdb: one" not in third
    assert "- engines duckdb: three" in third
    other = bench.merge(third, 10_000, [bench.render_row(row, 10_000)], "- engines duckdb: x",
                        ["duckdb"])  # fmt: skip
    assert other.index("### 1,000 leads") < other.index("### 10,000 leads")
    assert other.index("### 10,000 leads") < other.index("Prose kept as written.")


def test_sizes_are_read_with_suffixes(bench: ModuleType) -> None:
    assert [bench.parse_rows(v) for v in ("10M", "100k", "1_000_000", "250")] == [
        10_000_000, 100_000, 1_000_000, 250,
    ]  # fmt: skip
