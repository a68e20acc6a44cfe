"""Scale-out benchmark: transactions in Parquet → summary → fit → per-customer CLV, in the engine.

Run: ``.venv/bin/python -m benchmarks.scale`` (1,000,000 transactions; ``--quick`` 100,000;
``--size 100M`` for the warehouse-scale run, also ``python -m benchmarks scale --size 100M``).
Writes ``benchmarks/results/scale.md`` (one section per size; a run replaces the rows of the
engines it ran and keeps the others, so ``--engines dask`` adds Dask next to an earlier Spark).

The benchmark writes the transactions itself, in chunks of simulated BG/NBD-like customers
(gamma purchase rates, beta drop-out, two years of days, amounts in cents) to one Parquet file
under ``--data`` (reused when it exists). Then, for DuckDB, PySpark ``local[2]`` and Dask
(a ``dask.distributed.LocalCluster`` of 2 worker processes × 1 thread), each in a fresh
subprocess so its peak memory is its own:

1. the summary (``frequency``, ``recency``, ``T``, ``monetary_value`` in weeks) with
   :func:`crmkit.clv.summarise`, stored by the engine (a DuckDB table, a Parquet directory
   for Spark and Dask), side by side with the engine's native summary written by hand (SQL
   for DuckDB and Spark; a shuffle by customer and pandas group-bys for Dask), checked equal;
2. the fits — BG/NBD and Gamma-Gamma on the summary, which the engine compresses to its
   distinct patterns (only those come back to the driver);
3. :func:`crmkit.clv.predict_frame` joined back to every customer and written to Parquet by
   the engine.

Peak memory: the driver's peak resident set (``resource.getrusage``) and, for Spark and Dask,
the peak of the engine's processes (the JVM; the nannies and workers) sampled with psutil.

The sample check (``--sample``, default 1,000,000 customers, with all their transactions):
crmkit's fits from DuckDB's patterns against crmkit's in-memory fits of the same customers (a
pandas frame, numpy arrays). lifetimes runs its pandas pipeline on the first
``--lifetimes-customers`` of them (default: the whole sample) in a process of its own, and its
estimates and total CLV are compared with crmkit's on the same customers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

warnings.filterwarnings("ignore")

RESULTS = Path(__file__).parent / "results" / "scale.md"
START = date(2023, 1, 1)
DAYS = 730  # two years of transactions
AS_OF = date(2024, 12, 31)
_EPOCH = date(1970, 1, 1)
CHUNK = 2_000_000  # customers simulated per chunk
SAMPLE = 1_000_000  # customers in the sample check
SUMMARY = ("frequency", "recency", "T", "monetary_value")


def parse_size(text: str) -> int:
    """``"100M"`` → 100000000 (``k``/``M`` suffixes, or a plain number)."""
    text = text.strip().replace("_", "").replace(",", "")
    factor = {"k": 1_000, "K": 1_000, "m": 1_000_000, "M": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def _label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n:,}"


# ----------------------------------------------------------------------------- data


def write_transactions(path: Path, n: int, seed: int = 7) -> dict[str, int]:
    """Write ``n`` transactions of simulated customers to ``path`` (Parquet), chunk by chunk."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    start_day = (START - _EPOCH).days
    written = customers = 0
    schema = pa.schema([("customer_id", pa.int64()), ("ordered_at", pa.date32()),
                        ("amount", pa.float64())])  # fmt: skip
    tmp = path.with_suffix(".partial")
    with pq.ParquetWriter(tmp, schema, compression="snappy") as writer:
        while written < n:
            k = min(CHUNK, (n - written) // 2 + 1000)
            first = rng.integers(0, DAYS, size=k)
            rate = rng.gamma(0.8, 1 / 20, size=k)  # purchases per day while alive (Gamma)
            drop = rng.beta(2.0, 6.0, size=k)  # drop-out after each purchase (Beta)
            # purchases until the drop-out: a geometric count; the repeats are the first of
            # them at exponential gaps, those before the end of the data observed
            gaps = np.minimum(rng.geometric(drop) - 1, 100)
            owner = np.repeat(np.arange(k), gaps)
            elapsed = np.cumsum(rng.exponential(1.0, size=owner.shape[0]) / rate[owner])
            before = np.concatenate([[0.0], elapsed])[np.cumsum(gaps) - gaps]
            at = first[owner] + (elapsed - np.repeat(before, gaps))
            seen = at < DAYS
            local = np.concatenate([np.arange(k), owner[seen]])
            order = np.argsort(local, kind="stable")
            ids = (local[order] + customers).astype(np.int64)
            day = np.concatenate([first, at[seen].astype(np.int64)])[order]
            amount = np.round(rng.gamma(2.0, 20.0, size=ids.shape[0]) + 1.0, 2)
            take = min(ids.shape[0], n - written)
            table = pa.table(
                {"customer_id": ids[:take],
                 "ordered_at": pa.array((day[:take] + start_day).astype(np.int32), pa.date32()),
                 "amount": amount[:take]},
                schema=schema,
            )  # fmt: skip
            writer.write_table(table, row_group_size=1_000_000)
            written += take
            customers = int(ids[take - 1]) + 1
    tmp.rename(path)
    return {"transactions": written, "customers": customers}


def _week(day_sql: str) -> str:
    """Monday-based week number of a day number (as crmkit counts weeks)."""
    return f"floor(({day_sql} + 3) / 7)"


# ----------------------------------------------------------------------------- DuckDB


def native_duckdb_summary(con: Any, source: str) -> Any:
    """The summary as one hand-written DuckDB query."""
    end = (AS_OF - _EPOCH).days
    return con.sql(f"""
        with p as (
            select customer_id, {_week("(ordered_at - date '1970-01-01')")} as wk,
                   sum(amount) as v
            from {source} where ordered_at <= date '{AS_OF}' group by all),
        c as (
            select customer_id, min(wk) as f, max(wk) as l, count(*) as n, sum(v) as total,
                   arg_min(v, wk) as first_v
            from p group by all)
        select customer_id, (n - 1)::bigint as frequency, (l - f)::double as recency,
               ({_week(str(end))} - f)::double as "T",
               case when n > 1 then (total - first_v) / (n - 1) else 0.0 end as monetary_value
        from c""")


def run_duckdb(data: Path, out: Path) -> dict[str, Any]:
    import duckdb

    from crmkit.clv import BetaGeo, GammaGamma, predict_frame, summarise

    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute("SET memory_limit = '8GB'")  # a shared machine: spill to disk beyond it
    con.execute(f"SET temp_directory = '{out}/duckdb.tmp'")
    source = f"read_parquet('{data}')"
    times: dict[str, float] = {}

    t0 = time.perf_counter()
    native_duckdb_summary(con, source).to_table("native_summary")
    times["native summary"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    summary = summarise(con.sql(f"select * from {source}"), customer="customer_id",
                        date_field="ordered_at", amount="amount", as_of=AS_OF)  # fmt: skip
    summary.to_table("summary")
    times["summary"] = time.perf_counter() - t0
    table = con.table("summary")
    check = con.sql("""
        select count(*), sum(abs(a.frequency - b.frequency)), sum(abs(a.recency - b.recency)),
               sum(abs(a."T" - b."T")), max(abs(a.monetary_value - b.monetary_value))
        from summary a join native_summary b using (customer_id)""").fetchall()[0]
    customers = con.sql("select count(*) from summary").fetchall()[0][0]

    t0 = time.perf_counter()
    purchases = BetaGeo.fit(table, time_unit="weeks")
    spend = GammaGamma.fit(table)
    times["fit"] = time.perf_counter() - t0
    patterns = con.sql('select count(*) from (select distinct frequency, recency, "T" '
                       "from summary)").fetchall()[0][0]  # fmt: skip

    t0 = time.perf_counter()
    scored = predict_frame(table, purchases, spend)
    scored.write_parquet(str(out / "duckdb-clv.parquet"))
    times["predict"] = time.perf_counter() - t0
    total_clv = con.sql(f"select sum(lifetime_value) from read_parquet('{out}/duckdb-clv.parquet')"
                        ).fetchall()[0][0]  # fmt: skip
    return {
        "times": times, "customers": customers, "patterns": patterns,
        "check": {"rows": check[0], "frequency": check[1], "recency": check[2], "T": check[3],
                  "monetary": check[4]},
        "params": {**_params(purchases), **_params(spend)}, "total_clv": total_clv,
        "peak_driver_mb": _peak_mb(), "peak_engine_mb": None,
    }  # fmt: skip


# ----------------------------------------------------------------------------- Spark


def native_spark_summary(spark: Any, view: str) -> Any:
    """The summary as one hand-written Spark SQL query."""
    end = (AS_OF - _EPOCH).days
    return spark.sql(f"""
        with p as (
            select customer_id,
                   cast({_week("datediff(ordered_at, date'1970-01-01')")} as bigint) as wk,
                   sum(amount) as v
            from {view} where ordered_at <= date'{AS_OF}' group by customer_id, wk),
        c as (
            select customer_id, min(wk) as f, max(wk) as l, count(*) as n, sum(v) as total,
                   min_by(v, wk) as first_v
            from p group by customer_id)
        select customer_id, cast(n - 1 as bigint) as frequency, cast(l - f as double) as recency,
               cast({_week(str(end))} - f as double) as T,
               case when n > 1 then (total - first_v) / (n - 1) else 0.0 end as monetary_value
        from c""")


class _ChildrenPeak:
    """Samples the resident memory of this process's child processes (Spark's JVM, Dask's
    nannies and workers) every half second; :meth:`stop` gives the peak of their sum."""

    def __init__(self) -> None:
        import psutil

        self.peak = 0
        self._me = psutil.Process()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            try:
                rss = sum(c.memory_info().rss for c in self._me.children(recursive=True))
            except Exception:  # a child went away between listing and reading
                continue
            self.peak = max(self.peak, rss)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak / 2**20


def run_spark(data: Path, out: Path) -> dict[str, Any]:
    from tests.backends import local_spark

    from crmkit.clv import BetaGeo, GammaGamma, predict_frame, summarise

    jvm = _ChildrenPeak()
    spark = local_spark(
        "crmkit-scale", memory="6g", partitions=16, local_dir=str(out / "spark.tmp")
    )
    transactions = spark.read.parquet(str(data))
    transactions.createOrReplaceTempView("transactions")
    times: dict[str, float] = {}

    t0 = time.perf_counter()
    native_spark_summary(spark, "transactions").write.mode("overwrite").parquet(
        str(out / "spark-native-summary")
    )
    times["native summary"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    summary = summarise(transactions, customer="customer_id", date_field="ordered_at",
                        amount="amount", as_of=AS_OF)  # fmt: skip
    summary.write.mode("overwrite").parquet(str(out / "spark-summary"))
    times["summary"] = time.perf_counter() - t0
    table = spark.read.parquet(str(out / "spark-summary"))
    table.createOrReplaceTempView("summary")
    spark.read.parquet(str(out / "spark-native-summary")).createOrReplaceTempView("native")
    check = spark.sql("""
        select count(*), sum(abs(a.frequency - b.frequency)), sum(abs(a.recency - b.recency)),
               sum(abs(a.T - b.T)), max(abs(a.monetary_value - b.monetary_value))
        from summary a join native b using (customer_id)""").collect()[0]
    customers = table.count()

    t0 = time.perf_counter()
    purchases = BetaGeo.fit(table, time_unit="weeks")
    spend = GammaGamma.fit(table)
    times["fit"] = time.perf_counter() - t0
    patterns = table.select("frequency", "recency", "T").distinct().count()

    t0 = time.perf_counter()
    scored = predict_frame(table, purchases, spend)
    scored.write.mode("overwrite").parquet(str(out / "spark-clv"))
    times["predict"] = time.perf_counter() - t0
    total_clv = (
        spark.read.parquet(str(out / "spark-clv")).selectExpr("sum(lifetime_value)").collect()[0][0]
    )
    spark.stop()
    return {
        "times": times, "customers": customers, "patterns": patterns,
        "check": {"rows": check[0], "frequency": check[1], "recency": check[2], "T": check[3],
                  "monetary": check[4]},
        "params": {**_params(purchases), **_params(spend)}, "total_clv": total_clv,
        "peak_driver_mb": _peak_mb(), "peak_engine_mb": jvm.stop(),
    }  # fmt: skip


# ----------------------------------------------------------------------------- Dask


def native_dask_summary(transactions: Any) -> Any:
    """The summary as hand-written Dask: a shuffle by customer, then pandas group-bys.

    The transactions are shuffled by ``customer_id`` (``DataFrame.shuffle``, as many
    partitions as they have, so millions of customers do not land in one task) and every
    partition is summarised with pandas: spend per customer and week, then first week, last
    week, weeks, total and the first week's spend per customer. (Dask's own ``groupby.agg``
    with ``split_out`` followed by a merge for the first week's spend fails in the dask-expr
    planner with more than one partition: ``KeyError: ['customer_id'] not in index``.)
    """
    kept = transactions[transactions["ordered_at"] <= AS_OF]
    day = kept["ordered_at"].astype("int32[pyarrow]").astype("int64")  # days since 1970
    kept = kept.assign(wk=(day + 3) // 7)[["customer_id", "wk", "amount"]]  # Monday weeks
    meta = {"customer_id": "int64", "frequency": "int64", "recency": "float64",
            "T": "float64", "monetary_value": "float64"}  # fmt: skip
    shuffled = kept.shuffle(on="customer_id", npartitions=kept.npartitions)
    return shuffled.map_partitions(_pandas_summary, meta=meta)


def _pandas_summary(part: Any) -> Any:
    """One partition's summary (every customer's transactions are in it), with pandas."""
    import pandas as pd

    weekly = part.groupby(["customer_id", "wk"], as_index=False)["amount"].sum()
    per = weekly.groupby("customer_id").agg(
        f=("wk", "min"), l=("wk", "max"), n=("wk", "count"), total=("amount", "sum"),
        first_v=("amount", "first"),  # weekly is sorted by customer and week
    )  # fmt: skip
    repeats = per["n"] - 1
    end_week = ((AS_OF - _EPOCH).days + 3) // 7
    return pd.DataFrame({
        "customer_id": per.index.to_numpy(dtype="int64"),
        "frequency": repeats.to_numpy(dtype="int64"),
        "recency": (per["l"] - per["f"]).to_numpy(dtype="float64"),
        "T": (end_week - per["f"]).to_numpy(dtype="float64"),
        "monetary_value": ((per["total"] - per["first_v"]) / repeats.where(repeats > 0, 1))
        .where(repeats > 0, 0.0).to_numpy(dtype="float64"),
    })  # fmt: skip


def run_dask(data: Path, out: Path) -> dict[str, Any]:
    import dask.dataframe as dd
    from dask import distributed

    from crmkit.clv import BetaGeo, GammaGamma, predict_frame, summarise

    workers = _ChildrenPeak()
    times: dict[str, float] = {}
    cluster: Any = distributed.LocalCluster  # (dask is untyped)
    client: Any = distributed.Client
    with (
        cluster(n_workers=2, threads_per_worker=1, memory_limit="6GB", dashboard_address=None,
                local_directory=str(out / "dask.tmp")) as local,
        client(local),
    ):  # fmt: skip
        # a partition per Parquet row group (1,000,000 transactions)
        transactions = dd.read_parquet(str(data), split_row_groups=True)

        t0 = time.perf_counter()
        native_dask_summary(transactions).to_parquet(
            str(out / "dask-native-summary"), write_index=False
        )
        times["native summary"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        summary = summarise(transactions, customer="customer_id", date_field="ordered_at",
                            amount="amount", as_of=AS_OF)  # fmt: skip
        summary.to_parquet(str(out / "dask-summary"), write_index=False)
        times["summary"] = time.perf_counter() - t0
        table = dd.read_parquet(str(out / "dask-summary"))
        both = table.merge(
            dd.read_parquet(str(out / "dask-native-summary")), on="customer_id",
            suffixes=("", "_native"),
        )  # fmt: skip
        diff = {name: (both[name] - both[f"{name}_native"]).abs() for name in SUMMARY}
        compute: Any = dd.compute
        check = compute(
            both.shape[0], diff["frequency"].sum(), diff["recency"].sum(), diff["T"].sum(),
            diff["monetary_value"].max(),
        )  # fmt: skip
        customers = int(table.shape[0].compute())

        t0 = time.perf_counter()
        purchases = BetaGeo.fit(table, time_unit="weeks")
        spend = GammaGamma.fit(table)
        times["fit"] = time.perf_counter() - t0
        patterns = int(
            table[["frequency", "recency", "T"]]
            .drop_duplicates(split_out=table.npartitions).shape[0].compute()
        )  # fmt: skip

        t0 = time.perf_counter()
        scored = predict_frame(table, purchases, spend)
        scored.to_parquet(str(out / "dask-clv"), write_index=False)
        times["predict"] = time.perf_counter() - t0
        total_clv = float(dd.read_parquet(str(out / "dask-clv"))["lifetime_value"].sum().compute())
    return {
        "times": times, "customers": customers, "patterns": patterns,
        "check": {"rows": int(check[0]), "frequency": check[1], "recency": check[2],
                  "T": check[3], "monetary": check[4]},
        "params": {**_params(purchases), **_params(spend)}, "total_clv": total_clv,
        "peak_driver_mb": _peak_mb(), "peak_engine_mb": workers.stop(),
    }  # fmt: skip


# ----------------------------------------------------------------------------- the sample check


def _sample_sql(data: Path, customers: int) -> str:
    """The transactions of the first ``customers`` customers (ids are consecutive from 0)."""
    return f"select * from read_parquet('{data}') where customer_id < {customers}"


def run_sample(data: Path, customers: int, lifetimes_customers: int) -> dict[str, Any]:
    """crmkit on a sample of customers: fits from DuckDB's patterns vs in-memory fits.

    Also crmkit's fit and total CLV on the first ``lifetimes_customers`` of the sample, for
    the comparison with lifetimes (which runs in a process of its own, :func:`run_peer`).
    """
    import duckdb

    from crmkit.clv import BetaGeo, GammaGamma, predict_frame, summarise

    con = duckdb.connect()
    con.execute("SET threads = 2")
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    summary = summarise(con.sql(_sample_sql(data, customers)), customer="customer_id",
                        date_field="ordered_at", amount="amount", as_of=AS_OF)  # fmt: skip
    summary.to_table("sample")
    times["summary"] = time.perf_counter() - t0
    table = con.table("sample")
    size = con.sql("select count(*) from sample").fetchall()[0][0]
    transactions = con.sql(f"select count(*) from ({_sample_sql(data, customers)})").fetchall()
    patterns = con.sql('select count(*) from (select distinct frequency, recency, "T" '
                       "from sample)").fetchall()[0][0]  # fmt: skip

    t0 = time.perf_counter()
    engine = BetaGeo.fit(table, time_unit="weeks"), GammaGamma.fit(table)
    times["engine fit"] = time.perf_counter() - t0
    frame = table.df()  # one row per customer, in this process
    t0 = time.perf_counter()
    pandas_fit = BetaGeo.fit(frame, time_unit="weeks"), GammaGamma.fit(frame)
    times["pandas fit"] = time.perf_counter() - t0
    arrays = {name: frame[name].to_numpy() for name in SUMMARY}
    t0 = time.perf_counter()
    arrays_fit = BetaGeo.fit(arrays, time_unit="weeks"), GammaGamma.fit(arrays)
    times["arrays fit"] = time.perf_counter() - t0

    if lifetimes_customers < size:
        part = con.sql(f"select * from sample where customer_id < {lifetimes_customers}")
        ours = BetaGeo.fit(part, time_unit="weeks"), GammaGamma.fit(part)
    else:
        part, ours = table, engine
    clv = predict_frame(part, *ours).aggregate("sum(lifetime_value)").fetchall()[0][0]
    return {
        "times": times, "customers": size, "transactions": transactions[0][0],
        "patterns": patterns,
        "engine_vs_pandas": _largest_difference(engine, pandas_fit),
        "engine_vs_arrays": _largest_difference(engine, arrays_fit),
        "peer_customers": min(lifetimes_customers, size),
        "peer_params": _params_of(ours), "peer_clv": clv, "peak_driver_mb": _peak_mb(),
    }  # fmt: skip


def run_peer(data: Path, customers: int) -> dict[str, Any]:
    """lifetimes' pandas pipeline on the transactions of the first ``customers`` customers."""
    import duckdb
    import pandas as pd
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.utils import summary_data_from_transaction_data

    frame = duckdb.connect().execute(_sample_sql(data, customers)).df()
    frame["ordered_at"] = pd.to_datetime(frame["ordered_at"])
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    summary = summary_data_from_transaction_data(
        frame, "customer_id", "ordered_at", "amount", freq="W",
        observation_period_end=pd.Timestamp(AS_OF),
    )  # fmt: skip
    times["summary"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    bgf = BetaGeoFitter().fit(summary["frequency"], summary["recency"], summary["T"])
    repeat = summary[summary["frequency"] > 0]
    ggf = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    times["fit"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    clv = ggf.customer_lifetime_value(
        bgf, summary["frequency"], summary["recency"], summary["T"], summary["monetary_value"],
        time=12, discount_rate=0.01, freq="W",
    )  # fmt: skip
    times["predict"] = time.perf_counter() - t0
    return {
        "times": times, "customers": len(summary), "transactions": len(frame),
        "params": {**dict(bgf.params_), **dict(ggf.params_)}, "total_clv": float(clv.sum()),
        "peak_driver_mb": _peak_mb(),
    }  # fmt: skip


def _params(model: Any) -> dict[str, float]:
    return {name: float(getattr(model, name)) for name in type(model).PARAMETERS}


def _params_of(models: tuple[Any, ...]) -> dict[str, float]:
    out: dict[str, float] = {}
    for model in models:
        out |= _params(model)
    return out


def _largest_difference(ours: dict[str, float] | tuple[Any, ...], theirs: Any) -> float:
    """The largest relative difference of a parameter (``theirs``: models or a dict)."""
    a = ours if isinstance(ours, dict) else _params_of(ours)
    b = theirs if isinstance(theirs, dict) else _params_of(theirs)
    return max(abs(a[name] / b[name] - 1) for name in b)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ----------------------------------------------------------------------------- driver


def _child(kind: str, args: list[str]) -> dict[str, Any]:
    module = __spec__.name if __spec__ is not None else "benchmarks.scale"
    command = [sys.executable, "-m", module, "--run", kind, *args]
    print(f"  $ {' '.join(command[1:])}", flush=True)
    t0 = time.perf_counter()
    done = subprocess.run(command, check=False, capture_output=True, text=True)
    if done.returncode != 0:  # the child's traceback, then stop
        print(done.stderr[-4000:], file=sys.stderr, flush=True)
        done.check_returncode()
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - t0
    return result


_ENGINES = ("duckdb", "spark", "dask")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="1M", help="transactions: 1M (default), 10M, 100M")
    parser.add_argument("--quick", action="store_true", help="100k transactions")
    parser.add_argument("--engines", default="duckdb,spark,dask",
                        help="any of duckdb,spark,dask, or 'none' (only the sample check)")  # fmt: skip
    parser.add_argument("--sample", default="1M",
                        help="customers in the sample check (1M; 0: no sample check)")  # fmt: skip
    parser.add_argument("--lifetimes-customers", default=None,
                        help="customers lifetimes runs on (default: the whole sample)")  # fmt: skip
    parser.add_argument("--data", default=os.path.join(tempfile.gettempdir(), "crmkit-scale"))
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run:  # a child: one stage, result as JSON on the last line
        file = Path(args.file)
        if args.run in ("duckdb", "spark", "dask"):
            runner = {"duckdb": run_duckdb, "spark": run_spark, "dask": run_dask}[args.run]
            result = runner(file, Path(args.out))
        elif args.run == "sample":
            result = run_sample(file, parse_size(args.sample),
                                parse_size(args.lifetimes_customers))  # fmt: skip
        else:  # "peer"
            result = run_peer(file, parse_size(args.lifetimes_customers))
        print(json.dumps(result, default=float))
        return 0

    n = parse_size("100k" if args.quick else args.size)
    engines = [] if args.engines == "none" else args.engines.split(",")
    unknown = sorted(set(engines) - set(_ENGINES))
    if unknown:
        parser.error(f"--engines: unknown {', '.join(unknown)} (choose from {_ENGINES})")
    sample = parse_size(args.sample)
    peer = parse_size(args.lifetimes_customers) if args.lifetimes_customers else sample
    if not engines and sample == 0:
        parser.error("nothing to run: --engines none and --sample 0")
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    path = data / f"transactions-{n}.parquet"
    load = os.getloadavg()[0]
    if path.exists():
        print(f"reusing {path}", flush=True)
        written_seconds = None
    else:
        t0 = time.perf_counter()
        write_transactions(path, n)
        written_seconds = time.perf_counter() - t0
        print(f"wrote {path} in {written_seconds:.1f} s", flush=True)
    runs = {}
    if engines:
        out = Path(tempfile.mkdtemp(prefix="crmkit-scale-out-", dir=data))
        for kind in engines:
            runs[kind] = _child(kind, ["--file", str(path), "--out", str(out)])
    if sample > 0:
        common = ["--file", str(path), "--lifetimes-customers", str(peer)]
        runs["sample"] = _child("sample", [*common, "--sample", str(sample)])
        runs["lifetimes"] = _child("peer", common)
    write(n, runs, written_seconds, path.stat().st_size, (load, os.getloadavg()[0]), argv)
    return 0


# ----------------------------------------------------------------------------- the results

#: Row and bullet names, in the order of the table; a run replaces the rows it ran.
_NAMES = {
    "duckdb": "DuckDB",
    "spark": "Spark `local[2]`",
    "dask": "Dask `LocalCluster` (2 workers × 1 thread)",
    "sample": "Sample",
    "lifetimes": "lifetimes",
}
_MEMORY = {"spark": "JVM", "dask": "workers"}
_TABLE = [
    "| engine | native summary | crmkit summary | × native | fit (patterns → driver) "
    "| predict + write CLV | end to end (crmkit) | peak memory |",
    "|---|---:|---:|---:|---:|---:|---:|---|",
]
HEADER = """\
## Scale out: lifetime value from Parquet, in the engine

Transactions → summary → BG/NBD and Gamma-Gamma fits → per-customer CLV, end to end on DuckDB,
Spark `local[2]` and a Dask `LocalCluster` of two single-threaded worker processes
(`benchmarks/scale.py`; `make bench` runs the default 1M size, `python -m benchmarks scale
--size 100M` the large one). Only the distinct purchase patterns come back to the driver; the
predictions go back to the engine as a join on the pattern, and the engine writes the scored
customers to Parquet. "native summary" is the same summary written by hand for the engine (SQL
on DuckDB and Spark; on Dask a shuffle by customer and pandas group-bys on every partition),
checked equal to crmkit's on every customer. Peak memory is the driver's, and for Spark and Dask
also that of the engine's processes (the JVM; the nannies and workers together). The sample
check fits BG/NBD and Gamma-Gamma to 1,000,000 customers (all their transactions) from DuckDB's
patterns and in memory, and runs lifetimes on the same customers. See the guide *Scale out*
(`docs/guides/scale-out.md`).
"""


def _key(line: str) -> str | None:
    """The row or bullet a line of a section is (``duckdb``, …), or ``None``."""
    text = line.lstrip("|-* ").lower()
    for key, name in _NAMES.items():
        if text.startswith(name.split(" ")[0].lower()):
            return key
    return None


def _table_row(kind: str, run: dict[str, Any]) -> str:
    t = run["times"]
    if kind == "lifetimes":
        return (
            f"| lifetimes (pandas, the sample's {run['customers']:,} customers, "
            f"{run['transactions']:,} transactions) |  | {t['summary']:.1f} |  | {t['fit']:.1f} "
            f"| {t['predict']:.1f} (not written) | {sum(t.values()):.1f} | "
            f"{run['peak_driver_mb']:,.0f} MB |"
        )
    total = t["summary"] + t["fit"] + t["predict"]
    memory = f"driver {run['peak_driver_mb']:,.0f} MB"
    if run.get("peak_engine_mb"):
        memory += f", {_MEMORY[kind]} {run['peak_engine_mb']:,.0f} MB"
    return (
        f"| {_NAMES[kind]} | {t['native summary']:.1f} | {t['summary']:.1f} | "
        f"{t['summary'] / t['native summary']:.2f} | {t['fit']:.1f} | {t['predict']:.1f} | "
        f"{total:.1f} | {memory} |"
    )


def _bullet(kind: str, run: dict[str, Any], runs: dict[str, dict[str, Any]], how: str) -> str:
    if kind == "sample":
        t = run["times"]
        return (
            f"- Sample: the first {run['customers']:,} customers ({run['transactions']:,} "
            f"transactions), summarised into a DuckDB table in {t['summary']:.1f} s. crmkit's "
            f"BG/NBD and Gamma-Gamma fits from DuckDB's {run['patterns']:,} patterns "
            f"({t['engine fit']:.1f} s) equal its in-memory fits of the same customers — on a "
            f"pandas frame ({t['pandas fit']:.1f} s) to {run['engine_vs_pandas']:.1e}, on numpy "
            f"arrays ({t['arrays fit']:.1f} s) to {run['engine_vs_arrays']:.1e} (the largest "
            f"relative difference of a parameter). {how}"
        )
    if kind == "lifetimes":
        sample = runs["sample"]
        return (
            f"- lifetimes on the first {run['customers']:,} customers of the sample: its "
            f"parameters equal crmkit's (from DuckDB's patterns) to "
            f"{_largest_difference(sample['peer_params'], run['params']):.1e}; total 12-month "
            f"CLV crmkit ÷ lifetimes = {sample['peer_clv'] / run['total_clv']:.6f}. {how}"
        )
    c = run["check"]
    return (
        f"- {_NAMES[kind]}: crmkit's summary equals the native one on all {c['rows']:,} "
        f"customers (frequency, recency and T differences {c['frequency']:g}/{c['recency']:g}/"
        f"{c['T']:g}, monetary value within {c['monetary']:.1e}); total 12-month CLV "
        f"{run['total_clv']:,.0f}. {how}"
    )


def write(
    n: int,
    runs: dict[str, dict[str, Any]],
    written: float | None,
    nbytes: int,
    load: tuple[float, float],
    argv: list[str] | None,
) -> None:
    """Write this size's section of ``benchmarks/results/scale.md``.

    The rows and bullets of this run replace those of the same engine; those of engines not
    run now, and notes (HTML comments, other paragraphs), are kept; other sizes are kept.
    """
    command = " ".join(
        ["python -m benchmarks.scale", *(argv if argv is not None else sys.argv[1:])]
    )
    how = (
        f"Run: `.venv/bin/{command.strip()}`, load average {load[0]:.1f} at the start, "
        f"{load[1]:.1f} at the end."
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    sections = _sections(RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "")
    intro, rows, bullets, notes = _parse(sections.get(n, ""))
    engines = [k for k in runs if k in _ENGINES]
    if engines:
        first = runs[engines[0]]
        intro = (
            f"Data: {n:,} transactions of {first['customers']:,} customers, "
            f"{nbytes / 2**20:,.0f} MB of Parquet"
            + (f", written by the benchmark in {written:.0f} s" if written is not None else "")
            + f"; {first['patterns']:,} distinct (frequency, recency, T) patterns in weeks. "
            f"Machine: {platform.machine()}, 2 cores shared with other jobs, Python "
            f"{platform.python_version()}. Every step runs once (a cold, end-to-end pipeline); "
            "seconds are wall time."
        )
    for kind, run in runs.items():
        if kind != "sample":
            rows[kind] = _table_row(kind, run)
        bullets[kind] = _bullet(kind, run, runs, how)
    sections[n] = _render(n, intro, rows, bullets, notes)
    RESULTS.write_text(HEADER + "\n" + "\n".join(sections[k] for k in sorted(sections)),
                       encoding="utf-8")  # fmt: skip


def _render(
    n: int, intro: str, rows: dict[str, str], bullets: dict[str, str], notes: list[str]
) -> str:
    """A size's section: data paragraph, table, bullets (in :data:`_NAMES` order), notes."""
    order = list(_NAMES)
    lines = [f"### {_label(n)} transactions", "", *([intro, ""] if intro else []), *_TABLE]
    lines += [rows[k] for k in sorted(rows, key=order.index)]
    if bullets:
        lines += ["", *(bullets[k] for k in sorted(bullets, key=order.index))]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines) + "\n"


def _parse(section: str) -> tuple[str, dict[str, str], dict[str, str], list[str]]:
    """A section's data paragraph, table rows and bullets by engine, and its other notes.

    A section in the earlier layout (one ``Command:`` and ``Machine:`` line, one ``Checks:``
    paragraph for every engine) is read into the new one: its checks become the bullets of
    its engines, each naming that command.
    """
    intro, notes = "", list[str]()
    rows: dict[str, str] = {}
    bullets: dict[str, str] = {}
    command = ""
    for line in section.splitlines()[1:]:
        key = _key(line)
        if not line.strip():
            if notes and notes[-1]:
                notes.append("")  # the end of a note's paragraph
            continue
        if line.startswith(("| engine", "|---")):
            continue
        if line.startswith("|") and key is not None:
            rows[key] = line
        elif line.startswith("- ") and key is not None:
            bullets[key] = line
        elif line.startswith("Data:"):
            intro = line
        elif line.startswith("Command:"):
            command = line.removeprefix("Command:").strip()
        elif line.startswith("Machine:"):  # "Machine: …, Python 3.11.7. Data: …"
            machine, _, data = line.partition(" Data: ")
            intro = f"Data: {data}" if data else intro
            load = re.search(r"\(load average [^)]*\)", machine)
            command += f" {load.group(0)}" if load else ""
        elif line.startswith("Checks:"):
            engines, _, peer = line.removeprefix("Checks:").strip().partition(" On the ")
            for item in re.split(r"; (?=DuckDB|Spark|Dask)", engines.rstrip(".")):
                if (found := _key(item)) is not None:
                    bullets[found] = f"- {item}. Run: {command}."
            if peer:
                bullets["lifetimes"] = f"- lifetimes: on the {peer} Run: {command}."
        else:
            notes.append(line)
    while notes and not notes[-1]:
        notes.pop()
    return intro, rows, bullets, notes


def _sections(text: str) -> dict[int, str]:
    out: dict[int, str] = {}
    for part in text.split("\n### ")[1:]:
        title = part.split(" transactions", 1)[0]
        out[parse_size(title)] = "### " + part.strip() + "\n"
    return out


if __name__ == "__main__":
    raise SystemExit(main())
