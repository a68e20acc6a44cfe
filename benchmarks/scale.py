"""Scale-out benchmark: transactions in Parquet → summary → fit → per-customer CLV, in the engine.

Run: ``.venv/bin/python -m benchmarks.scale`` (1,000,000 transactions; ``--quick`` 100,000;
``--size 100M`` for the warehouse-scale run, also ``python -m benchmarks scale --size 100M``).
Writes ``benchmarks/results/scale.md`` (one section per size).

The benchmark writes the transactions itself, in chunks of simulated BG/NBD-like customers
(gamma purchase rates, beta drop-out, two years of days, amounts in cents) to one Parquet file
under ``--data`` (reused when it exists). Then, for DuckDB and for PySpark ``local[2]``, each in
a fresh subprocess so its peak memory is its own:

1. the summary (``frequency``, ``recency``, ``T``, ``monetary_value`` in weeks) with
   :func:`crmkit.clv.summarise`, stored in the engine (a DuckDB table, a Parquet directory
   for Spark), side by side with the engine's native SQL for the same summary (checked equal);
2. the fits — BG/NBD and Gamma-Gamma on the summary, which the engine compresses to its
   distinct patterns (only those come back to the driver);
3. :func:`crmkit.clv.predict_frame` joined back to every customer and written to Parquet by
   the engine.

Peak memory: the driver's peak resident set (``resource.getrusage``) and, for Spark, the peak
of the JVM sampled with psutil. lifetimes runs the same pipeline on pandas at
``--lifetimes-size`` transactions (default: the size, at most 1M), and crmkit's fits from
the engine's patterns are compared with crmkit's in-memory fit and lifetimes' on that sample.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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
        "peak_driver_mb": _peak_mb(), "peak_jvm_mb": None,
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


class _JvmPeak:
    """Samples the resident memory of this process's child processes (the JVM)."""

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
    from pyspark.sql import SparkSession

    from crmkit.clv import BetaGeo, GammaGamma, predict_frame, summarise

    jvm = _JvmPeak()
    spark = (
        SparkSession.builder.master("local[2]").appName("crmkit-scale")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "16")
        .config("spark.driver.memory", "6g").config("spark.sql.session.timeZone", "UTC")
        .config("spark.local.dir", str(out / "spark.tmp"))
        .getOrCreate()
    )  # fmt: skip
    spark.sparkContext.setLogLevel("ERROR")
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
        "peak_driver_mb": _peak_mb(), "peak_jvm_mb": jvm.stop(),
    }  # fmt: skip


# ----------------------------------------------------------------------------- lifetimes


def run_lifetimes(data: Path, n: int) -> dict[str, Any]:
    """lifetimes on the first ``n`` transactions, and crmkit's fits on the same sample."""
    import duckdb
    import pandas as pd
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.utils import summary_data_from_transaction_data

    from crmkit.clv import BetaGeo, GammaGamma, predict_frame, summarise

    frame = duckdb.sql(f"select * from read_parquet('{data}') limit {n}").df()
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

    # crmkit: in-memory fit (numpy arrays of the summary) vs the fit from DuckDB's patterns
    rel = duckdb.sql(f"select * from read_parquet('{data}') limit {n}")
    engine_summary = summarise(rel, customer="customer_id", date_field="ordered_at",
                               amount="amount", as_of=AS_OF)  # fmt: skip
    arrays = {c: np.asarray(v) for c, v in engine_summary.df().to_dict("list").items()}
    in_memory = BetaGeo.fit(arrays, time_unit="weeks"), GammaGamma.fit(arrays)
    engine = BetaGeo.fit(engine_summary, time_unit="weeks"), GammaGamma.fit(engine_summary)
    ours = predict_frame(engine_summary, *engine).df()
    differences = {
        name: abs(getattr(e, name) / getattr(m, name) - 1)
        for e, m in zip(engine, in_memory, strict=True) for name in type(e).PARAMETERS
    }  # fmt: skip
    theirs = {**dict(bgf.params_), **dict(ggf.params_)}
    versus = {k: abs(_params_of(engine)[k] / theirs[k] - 1) for k in theirs}
    return {
        "times": times, "customers": len(summary), "transactions": n,
        "engine_vs_in_memory": max(differences.values()),
        "crmkit_vs_lifetimes": max(versus.values()),
        "clv_ratio": float(ours["lifetime_value"].sum() / clv.sum()),
        "peak_driver_mb": _peak_mb(),
    }  # fmt: skip


def _params(model: Any) -> dict[str, float]:
    return {name: float(getattr(model, name)) for name in type(model).PARAMETERS}


def _params_of(models: tuple[Any, ...]) -> dict[str, float]:
    out: dict[str, float] = {}
    for model in models:
        out |= _params(model)
    return out


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ----------------------------------------------------------------------------- driver


