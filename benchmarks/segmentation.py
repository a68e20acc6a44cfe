"""RFM benchmark: crmkit's engines side by side with the references, in one run.

Run ``.venv/bin/python -m benchmarks.segmentation`` (1M transactions), ``--quick`` (100k) or
``--rows 10000000`` (10M; slow on a shared machine). Writes ``benchmarks/results/
segmentation.md``.

Compared (all produce per-customer recency, frequency, monetary and 1–5 scores):

* crmkit records engine (list of dicts), crmkit on pandas, Polars (eager) and DuckDB (lazy
  relation, fetched at the end);
* a pandas reference as a data scientist writes it (groupby + ``qcut`` on ranks);
* native Polars (lazy query with ``rank("min")``) and native DuckDB SQL (window ``rank()``),
  each engine's own limit;
* lifetimes' ``summary_data_from_transaction_data`` (frequency/recency/T/monetary; no scores),
  measured on a subsample and extrapolated linearly (labelled as such) when the full size
  would take too long.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

warnings.filterwarnings("ignore")

AS_OF = dt.date(2024, 12, 31)
RESULTS = Path(__file__).parent / "results" / "segmentation.md"


def make_transactions(rows: int, seed: int = 7) -> Any:
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    customers = max(rows // 10, 1)
    start = np.datetime64("2022-01-01T00:00:00")
    seconds = rng.integers(0, 3 * 365 * 86400, rows)
    return pd.DataFrame(
        {
            "account_id": rng.integers(0, customers, rows).astype("int64"),
            "ordered_at": pd.to_datetime(start + seconds.astype("timedelta64[s]")).tz_localize(
                "UTC"
            ),
            "total": rng.integers(1, 100_000, rows).astype("int64") / 100.0,
        }
    )


def timed(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def pandas_reference(df: Any) -> Any:
    import pandas as pd

    as_of = pd.Timestamp(AS_OF, tz="UTC") + pd.Timedelta(days=1)
    d = df[df["ordered_at"] < as_of]
    g = d.groupby("account_id").agg(
        last=("ordered_at", "max"), frequency=("ordered_at", "size"), monetary=("total", "sum")
    )
    g["recency"] = (as_of - g["last"]).dt.days
    labels = [1, 2, 3, 4, 5]
    g["r"] = pd.qcut(g["recency"].rank(method="first"), 5, labels=labels[::-1])
    g["f"] = pd.qcut(g["frequency"].rank(method="first"), 5, labels=labels)
    g["m"] = pd.qcut(g["monetary"].rank(method="first"), 5, labels=labels)
    return g


def polars_native(lf: Any) -> Any:
    import polars as pl

    limit = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    n = pl.len()
    g = (
        lf.filter(pl.col("ordered_at") < limit)
        .group_by("account_id")
        .agg(
            pl.col("ordered_at").max().alias("last"),
            pl.len().alias("frequency"),
            pl.col("total").sum().alias("monetary"),
        )
        .with_columns((pl.lit(AS_OF) - pl.col("last").dt.date()).dt.total_days().alias("recency"))
    )
    score = lambda c, d: 1 + (5 * (pl.col(c).rank("min", descending=d) - 1)) // n.over(pl.lit(1))  # noqa: E731
    return g.with_columns(
        score("recency", True).alias("r"), score("frequency", False).alias("f"),
        score("monetary", False).alias("m"),
    ).collect()  # fmt: skip


DUCKDB_SQL = """
with c as (
  select account_id, max(ordered_at) as last, count(*) as frequency, sum(total) as monetary
  from t where ordered_at < TIMESTAMPTZ '2025-01-01 00:00:00+00'
  group by account_id
), r as (
  select *, date_diff('day', cast(last as date), DATE '2024-12-31') as recency from c
)
select * exclude (last),
  1 + (5 * (rank() over (order by recency desc) - 1)) // count(*) over () as r_score,
  1 + (5 * (rank() over (order by frequency) - 1)) // count(*) over () as f_score,
  1 + (5 * (rank() over (order by monetary) - 1)) // count(*) over () as m_score
