"""Lead-scoring benchmark: a 20-criterion model, crmkit beside each engine's native query.

Run ``.venv/bin/python -m benchmarks.scoring`` (1M leads, every engine; what ``make bench``
runs), ``--quick`` (100k) or ``--rows 10M`` (the 10M table; Spark and Dask are heavy there, so
run them alone: ``--rows 10M --engines spark``). ``--engines`` takes any of
``records,polars,polars-lazy,duckdb,pandas,dask,spark``. Writes the table of that size in
``benchmarks/results/scoring.md``: a run replaces the rows of the engines it ran and keeps the
others (and every line of the file outside the generated tables).

Each row is crmkit on one engine against the same model written by hand for that engine, as
an expert would write it (each engine's fastest idiomatic form):

* Polars eager: ``with_columns`` of Polars expressions on the ``DataFrame`` (crmkit runs an
  eager frame through Polars' lazy engine and collects it);
* Polars lazy: the same expressions on the ``LazyFrame``, collected (crmkit's result collected);
* DuckDB: one SQL query of ``CASE`` sums on the registered Arrow table, fetched as an Arrow
  table (crmkit's relation fetched the same way);
* pandas: NumPy on the columns (``np.where``-free: a test times its points, ``np.digitize``
  for the action, its four labels taken by bin from a pandas array);
* Dask: ``map_partitions`` of that pandas function; both results persisted on a
  ``dask.distributed.LocalCluster`` of 2 worker processes × 1 thread (the input persisted there
  first);
* Spark: one Spark SQL query of ``CASE`` sums on ``local[2]`` (the input cached), both results
  written to Spark's ``noop`` sink (every column computed, nothing stored).

Before timing, every engine's crmkit output is checked equal to its native output on every lead
(fit, engagement and total score within 1e-9, same action), and crmkit on Polars is checked
against the records engine (pure Python, list of dicts) on the first 2,000 leads. Timing:
``--repeat`` interleaved rounds (crmkit and native alternate which goes first), best of each for
CPU time (this process and its children: Spark's JVM, Dask's workers) and wall time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import math
import os
import platform
import re
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

AS_OF = dt.date(2025, 6, 30)
RESULTS = Path(__file__).parent / "results" / "scoring.md"
ENGINES = ("records", "polars", "polars-lazy", "duckdb", "pandas", "dask", "spark")
#: Above this many leads the records engine (a list of dicts) is left out unless asked for.
RECORDS_LIMIT = 1_000_000
HEADING = "## Scoring: a 20-criterion lead-scoring model, crmkit against each engine's native query"

INDUSTRIES = ["it", "telecom", "retail", "energy", "public", "finance", "manufacturing"]
SOURCES = ["web_form", "webinar", "linkedin", "cold_call", "referral", "paid_search"]
INTEREST = ["very_interested", "evaluating", "not_interested"]


def make_leads(rows: int, seed: int = 11) -> Any:
    """``rows`` synthetic leads (a Polars frame; ``lead_id`` 0…rows-1, 10% without a visit)."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    start = np.datetime64("2024-07-01")
    days = rng.integers(0, 365, rows).astype("timedelta64[D]")
    visit = (start + days).astype("datetime64[D]")
    frame = pl.DataFrame(
        {
            "lead_id": np.arange(rows, dtype="int64"),
            "employees": rng.lognormal(3.5, 1.3, rows).astype("int64"),
            "industry": rng.choice(INDUSTRIES, rows),
            "source": rng.choice(SOURCES, rows),
            "interest_level": rng.choice(INTEREST, rows, p=[0.2, 0.5, 0.3]),
            "buying_stage": rng.integers(1, 9, rows),
            "is_decision_maker": rng.random(rows) < 0.3,
            "budget": rng.integers(0, 2_000_000, rows),
            "email_opens": rng.poisson(2.0, rows),
            "email_clicks": rng.poisson(0.5, rows),
            "web_visits": rng.poisson(3.0, rows),
            "pricing_views": rng.poisson(0.4, rows),
            "webinar_attended": rng.random(rows) < 0.1,
            "demo_requested": rng.random(rows) < 0.05,
            "unsubscribed": rng.random(rows) < 0.02,
            "country": rng.choice(["SE", "NO", "DK", "FI", "DE", "US"], rows),
            "last_visit_at": visit,
        }
    )
    nulls = rng.random(rows) < 0.1
    return frame.with_columns(
        pl.when(pl.Series(nulls))
        .then(None)
        .otherwise(pl.col("last_visit_at"))
        .alias("last_visit_at")
    )