def _child(kind: str, args: list[str]) -> dict[str, Any]:
    command = [sys.executable, "-m", "benchmarks.scale", "--run", kind, *args]
    print(f"  $ {' '.join(command[1:])}", flush=True)
    t0 = time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - t0
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="1M", help="transactions: 1M (default), 10M, 100M")
    parser.add_argument("--quick", action="store_true", help="100k transactions")
    parser.add_argument("--lifetimes-size", default=None, help="default: the size, at most 1M")
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--data", default=os.path.join(tempfile.gettempdir(), "crmkit-scale"))
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run:  # a child: one engine, result as JSON on the last line
        runner = {"duckdb": run_duckdb, "spark": run_spark}.get(args.run)
        if runner is not None:
            result = runner(Path(args.file), Path(args.out))
        else:
            result = run_lifetimes(Path(args.file), parse_size(args.lifetimes_size))
        print(json.dumps(result, default=float))
        return 0

    n = parse_size("100k" if args.quick else args.size)
    small = parse_size(args.lifetimes_size) if args.lifetimes_size else min(n, 1_000_000)
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
    out = Path(tempfile.mkdtemp(prefix="crmkit-scale-out-", dir=data))
    runs = {}
    for kind in args.engines.split(","):
        runs[kind] = _child(kind, ["--file", str(path), "--out", str(out)])
    runs["lifetimes"] = _child("lifetimes", ["--file", str(path), "--lifetimes-size", str(small)])
    write(n, runs, written_seconds, path.stat().st_size, (load, os.getloadavg()[0]), argv)
    return 0


_ENGINE_NAMES = {"duckdb": "DuckDB", "spark": "Spark `local[2]`"}


def write(
    n: int,
    runs: dict[str, dict[str, Any]],
    written: float | None,
    nbytes: int,
    load: tuple[float, float],
    argv: list[str] | None,
) -> None:
    """Write this size's section of ``benchmarks/results/scale.md`` (other sizes are kept)."""
    command = " ".join(
        ["python -m benchmarks.scale", *(argv if argv is not None else sys.argv[1:])]
    )
    first = next(r for k, r in runs.items() if k != "lifetimes")
    lt = runs["lifetimes"]
    lines = [
        f"### {_label(n)} transactions",
        "",
        f"Command: `.venv/bin/{command.strip()}`  ",
        f"Machine: {platform.machine()}, 2 cores shared with other jobs (load average "
        f"{load[0]:.1f} at the start, {load[1]:.1f} at the end), Python "
        f"{platform.python_version()}. Data: {n:,} transactions of {first['customers']:,} "
        f"customers, {nbytes / 2**20:,.0f} MB of Parquet"
        + (f", written by the benchmark in {written:.0f} s" if written is not None else "")
        + f"; {first['patterns']:,} distinct (frequency, recency, T) patterns in weeks. "
        "Every step runs once (a cold, end-to-end pipeline); seconds are wall time.",
        "",
        "| engine | native summary SQL | crmkit summary | × native | fit (patterns → driver) "
        "| predict + write CLV | end to end (crmkit) | peak memory |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for kind, run in runs.items():
        if kind == "lifetimes":
            continue
        t = run["times"]
        total = t["summary"] + t["fit"] + t["predict"]
        memory = f"driver {run['peak_driver_mb']:,.0f} MB"
        if run["peak_jvm_mb"]:
            memory += f", JVM {run['peak_jvm_mb']:,.0f} MB"
        lines.append(
            f"| {_ENGINE_NAMES[kind]} | {t['native summary']:.1f} | {t['summary']:.1f} | "
            f"{t['summary'] / t['native summary']:.2f} | {t['fit']:.1f} | {t['predict']:.1f} | "
            f"{total:.1f} | {memory} |"
        )
    lt_total = sum(lt["times"].values())
    lines.append(
        f"| lifetimes (pandas, {lt['transactions']:,} transactions, {lt['customers']:,} "
        f"customers) |  | {lt['times']['summary']:.1f} |  | {lt['times']['fit']:.1f} | "
        f"{lt['times']['predict']:.1f} (not written) | {lt_total:.1f} | "
        f"{lt['peak_driver_mb']:,.0f} MB |"
    )
    checks = []
    for kind, run in runs.items():
        if kind == "lifetimes":
            continue
        c = run["check"]
        checks.append(
            f"{_ENGINE_NAMES[kind]}: crmkit's summary equals the native query on all "
            f"{c['rows']:,} customers (frequency, recency and T differences "
            f"{c['frequency']:g}/{c['recency']:g}/{c['T']:g}, monetary value within "
            f"{c['monetary']:.1e}); total 12-month CLV {run['total_clv']:,.0f}"
        )
    lines += [
        "",
        "Checks: " + "; ".join(checks) + ". "
        f"On the lifetimes sample, crmkit's fits from the engine's patterns equal its "
        f"in-memory fit to {lt['engine_vs_in_memory']:.1e} (largest relative difference of "
        f"a parameter) and lifetimes' to {lt['crmkit_vs_lifetimes']:.1e}; total CLV crmkit ÷ "
        f"lifetimes = {lt['clv_ratio']:.6f}.",
        "",
    ]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    sections = _sections(RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "")
    sections[n] = "\n".join(lines)
    header = (
        "## Scale out: lifetime value from Parquet, in the engine\n\n"
        "Transactions → summary → BG/NBD and Gamma-Gamma fits → per-customer CLV, end to end "
        "on DuckDB and on Spark `local[2]` (`benchmarks/scale.py`; `make bench` runs the default "
        "1M size, `python -m benchmarks scale --size 100M` the large one). Only the distinct "
        "purchase patterns come back to the driver; the predictions go back to the engine as "
        "a join on the pattern, and the engine writes the scored customers to Parquet. See the "
        "guide *Scale out* (`docs/guides/scale-out.md`).\n"
    )
    RESULTS.write_text(header + "\n" + "\n".join(sections[k] for k in sorted(sections)),
                       encoding="utf-8")  # fmt: skip


def _sections(text: str) -> dict[int, str]:
    out: dict[int, str] = {}
    for part in text.split("\n### ")[1:]:
        title = part.split(" transactions", 1)[0]
        out[parse_size(title)] = "### " + part.strip() + "\n"
    return out


if __name__ == "__main__":
    raise SystemExit(main())