from r
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="100k transactions")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--lifetimes-rows", type=int, default=200_000,
                        help="subsample size for lifetimes (extrapolated linearly)")  # fmt: skip
    args = parser.parse_args()
    rows = 100_000 if args.quick else args.rows

    import duckdb
    import lifetimes
    import polars as pl

    from crmkit.segmentation import rfm

    df = make_transactions(rows)
    pl_df = pl.from_pandas(df)
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    con.execute("SET threads=2")
    arrow = pl_df.to_arrow()
    con.register("t", arrow)
    records = [  # plain Python values, as crmkit records hold them
        {"account_id": a, "ordered_at": t, "total": m}
        for a, t, m in zip(
            df["account_id"].tolist(),
            [t.to_pydatetime() for t in df["ordered_at"]],
            df["total"].tolist(),
            strict=True,
        )
    ]

    results: list[tuple[str, float, str]] = []

    def add(name: str, fn: Callable[[], Any], note: str = "", repeat: int = args.repeat) -> None:
        seconds = timed(fn, repeat)
        results.append((name, seconds, note))
        print(f"{name:45s} {seconds:8.3f} s {note}", flush=True)

    add("crmkit records engine (list of dicts)", lambda: rfm(records, as_of=AS_OF), repeat=1)
    add("crmkit on pandas", lambda: rfm(df, as_of=AS_OF))
    add("crmkit on Polars (eager)", lambda: rfm(pl_df, as_of=AS_OF))
    add("crmkit on Polars (LazyFrame, collected)",
        lambda: rfm(pl_df.lazy(), as_of=AS_OF).collect())  # fmt: skip
    add("crmkit on DuckDB (relation, fetched)",
        lambda: rfm(con.table("t"), as_of=AS_OF).arrow())  # fmt: skip
    add("pandas reference (groupby + qcut)", lambda: pandas_reference(df))
    add("native Polars (lazy, rank)", lambda: polars_native(pl_df.lazy()))
    add("native DuckDB SQL (window rank)", lambda: con.sql(DUCKDB_SQL).arrow())

    sub = min(rows, args.lifetimes_rows)
    sample = df.iloc[:sub].assign(ordered_at=df["ordered_at"].iloc[:sub].dt.tz_localize(None))

    def run_lifetimes() -> Any:
        return lifetimes.utils.summary_data_from_transaction_data(
            sample, "account_id", "ordered_at", monetary_value_col="total",
            observation_period_end="2024-12-31",
        )  # fmt: skip

    seconds = timed(run_lifetimes, 1)
    if sub < rows:
        note = f"measured on {sub:,} rows ({seconds:.2f} s), extrapolated ×{rows / sub:g}"
        results.append(("lifetimes summary_data_from_transaction_data", seconds * rows / sub,
                        note))  # fmt: skip
    else:
        results.append(("lifetimes summary_data_from_transaction_data", seconds, ""))
    print(f"{results[-1][0]:45s} {results[-1][1]:8.3f} s {results[-1][2]}")

    write(rows, results, args)


def write(rows: int, results: list[tuple[str, float, str]], args: Any) -> None:
    by_name = {n: s for n, s, _ in results}
    reference = by_name["pandas reference (groupby + qcut)"]
    native_pl = by_name["native Polars (lazy, rank)"]
    native_dd = by_name["native DuckDB SQL (window rank)"]
    lines = [
        f"## Segmentation: RFM on {rows:,} transactions",
        "",
        f"Command: `.venv/bin/python -m benchmarks.segmentation --rows {rows}"
        f" --repeat {args.repeat}`  ",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores shared with other jobs, "
        f"Python {platform.python_version()}; best of {args.repeat} (records engine and "
        "lifetimes: 1 run). ~100k customers; aware UTC datetimes; float amounts.",
        "",
        "| implementation | seconds | × pandas reference | × native same engine | note |",
        "|---|---:|---:|---:|---|",
    ]
    for name, seconds, note in results:
        native = ""
        if "Polars" in name and name.startswith("crmkit"):
            native = f"{seconds / native_pl:.2f}"
        elif "DuckDB" in name and name.startswith("crmkit"):
            native = f"{seconds / native_dd:.2f}"
        lines.append(f"| {name} | {seconds:.3f} | {seconds / reference:.2f} | {native} | {note} |")
    life = by_name["lifetimes summary_data_from_transaction_data"]
    lines += [
        "",
        f"lifetimes' summary step ÷ crmkit on Polars: {life / by_name['crmkit on Polars (eager)']:.1f}×;"
        f" ÷ crmkit on DuckDB: {life / by_name['crmkit on DuckDB (relation, fetched)']:.1f}×"
        " (lifetimes computes no scores).",
        "",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