def build_model() -> Any:
    """The benchmark's model: 13 fit and 7 engagement criteria, one decaying; 4 actions."""
    from crmkit.frames import as_of, col
    from crmkit.scoring import Criterion, Decay, LeadScoringModel, Threshold

    c = Criterion
    return LeadScoringModel(
        criteria=[
            c("size 50–999", col("employees").between(50, 999), 15),
            c("size 1000+", col("employees") >= 1000, 20),
            c("micro", col("employees") < 5, -15),
            c("target industry", col("industry").is_in(["it", "telecom", "finance"]), 10),
            c("public sector", col("industry") == "public", -5),
            c("nordic", col("country").is_in(["SE", "NO", "DK", "FI"]), 5),
            c("very interested", col("interest_level") == "very_interested", 25),
            c("not interested", col("interest_level") == "not_interested", -30),
            c("searching suppliers", col("buying_stage").between(3, 4), 20),
            c("choosing supplier", col("buying_stage").between(5, 6), 10),
            c("decision maker", col("is_decision_maker") == True, 10),  # noqa: E712
            c("budget", col("budget") >= 250_000, 10),
            c("inbound source", col("source").is_in(["web_form", "webinar", "referral"]), 5),
            c("opens", col("email_opens") >= 3, 5, "engagement"),
            c("clicks", col("email_clicks") >= 1, 8, "engagement"),
            c("web visits", col("web_visits") >= 5, 6, "engagement"),
            c("pricing page", col("pricing_views") >= 1, 12, "engagement"),
            c("webinar", col("webinar_attended") == True, 10, "engagement"),  # noqa: E712
            c("demo request", (col("demo_requested") == True) & ~(col("unsubscribed") == True),  # noqa: E712
              25, "engagement"),
            c("recent visit", col("last_visit_at") >= as_of(days=-90), 15, "engagement",
              Decay("last_visit_at", 30)),
        ],
        thresholds=[Threshold(70, "prioritise"), Threshold(45, "route"), Threshold(20, "nurture")],
        engagement_cap=50,
    )  # fmt: skip


def native_polars(frame: Any) -> Any:
    """The model as hand-written Polars expressions (eager or lazy, as ``frame`` is)."""
    import polars as pl

    as_of = pl.lit(AS_OF)
    days = (as_of - pl.col("last_visit_at")).dt.total_days()
    decay = pl.when(days.is_null()).then(1.0).otherwise((days.clip(0) * (-math.log(2) / 30)).exp())

    def pts(cond: Any, points: float) -> Any:
        return pl.when(cond.fill_null(False)).then(points).otherwise(0.0)

    e = pl.col("employees")
    fit = (
        pts(e.is_between(50, 999), 15) + pts(e >= 1000, 20) + pts(e < 5, -15)
        + pts(pl.col("industry").is_in(["it", "telecom", "finance"]), 10)
        + pts(pl.col("industry") == "public", -5)
        + pts(pl.col("country").is_in(["SE", "NO", "DK", "FI"]), 5)
        + pts(pl.col("interest_level") == "very_interested", 25)
        + pts(pl.col("interest_level") == "not_interested", -30)
        + pts(pl.col("buying_stage").is_between(3, 4), 20)
        + pts(pl.col("buying_stage").is_between(5, 6), 10)
        + pts(pl.col("is_decision_maker"), 10) + pts(pl.col("budget") >= 250_000, 10)
        + pts(pl.col("source").is_in(["web_form", "webinar", "referral"]), 5)
    )  # fmt: skip
    engagement = (
        pts(pl.col("email_opens") >= 3, 5) + pts(pl.col("email_clicks") >= 1, 8)
        + pts(pl.col("web_visits") >= 5, 6) + pts(pl.col("pricing_views") >= 1, 12)
        + pts(pl.col("webinar_attended"), 10)
        + pts(pl.col("demo_requested") & ~pl.col("unsubscribed"), 25)
        + pl.when(days <= 90).then(15 * decay).otherwise(0.0)
    ).clip(upper_bound=50)  # fmt: skip
    score = pl.col("fit_score") + pl.col("engagement_score")
    action = (
        pl.when(score >= 70).then(pl.lit("prioritise")).when(score >= 45).then(pl.lit("route"))
        .when(score >= 20).then(pl.lit("nurture")).otherwise(pl.lit("disqualify"))
    )  # fmt: skip
    return (
        frame.with_columns(fit.alias("fit_score"), engagement.alias("engagement_score"))
        .with_columns(score.alias("lead_score"))
        .with_columns(action.alias("action"))
    )


NATIVE_SQL = """
with s as (
  select *,
    cast(case when employees between 50 and 999 then 15 else 0 end
     + case when employees >= 1000 then 20 else 0 end
     + case when employees < 5 then -15 else 0 end
     + case when industry in ('it','telecom','finance') then 10 else 0 end
     + case when industry = 'public' then -5 else 0 end
     + case when country in ('SE','NO','DK','FI') then 5 else 0 end
     + case when interest_level = 'very_interested' then 25 else 0 end
     + case when interest_level = 'not_interested' then -30 else 0 end
     + case when buying_stage between 3 and 4 then 20 else 0 end
     + case when buying_stage between 5 and 6 then 10 else 0 end
     + case when is_decision_maker then 10 else 0 end
     + case when budget >= 250000 then 10 else 0 end
     + case when source in ('web_form','webinar','referral') then 5 else 0 end
    as double) as fit_score,
    cast(least(50, case when email_opens >= 3 then 5 else 0 end
     + case when email_clicks >= 1 then 8 else 0 end
     + case when web_visits >= 5 then 6 else 0 end
     + case when pricing_views >= 1 then 12 else 0 end
     + case when webinar_attended then 10 else 0 end
     + case when demo_requested and not unsubscribed then 25 else 0 end
     + case when last_visit_at >= date '{cut}'
            then 15 * exp(-ln(2) * greatest({age}, 0) / 30) else 0 end
    ) as double) as engagement_score
  from leads)
select *, fit_score + engagement_score as lead_score,
  case when fit_score + engagement_score >= 70 then 'prioritise'
       when fit_score + engagement_score >= 45 then 'route'
       when fit_score + engagement_score >= 20 then 'nurture' else 'disqualify' end as action
from s
"""


def native_sql(engine: str) -> str:
    """:data:`NATIVE_SQL` for ``duckdb`` or ``spark`` (which differ only in date subtraction)."""
    age = (
        "date '{as_of}' - last_visit_at"
        if engine == "duckdb"
        else "datediff(date '{as_of}', last_visit_at)"
    )
    cut = AS_OF - dt.timedelta(days=90)
    return NATIVE_SQL.replace("{age}", age).format(cut=cut.isoformat(), as_of=AS_OF.isoformat())


#: Which action a total score gets (``np.digitize`` against :data:`_BINS`).
_ACTIONS = ("disqualify", "nurture", "route", "prioritise")
_BINS = (20.0, 45.0, 70.0)


def native_pandas(frame: Any) -> Any:
    """The model as hand-written vectorised pandas/NumPy: a test times its points, summed."""
    import numpy as np
    import pandas as pd

    def is_in(column: str, values: list[str]) -> Any:
        return frame[column].isin(values).to_numpy()

    def equals(column: str, value: str) -> Any:
        return (frame[column] == value).to_numpy()

    e = frame["employees"].to_numpy()
    stage = frame["buying_stage"].to_numpy()
    fit = (
        ((e >= 50) & (e <= 999)) * 15 + (e >= 1000) * 20 + (e < 5) * -15
        + is_in("industry", ["it", "telecom", "finance"]) * 10 + equals("industry", "public") * -5
        + is_in("country", ["SE", "NO", "DK", "FI"]) * 5
        + equals("interest_level", "very_interested") * 25
        + equals("interest_level", "not_interested") * -30
        + ((stage >= 3) & (stage <= 4)) * 20 + ((stage >= 5) & (stage <= 6)) * 10
        + frame["is_decision_maker"].to_numpy() * 10 + (frame["budget"].to_numpy() >= 250_000) * 10
        + is_in("source", ["web_form", "webinar", "referral"]) * 5
    ).astype("float64")  # fmt: skip
    visit = frame["last_visit_at"].to_numpy()
    days = (np.datetime64(AS_OF, "D") - visit) / np.timedelta64(1, "D")  # NaN: no visit
    recent = np.where(days <= 90, 15 * np.exp(np.maximum(days, 0) * (-math.log(2) / 30)), 0.0)
    engagement = np.minimum(
        (frame["email_opens"].to_numpy() >= 3) * 5 + (frame["email_clicks"].to_numpy() >= 1) * 8
        + (frame["web_visits"].to_numpy() >= 5) * 6 + (frame["pricing_views"].to_numpy() >= 1) * 12
        + frame["webinar_attended"].to_numpy() * 10
        + (frame["demo_requested"].to_numpy() & ~frame["unsubscribed"].to_numpy()) * 25
        + recent,
        50.0,
    )  # fmt: skip
    score = fit + engagement
    # the four labels as a pandas array, taken by bin: no million-string array to convert
    action = pd.array(list(_ACTIONS)).take(np.digitize(score, _BINS))
    return frame.assign(fit_score=fit, engagement_score=engagement, lead_score=score, action=action)


#: The equality check of crmkit's output (``a``) and the native one (``b``), joined by lead.
CHECK_SQL = """
select count(*), max(abs(a.fit_score - b.fit_score)),
  max(abs(a.engagement_score - b.engagement_score)), max(abs(a.lead_score - b.lead_score)),
  sum(case when a.action = b.action then 0 else 1 end)
from a join b on a.lead_id = b.lead_id
"""


def verdict(values: tuple[Any, ...], rows: int) -> str:
    """Check the :data:`CHECK_SQL` figures (every lead, same scores within 1e-9, same action)."""
    leads, *diffs, actions = values
    assert int(leads) == rows, f"{leads} leads matched, not {rows}"
    worst = max(float(d) for d in diffs)
    assert worst <= 1e-9, f"scores differ by up to {worst}"
    assert int(actions) == 0, f"{actions} actions differ"
    return f"equal on all {rows:,} leads (largest score difference {worst:.1g})"


def cpu_seconds() -> float:
    """CPU time of this process and all its children (Spark's JVM, Dask's worker processes)."""
    import psutil

    total = time.process_time()
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:  # ended meanwhile
            continue
        total += times.user + times.system
    return total


class Timing(NamedTuple):
    cpu: float
    wall: float


def interleaved(
    crmkit: Callable[[], Any], native: Callable[[], Any], repeat: int
) -> tuple[Timing, Timing]:
    """Best CPU and best wall time of each over ``repeat`` rounds; the order alternates."""
    cpu = [math.inf, math.inf]
    wall = [math.inf, math.inf]
    for round_ in range(repeat):
        for i in (0, 1) if round_ % 2 == 0 else (1, 0):
            gc.collect()
            cpu0, wall0 = cpu_seconds(), time.perf_counter()
            (crmkit, native)[i]()
            wall[i] = min(wall[i], time.perf_counter() - wall0)
            cpu[i] = min(cpu[i], cpu_seconds() - cpu0)
    return Timing(cpu[0], wall[0]), Timing(cpu[1], wall[1])


class Row(NamedTuple):
    engine: str
    crmkit: Timing
    contender: str
    native: Timing | None
    checked: str


class Bench(NamedTuple):
    model: Any
    leads: Any
    rows: int
    repeat: int
    records_rows: int | None
    tmp: Path


LABELS = {
    "records": "records (list of dicts)",
    "polars": "Polars eager",
    "polars-lazy": "Polars lazy",
    "duckdb": "DuckDB",
    "pandas": "pandas",
    "dask": "Dask (2 workers × 1 thread)",
    "spark": "Spark `local[2]`",
}


def run_records(b: Bench) -> Row:
    rows = b.rows if b.records_rows is None else min(b.rows, b.records_rows)
    records = b.leads.head(rows).to_dicts()
    cpu, wall = float("inf"), float("inf")
    for _ in range(max(1, b.repeat)):
        gc.collect()
        cpu0, wall0 = cpu_seconds(), time.perf_counter()
        scored = b.model.score(records, as_of=AS_OF)
        wall = min(wall, time.perf_counter() - wall0)
        cpu = min(cpu, cpu_seconds() - cpu0)
        del scored
    scale = b.rows / rows
    took = Timing(cpu * scale, wall * scale)
    note = "crmkit on Polars checked equal to it on the first 2,000 leads"
    note += f"; best of {max(1, b.repeat)} runs"
    if rows < b.rows:
        note += f"; measured on {rows:,} leads, extrapolated ×{scale:g}"
    return Row("records", took, "— (no native engine for a list of dicts)", None, note)


def _check_arrow(a: Any, b: Any, rows: int) -> str:
    import duckdb

    con = duckdb.connect()
    con.register("a", a)
    con.register("b", b)
    return verdict(con.sql(CHECK_SQL).fetchall()[0], rows)


def run_polars(b: Bench) -> Row:
    crm = b.model.score(b.leads, as_of=AS_OF)
    checked = _check_arrow(crm.to_arrow(), native_polars(b.leads).to_arrow(), b.rows)
    timings = interleaved(
        lambda: b.model.score(b.leads, as_of=AS_OF), lambda: native_polars(b.leads), b.repeat
    )
    return Row(
        "polars",
        timings[0],
        "Polars expressions, `with_columns` on the DataFrame",
        timings[1],
        checked,
    )


def run_polars_lazy(b: Bench) -> Row:
    lazy = b.leads.lazy()
    crm = b.model.score(lazy, as_of=AS_OF).collect()
    checked = _check_arrow(crm.to_arrow(), native_polars(lazy).collect().to_arrow(), b.rows)
    timings = interleaved(
        lambda: b.model.score(lazy, as_of=AS_OF).collect(),
        lambda: native_polars(lazy).collect(),
        b.repeat,
    )
    return Row(
        "polars-lazy",
        timings[0],
        "the same expressions on the LazyFrame, collected",
        timings[1],
        checked,
    )


def run_duckdb(b: Bench) -> Row:
    import duckdb

    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.register("leads", b.leads.to_arrow())
    relation = con.table("leads")
    sql = native_sql("duckdb")
    checked = _check_arrow(
        b.model.score(relation, as_of=AS_OF).to_arrow_table(), con.sql(sql).to_arrow_table(), b.rows
    )
    timings = interleaved(
        lambda: b.model.score(relation, as_of=AS_OF).to_arrow_table(),
        lambda: con.sql(sql).to_arrow_table(),
        b.repeat,
    )
    return Row(
        "duckdb", timings[0], "one SQL query of `CASE` sums, fetched as Arrow", timings[1], checked
    )


def run_pandas(b: Bench) -> Row:
    import pyarrow as pa

    frame = b.leads.to_pandas()
    checked = _check_arrow(
        pa.Table.from_pandas(b.model.score(frame, as_of=AS_OF)),
        pa.Table.from_pandas(native_pandas(frame)),
        b.rows,
    )
    timings = interleaved(
        lambda: b.model.score(frame, as_of=AS_OF), lambda: native_pandas(frame), b.repeat
    )
    return Row("pandas", timings[0], "vectorised NumPy on the columns", timings[1], checked)


@contextmanager
def _dask_client(tmp: Path) -> Iterator[Any]:
    from dask import distributed

    cluster: Any = distributed.LocalCluster  # (dask is untyped)
    client: Any = distributed.Client
    with (
        cluster(n_workers=2, threads_per_worker=1, memory_limit="6GB", dashboard_address=None,
                local_directory=str(tmp / "dask.tmp")) as local,
        client(local) as connected,
    ):  # fmt: skip
        yield connected


def run_dask(b: Bench) -> Row:
    import dask.dataframe as dd
    from dask import distributed

    wait: Any = distributed.wait
    with _dask_client(b.tmp) as client:
        frame = b.leads.to_pandas()
        meta = native_pandas(frame.head(0))
        partitions = max(2, b.rows // 1_000_000)  # a partition per million leads
        leads = client.persist(dd.from_pandas(frame, npartitions=partitions))
        wait(leads)
        del frame

        def crmkit() -> Any:
            return b.model.score(leads, as_of=AS_OF)

        def native() -> Any:
            return leads.map_partitions(native_pandas, meta=meta)

        def persisted(result: Any) -> None:  # computed on the workers, then released
            wait(client.persist(result))

        a, n = crmkit(), native()
        compute: Any = dd.compute
        checked = verdict(
            compute(
                a.shape[0], (a["fit_score"] - n["fit_score"]).abs().max(),
                (a["engagement_score"] - n["engagement_score"]).abs().max(),
                (a["lead_score"] - n["lead_score"]).abs().max(), (a["action"] != n["action"]).sum(),
            ),
            b.rows,
        )  # fmt: skip
        timings = interleaved(lambda: persisted(crmkit()), lambda: persisted(native()), b.repeat)
    return Row(
        "dask",
        timings[0],
        "`map_partitions` of the pandas function, persisted",
        timings[1],
        checked,
    )


def run_spark(b: Bench) -> Row:
    from tests.backends import local_spark

    path = b.tmp / "leads.parquet"
    b.leads.write_parquet(path)
    spark = local_spark(
        "crmkit-scoring", memory="6g", partitions=16, local_dir=str(b.tmp / "spark.tmp")
    )
    try:
        leads = spark.read.parquet(str(path)).cache()
        leads.count()
        leads.createOrReplaceTempView("leads")
        sql = native_sql("spark")
        b.model.score(leads, as_of=AS_OF).createOrReplaceTempView("a")
        spark.sql(sql).createOrReplaceTempView("b")
        checked = verdict(tuple(spark.sql(CHECK_SQL).collect()[0]), b.rows)

        def sink(frame: Any) -> None:  # every column computed, nothing stored
            frame.write.format("noop").mode("overwrite").save()

        timings = interleaved(
            lambda: sink(b.model.score(leads, as_of=AS_OF)), lambda: sink(spark.sql(sql)), b.repeat
        )
    finally:
        spark.stop()
    return Row(
        "spark",
        timings[0],
        "one Spark SQL query of `CASE` sums, to the `noop` sink",
        timings[1],
        checked,
    )


RUNNERS: dict[str, Callable[[Bench], Row]] = {
    "records": run_records,
    "polars": run_polars,
    "polars-lazy": run_polars_lazy,
    "duckdb": run_duckdb,
    "pandas": run_pandas,
    "dask": run_dask,
    "spark": run_spark,
}


# ----------------------------------------------------------------------------- the results file

_HEADER = (
    "| engine | crmkit CPU s | crmkit wall s | native contender (hand-written) | native CPU s "
    "| native wall s | × native CPU | × native wall | crmkit leads/s "
    "| outputs checked before timing |\n"
    "|---|---:|---:|---|---:|---:|---:|---:|---:|---|"
)


def render_row(row: Row, rows: int) -> str:
    """One line of a size's table."""
    cells = [LABELS[row.engine], f"{row.crmkit.cpu:.3f}", f"{row.crmkit.wall:.3f}", row.contender]
    if row.native is None:
        cells += ["", "", "", ""]
    else:
        cells += [
            f"{row.native.cpu:.3f}", f"{row.native.wall:.3f}",
            f"{row.crmkit.cpu / row.native.cpu:.2f}", f"{row.crmkit.wall / row.native.wall:.2f}",
        ]  # fmt: skip
    cells += [f"{rows / row.crmkit.wall:,.0f}", row.checked]
    return "| " + " | ".join(cells) + " |"


def _markers(rows: int) -> tuple[str, str]:
    return (
        f"<!-- generated: {rows} leads (benchmarks/scoring.py rewrites this block) -->",
        f"<!-- end generated: {rows} leads -->",
    )


def merge(text: str, rows: int, lines: list[str], run: str, engines: list[str]) -> str:
    """``text`` (the results file) with the table of ``rows`` leads updated by this run.

    ``lines`` are the table rows of the engines that ran; the table's other rows are kept, in
    :data:`ENGINES` order, and so are the run lines that name engines that did not run now.
    Everything outside the generated blocks is kept as it is.
    """
    begin, end = _markers(rows)
    labels = {LABELS[e]: i for i, e in enumerate(ENGINES)}
    kept_rows: dict[str, str] = {}
    kept_runs: list[str] = []
    found = re.search(re.escape(begin) + r"\n(.*?)" + re.escape(end), text, re.S)
    ran = {LABELS[e] for e in engines}
    if found:
        for line in found[1].splitlines():
            cell = line.split(" | ")[0].removeprefix("| ") if line.startswith("| ") else ""
            if cell in labels and cell not in ran:
                kept_rows[cell] = line
            run_of = re.match(r"- engines (.+?): ", line)
            if run_of:
                left = [n for n in run_of[1].split(", ") if n not in engines]
                if left:
                    kept_runs.append(f"- engines {', '.join(left)}: {line[run_of.end() :]}")
    for line in lines:
        kept_rows[line.split(" | ")[0].removeprefix("| ")] = line
    table = [kept_rows[k] for k in sorted(kept_rows, key=labels.__getitem__)]
    block = "\n".join([
        begin, f"### {rows:,} leads", "", _HEADER, *table, "", "Runs:", "", *kept_runs, run, end,
    ])  # fmt: skip
    if found:
        return text[: found.start()] + block + text[found.end() :]
    if not text.startswith(HEADING):
        text = HEADING + "\n" + (text.split("\n", 1)[1] if text.startswith("## ") else text)
    ends = list(re.finditer(r"<!-- end generated: \d+ leads -->", text))
    at = ends[-1].end() if ends else len(HEADING)
    return text[:at] + "\n\n" + block + text[at:]


def parse_rows(value: str) -> int:
    """``1000000``, ``1_000_000``, ``100k``, ``1M`` or ``10M``."""
    found = re.fullmatch(r"([\d_]+)([kKmM]?)", value.strip())
    if not found:
        raise argparse.ArgumentTypeError(f"not a number of leads: {value!r}")
    scale = {"": 1, "k": 1_000, "m": 1_000_000}[found[2].lower()]
    return int(found[1].replace("_", "")) * scale


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=parse_rows, default=1_000_000, help="leads: 1M, 10M, …")
    parser.add_argument("--quick", action="store_true", help="100k leads")
    parser.add_argument(
        "--engines",
        default=None,
        help=f"any of {','.join(ENGINES)} (default: all; records only up to 1M)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="interleaved rounds (best of)")
    parser.add_argument(
        "--records-rows",
        type=parse_rows,
        default=None,
        help="leads the records engine scores (extrapolated to --rows)",
    )
    args = parser.parse_args(argv)  # fmt: skip
    warnings.filterwarnings("ignore")  # (the engines' deprecation and version notices)
    rows = 100_000 if args.quick else args.rows
    if args.engines:
        engines = [e.strip() for e in args.engines.split(",") if e.strip()]
        unknown = sorted(set(engines) - set(ENGINES))
        if unknown:
            parser.error(f"unknown engines {unknown}; choose from {', '.join(ENGINES)}")
    else:
        engines = [
            e for e in ENGINES if e != "records" or rows <= RECORDS_LIMIT or args.records_rows
        ]
    load_start = os.getloadavg()[0]
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())

    model = build_model()
    leads = make_leads(rows)
    sample = leads.head(2000)
    want = model.score(sample.to_dicts(), as_of=AS_OF)
    got = model.score(sample, as_of=AS_OF)
    for lead, score, action in zip(want, got["lead_score"], got["action"], strict=True):
        assert abs(lead.score - score) <= 1e-9, (lead, score)
        assert lead.action == action, (lead, action)

    tmp = Path(tempfile.mkdtemp(prefix="crmkit-scoring-"))
    results: list[Row] = []
    try:
        for engine in engines:
            bench = Bench(model, leads, rows, args.repeat, args.records_rows, tmp)
            results.append(RUNNERS[engine](bench))
            print(render_row(results[-1], rows), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    command = f"python -m benchmarks.scoring --rows {rows}"
    command += f" --engines {','.join(engines)} --repeat {args.repeat}"
    if args.records_rows is not None:
        command += f" --records-rows {args.records_rows}"
    run = (
        f"- engines {', '.join(engines)}: `.venv/bin/{command}` at {started}; "
        f"{platform.machine()}, {os.cpu_count()} cores shared with other jobs, load average "
        f"{load_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end; Python "
        f"{platform.python_version()}; best of {args.repeat} interleaved rounds."
    )
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else HEADING + "\n"
    text = merge(text, rows, [render_row(r, rows) for r in results], run, engines)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
