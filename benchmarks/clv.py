"""Lifetime-value benchmark: crmkit.clv side by side with lifetimes (and pymc-marketing).

Run: ``.venv/bin/python -m benchmarks.clv`` (``--quick`` uses 100k simulated customers
instead of 1M). Writes ``benchmarks/results/clv.md`` (``--pareto-only``: only the Pareto/NBD rows,
to ``benchmarks/results/clv-pareto.md``; ``--cpu``: CPU time instead of wall time).

``--baseline REV`` also times ``crmkit.clv`` as of git revision ``REV`` (read with
``git show`` into a temporary package, nothing in the checkout changes) on the same data in the
same run, for a before/after column.

pymc-marketing (the ``pymc`` extra, part of ``dev``) times its MAP fit on CDNOW in a
subprocess of this interpreter (``$PYMC_VENV`` names another virtualenv with it instead).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import io
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")

import lifetimes  # noqa: E402
from lifetimes import (  # noqa: E402
    BetaGeoBetaBinomFitter,
    BetaGeoFitter,
    GammaGammaFitter,
    ModifiedBetaGeoFitter,
    ParetoNBDFitter,
)
from lifetimes.datasets import load_donations  # noqa: E402
from lifetimes.utils import summary_data_from_transaction_data  # noqa: E402

from crmkit.clv import (  # noqa: E402
    BetaGeo,
    BetaGeoBetaBinomial,
    GammaGamma,
    ModifiedBetaGeo,
    ParetoNBD,
    customer_lifetime_value,
    simulate_beta_geo,
    summarise,
)

DATASETS = Path(lifetimes.__file__).parent / "datasets"
RESULTS = Path(__file__).parent / "results" / "clv.md"
Row = tuple[str, str, float | None, float, float | None, str]
NOTES = [
    "Notes: *max rel. diff* is the largest relative difference between crmkit's and "
    "lifetimes' estimates (lifetimes stops BFGS at tol 1e-7, so ~1e-6 is its own precision). "
    "The BG/NBD fit is Newton's method with the exact Hessian from a loose BFGS start (on a "
    "20,000-pattern sub-sample above 100,000 distinct patterns): two full likelihood "
    "evaluations on 1M customers. Timings on this shared machine vary up to 2× between runs; "
    "compare within a run.",
]


def with_kept_notes(text: str, previous: str) -> str:
    """``text`` (this run's table and :data:`NOTES`) followed by what ``previous`` (the results
    file before the run) has after its :data:`NOTES`: the notes of earlier rounds, which a run
    keeps.

    Examples:
        >>> notes = "\\n".join(NOTES)
        >>> with_kept_notes(f"new\\n\\n{notes}\\n", f"old\\n\\n{notes}\\n\\nKept.\\n").split("\\n")[-2]
        'Kept.'
        >>> with_kept_notes("new\\n", "").endswith("new\\n")
        True
    """
    notes = "\n".join(NOTES)
    at = previous.find(notes)
    kept = previous[at + len(notes) :].strip("\n") if at >= 0 else ""
    return text.rstrip("\n") + "\n" + (f"\n{kept}\n" if kept else "")


PYMC_SCRIPT = """
import time, warnings, sys
warnings.filterwarnings("ignore")
import pandas as pd
from pymc_marketing.clv import BetaGeoModel
df = pd.read_csv(sys.argv[1]).rename(columns={"ID": "customer_id"})
times = []
for _ in range(2):
    t = time.perf_counter()
    m = BetaGeoModel(data=df[["customer_id", "frequency", "recency", "T"]])
    m.fit(method="map", progressbar=False)
    times.append(time.perf_counter() - t)
post = m.fit_result  # MAP: one chain, one draw
est = {k: float(post[k].values.ravel()[0]) for k in ("r", "alpha", "a", "b")}
print(times[0], times[1], est["r"], est["alpha"], est["a"], est["b"])
"""


def load_baseline(rev: str) -> Any:
    """``crmkit.clv`` as of git revision ``rev``, imported as the package ``baseline_clv``."""
    root = Path(__file__).resolve().parents[1]

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              check=True).stdout  # fmt: skip

    target = Path(tempfile.mkdtemp(prefix="crmkit-baseline-")) / "baseline_clv"
    target.mkdir()
    for name in git("ls-tree", "--name-only", f"{rev}:src/crmkit/clv").split():
        if name.endswith(".py"):
            text = git("show", f"{rev}:src/crmkit/clv/{name}")
            text = text.replace("crmkit.clv.", "baseline_clv.")
            text = text.replace("from crmkit.clv import", "from baseline_clv import")
            (target / name).write_text(text)
    sys.path.insert(0, str(target.parent))
    return importlib.import_module("baseline_clv")


#: the clock of every timing: wall time, or with ``--cpu`` the process's CPU time (steadier on
#: a shared machine; it counts the time of every thread)
CLOCK: list[Callable[[], float]] = [time.perf_counter]


def best(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Best time of ``repeat`` runs (on :data:`CLOCK`) and the last result."""
    times, out = [], None
    clock = CLOCK[0]
    for _ in range(repeat):
        start = clock()
        out = fn()
        times.append(clock() - start)
    return min(times), out


#: rounds of the 1M Pareto/NBD prediction timings (each times lifetimes, crmkit, baseline)
PREDICTION_REPEAT = 5


def in_turn(fns: list[Callable[[], Any]], rounds: int) -> list[tuple[float, Any]]:
    """Each function's best time (on :data:`CLOCK`) and last result over ``rounds`` rounds
    that run them in turn: the machine's load changes between rounds, not between the
    contenders of one."""
    runs = [[best(fn, 1) for fn in fns] for _ in range(rounds)]
    return [(min(r[i][0] for r in runs), runs[-1][i][1]) for i in range(len(fns))]


#: customers in the random sample lifetimes' Pareto/NBD fit is timed on, for the 1M estimate
PARETO_SAMPLE = 30_000


def lifetimes_fit_extrapolated(fx: Any, ftx: Any, fT: Any) -> tuple[float, str]:
    """lifetimes' Pareto/NBD fit time on all customers, extrapolated from one fit on a seeded
    random sample of :data:`PARETO_SAMPLE`: its likelihood is a sum over customers (each
    Nelder-Mead evaluation costs in proportion to them), so the sample's time × n / sample,
    assuming as many evaluations as on the sample (its ``verbose`` output counts them)."""
    n = fx.shape[0]
    size = min(PARETO_SAMPLE, n)
    rows = np.random.default_rng(5).choice(n, size, replace=False)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        sample_time, _ = best(
            lambda: ParetoNBDFitter().fit(fx[rows], ftx[rows], fT[rows], verbose=True), 1
        )
    evaluations = re.findall(r"Function evaluations: (\d+)", printed.getvalue())
    estimate = sample_time * n / size
    return estimate, (
        f"lifetimes **extrapolated**: its fit on a random {size:,}-customer sample "
        f"({sample_time:.1f} s, {'/'.join(evaluations) or '?'} Nelder-Mead evaluations) "
        f"× {n / size:.1f} (full fit: --pareto-lifetimes-fit, hours)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100k simulated customers")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline", metavar="REV", help="also time crmkit.clv at git REV")
    parser.add_argument("--pareto-lifetimes-fit", action="store_true",
                        help="also time lifetimes' Pareto/NBD fit on the simulated customers")  # fmt: skip
    parser.add_argument("--pareto-only", action="store_true",
                        help="only the Pareto/NBD rows (CDNOW fit, simulated fit and predictions)")  # fmt: skip
    parser.add_argument("--cpu", action="store_true",
                        help="time CPU (time.process_time) instead of wall time")  # fmt: skip
    args = parser.parse_args()
    if args.cpu:
        CLOCK[0] = time.process_time
    n_sim = 100_000 if args.quick else 1_000_000
    rows: list[Row] = []
    old = load_baseline(args.baseline) if args.baseline else None
    before: dict[str, float] = {}

    def add(task: str, size: str, ours: float, theirs: float | None, note: str = "") -> None:
        rows.append((task, size, before.pop(task, None), ours, theirs, note))
        ratio = f"{theirs / ours:.1f}×" if theirs else "—"
        print(f"{task:<44} {size:>10}  crmkit {ours:8.4f}s  peer {theirs or float('nan'):8.4f}s"
              f"  {ratio}  {note}")  # fmt: skip

    def baseline(task: str, fn: Callable[[Any], Any], repeat: int) -> None:
        if old is not None:
            before[task], _ = best(lambda: fn(old), repeat)

    summary = pd.read_csv(DATASETS / "cdnow_customers_summary_with_transactions.csv")
    x, tx, age, mv = (summary[c].to_numpy() for c in ("x", "t_x", "T", "zbar"))
    data = {"frequency": x, "recency": tx, "T": age, "monetary_value": mv}

    if not args.pareto_only:  # the summary step
        # ---- summary step on CDNOW_master (69,659 transactions)
        master = pd.read_csv(DATASETS / "CDNOW_master.txt", sep=r"\s+", header=0,
                             names=["customer_id", "date", "cds", "value"], dtype={"date": str})  # fmt: skip
        master["date"] = pd.to_datetime(master["date"], format="%Y%m%d")
        import polars as pl

        master_pl = pl.from_pandas(master)
        records = [
            {"customer_id": c, "ordered_at": d.date(), "value": v}
            for c, d, v in zip(master["customer_id"], master["date"], master["value"], strict=True)
        ]
        opts = {"customer": "customer_id", "amount": "value", "time_unit": "weeks",
                "as_of": date(1998, 6, 30)}  # fmt: skip
        # the baseline release reads the names from before the vocabulary (value, observation_end)
        old_opts = {"customer": "customer_id", "value": "value", "time_unit": "weeks",
                    "observation_end": date(1998, 6, 30)}  # fmt: skip
        t_theirs, _ = best(lambda: summary_data_from_transaction_data(
            master, "customer_id", "date", "value", observation_period_end="1998-06-30", freq="W"),
            args.repeat)  # fmt: skip
        t_rec, _ = best(lambda: summarise(records, **opts), args.repeat)
        baseline("summary (records, pure Python)", lambda m: m.summarise(records, **old_opts),
                 args.repeat)  # fmt: skip
        t_pl, _ = best(
            lambda: summarise(master_pl.lazy(), date_field="date", **opts).collect(), args.repeat
        )
        add("summary (records, pure Python)", "69,659 tx", t_rec, t_theirs)
        add("summary (Polars LazyFrame)", "69,659 tx", t_pl, t_theirs)

    # ---- CDNOW fits
    if not args.pareto_only:
        t_theirs, bgf = best(lambda: BetaGeoFitter().fit(x, tx, age), args.repeat)
        t_ours, bg = best(lambda: BetaGeo.fit(data, time_unit="weeks"), args.repeat)
        baseline("BG/NBD fit", lambda m: m.BetaGeo.fit(data, time_unit="weeks"), args.repeat)
        diff = max(abs(getattr(bg, k) / bgf.params_[k] - 1) for k in ("r", "alpha", "a", "b"))
        add("BG/NBD fit", "2,357", t_ours, t_theirs, f"max rel. diff of estimates {diff:.1e}")
    fits = [lambda: ParetoNBDFitter().fit(x, tx, age), lambda: ParetoNBD.fit(data)]
    if old is not None:
        fits.append(lambda: old.ParetoNBD.fit(data))
    (t_theirs, pnf), (t_ours, pn), *was = in_turn(fits, max(1, args.repeat // 2))
    if was:
        before["Pareto/NBD fit"] = was[0][0]
    diff = max(abs(getattr(pn, k) / pnf.params_[k] - 1) for k in ("r", "alpha", "s", "beta"))
    add("Pareto/NBD fit", "2,357", t_ours, t_theirs, f"max rel. diff {diff:.1e}")
    if not args.pareto_only:
        rep = x > 0
        t_theirs, _ = best(lambda: GammaGammaFitter().fit(x[rep], mv[rep]), args.repeat)
        t_ours, gg = best(lambda: GammaGamma.fit(data), args.repeat)
        add("Gamma-Gamma fit", "946", t_ours, t_theirs)
        t_theirs, mbgf = best(lambda: ModifiedBetaGeoFitter().fit(x, tx, age), args.repeat)
        t_ours, mbg = best(lambda: ModifiedBetaGeo.fit(data, time_unit="weeks"), args.repeat)
        diff = max(abs(getattr(mbg, k) / mbgf.params_[k] - 1) for k in ("r", "alpha", "a", "b"))
        add("MBG/NBD fit", "2,357", t_ours, t_theirs, f"max rel. diff {diff:.1e}")
        t_theirs, _ = best(
            lambda: mbgf.conditional_expected_number_of_purchases_up_to_time(39, x, tx, age), 20
        )
        t_ours, _ = best(lambda: mbg.conditional_expected_purchases(39, x, tx, age), 20)
        add("MBG/NBD conditional expected purchases", "2,357", t_ours, t_theirs)
        donations = load_donations()
        dx, dtx, dn, dw = (donations[c].to_numpy() for c in ("frequency", "recency", "periods",
                                                              "weights"))  # fmt: skip
        t_theirs, bbf = best(lambda: BetaGeoBetaBinomFitter().fit(dx, dtx, dn, weights=dw),
                             args.repeat)  # fmt: skip
        t_ours, bb = best(
            lambda: BetaGeoBetaBinomial.fit(donations, weights="weights"), args.repeat
        )
        names = ("alpha", "beta", "gamma", "delta")
        diff = max(abs(getattr(bb, k) / bbf.params_[k] - 1) for k in names)
        add("BG/BB fit (donations, 22 patterns)", "11,104", t_ours, t_theirs,
            f"max rel. diff {diff:.1e}")  # fmt: skip
        for k in names:
            bbf.params_[k] = getattr(bb, k)
        ex, etx, en = (np.repeat(v, dw.astype(int)) for v in (dx, dtx, dn))  # one row per donor
        t_theirs, _ = best(
            lambda: bbf.conditional_expected_number_of_purchases_up_to_time(5, ex, etx, en), 20
        )
        t_ours, _ = best(lambda: bb.conditional_expected_purchases(5, ex, etx, en), 20)
        add("BG/BB conditional expected purchases", "11,104", t_ours, t_theirs)
        for k in ("r", "alpha", "a", "b"):
            bgf.params_[k] = getattr(bg, k)
        t_theirs, _ = best(
            lambda: bgf.conditional_expected_number_of_purchases_up_to_time(39, x, tx, age), 20
        )
        t_ours, _ = best(lambda: bg.conditional_expected_purchases(39, x, tx, age), 20)
        add("BG/NBD conditional expected purchases", "2,357", t_ours, t_theirs)
        ggf = GammaGammaFitter()
        ggf.params_ = pd.Series({"p": gg.p, "q": gg.q, "v": gg.v})
        frame = pd.DataFrame(data)
        t_theirs, _ = best(lambda: ggf.customer_lifetime_value(
            bgf, frame["frequency"], frame["recency"], frame["T"], frame["monetary_value"],
            time=12, freq="W"), 3)  # fmt: skip
        t_ours, _ = best(lambda: customer_lifetime_value(bg, gg, x, tx, age, mv, months=12), 3)
        add("CLV, 12 months", "2,357", t_ours, t_theirs)

    # ---- simulated customers
    true = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426)
    rng = np.random.default_rng(1)
    sim = simulate_beta_geo(true, rng.uniform(1.0, 78.0, size=n_sim), seed=2)
    size = f"{n_sim:,}"
    fx, ftx, fT = sim["frequency"], sim["recency"], sim["T"]
    if not args.pareto_only:
        t_ours, big = best(lambda: BetaGeo.fit(sim), 2)
        baseline("BG/NBD fit (simulated, distinct patterns)", lambda m: m.BetaGeo.fit(sim), 2)
        start = time.perf_counter()
        big_theirs = BetaGeoFitter().fit(sim["frequency"], sim["recency"], sim["T"])
        t_theirs = time.perf_counter() - start
        diff = max(
            abs(getattr(big, k) / big_theirs.params_[k] - 1) for k in ("r", "alpha", "a", "b")
        )
        add("BG/NBD fit (simulated, distinct patterns)", size, t_ours, t_theirs,
            f"one lifetimes fit; max rel. diff {diff:.1e}")  # fmt: skip
        weekly = {k: np.round(v) for k, v in sim.items()}
        t_ours, _ = best(lambda: BetaGeo.fit(weekly), 2)
        baseline("BG/NBD fit (simulated, whole weeks)", lambda m: m.BetaGeo.fit(weekly), 2)
        start = time.perf_counter()
        BetaGeoFitter().fit(weekly["frequency"], weekly["recency"], weekly["T"])
        t_theirs = time.perf_counter() - start
        add("BG/NBD fit (simulated, whole weeks)", size, t_ours, t_theirs,
            "crmkit merges repeated patterns")  # fmt: skip
        for k in ("r", "alpha", "a", "b"):
            big_theirs.params_[k] = getattr(big, k)
        t_theirs, _ = best(
            lambda: big_theirs.conditional_expected_number_of_purchases_up_to_time(39, fx, ftx, fT),
            2,
        )
        t_ours, _ = best(lambda: big.conditional_expected_purchases(39, fx, ftx, fT), 2)
        add("BG/NBD conditional expected purchases", size, t_ours, t_theirs)

    # ---- Pareto/NBD on the same simulated customers (native contender: lifetimes'
    # ParetoNBDFitter with crmkit's estimates, outputs checked equal before timing)
    t_ours, pn_big = best(lambda: ParetoNBD.fit(sim), 1)
    baseline("Pareto/NBD fit (simulated, distinct patterns)", lambda m: m.ParetoNBD.fit(sim), 1)
    if args.pareto_lifetimes_fit:  # lifetimes' Nelder-Mead takes hours at this size
        t_fit: float | None
        t_fit, pn_theirs = best(lambda: ParetoNBDFitter().fit(fx, ftx, fT), 1)
        diff = max(abs(getattr(pn_big, k) / pn_theirs.params_[k] - 1)
                   for k in ("r", "alpha", "s", "beta"))  # fmt: skip
        fit_note = f"one lifetimes fit; max rel. diff {diff:.1e}"
    else:  # extrapolated from lifetimes' fit on a random sample (labelled as such)
        t_fit, fit_note = lifetimes_fit_extrapolated(fx, ftx, fT)
    add("Pareto/NBD fit (simulated, distinct patterns)", size, t_ours, t_fit, fit_note)
    pn_theirs = ParetoNBDFitter()
    pn_theirs.params_ = pd.Series({k: getattr(pn_big, k) for k in ("r", "alpha", "s", "beta")})
    pn_params = {k: getattr(pn_big, k) for k in ("r", "alpha", "s", "beta")}
    for task, ours_fn, theirs_fn, old_fn in (
        ("Pareto/NBD conditional expected purchases",
         lambda: pn_big.conditional_expected_purchases(39, fx, ftx, fT),
         lambda: pn_theirs.conditional_expected_number_of_purchases_up_to_time(39, fx, ftx, fT),
         lambda m: m.ParetoNBD(**pn_params).conditional_expected_purchases(39, fx, ftx, fT)),
        ("Pareto/NBD probability alive",
         lambda: pn_big.probability_alive(fx, ftx, fT),
         lambda: pn_theirs.conditional_probability_alive(fx, ftx, fT),
         lambda m: m.ParetoNBD(**pn_params).probability_alive(fx, ftx, fT)),
    ):  # fmt: skip
        np.testing.assert_allclose(ours_fn(), theirs_fn(), rtol=1e-6)
        contenders = [theirs_fn, ours_fn] + ([lambda f=old_fn: f(old)] if old is not None else [])
        times = [t for t, _ in in_turn(contenders, PREDICTION_REPEAT)]
        if old is not None:
            before[task] = times[2]
        add(task, size, times[1], times[0], "outputs equal to rtol 1e-6")

    # ---- pymc-marketing (this interpreter, or the virtualenv $PYMC_VENV)
    pymc_note = "pymc-marketing not run (--pareto-only)"
    if not args.pareto_only:
        venv = os.environ.get("PYMC_VENV")
        python = Path(venv) / "bin" / "python" if venv else Path(sys.executable)
        found = venv is not None or importlib.util.find_spec("pymc_marketing") is not None
        pymc_note = f"pymc-marketing not run: not installed for {python}"
        if found and python.exists():
            try:
                out = subprocess.run(
                    [str(python), "-c", PYMC_SCRIPT,
                     str(DATASETS / "cdnow_customers_summary.csv")],
                    capture_output=True, text=True, timeout=900, check=True,
                )  # fmt: skip
                first, warm, *est = (float(v) for v in out.stdout.split()[-6:])
                t_ours = min(r[3] for r in rows if r[0] == "BG/NBD fit")
                before.pop("BG/NBD fit vs pymc-marketing MAP (warm)", None)
                add("BG/NBD fit vs pymc-marketing MAP (warm)", "2,357", t_ours, warm,
                    f"first call {first:.1f}s; MAP r {est[0]:.4f} α {est[1]:.4f} a {est[2]:.4f} "
                    f"b {est[3]:.4f}")  # fmt: skip
                pymc_note = "pymc-marketing 0.19.2 (MAP) in a subprocess"
            except (subprocess.SubprocessError, ValueError) as exc:
                pymc_note = f"pymc-marketing run failed: {exc}"

    write(rows, args, n_sim, pymc_note)


def write(rows: list[Row], args: Any, n: int, pymc_note: str) -> None:
    """Write the Markdown results section."""
    command = ".venv/bin/python -m benchmarks.clv" + (" --quick" if args.quick else "")
    command += (" --pareto-only" if args.pareto_only else "") + (" --cpu" if args.cpu else "")
    if args.baseline:
        command += f" --baseline {args.baseline}"
    if args.repeat != 5:
        command += f" --repeat {args.repeat}"
    lines = [
        "## Lifetime value (`crmkit.clv`)",
        "",
        f"Command: `{command}` — {'CPU' if args.cpu else 'wall'} time, best of {args.repeat} "
        f"runs for CDNOW (Pareto/NBD fits: best of {max(1, args.repeat // 2)} rounds that time "
        "lifetimes, crmkit and crmkit before in turn), best of 2 for crmkit "
        f"on {n:,} simulated customers (one lifetimes fit; Pareto/NBD predictions: best of "
        f"{PREDICTION_REPEAT} rounds that time lifetimes, crmkit and crmkit before in turn). "
        f"Machine: {platform.machine()}, "
        f"Python {platform.python_version()}, {os.cpu_count()} cores shared with other jobs; "
        f"numpy {np.__version__}, pandas {pd.__version__}, lifetimes {lifetimes.__version__}. "
        f"{pymc_note}."
        + (
            f" *crmkit before* is `crmkit.clv` at git revision `{args.baseline}`, timed in the "
            "same run on the same data."
            if args.baseline
            else ""
        ),
        "",
    ]
    if args.baseline:
        lines += [
            "| task | size | crmkit before (s) | crmkit (s) | peer (s) | peer / crmkit | note |",
            "|---|---:|---:|---:|---:|---:|---|",
        ]
    else:
        lines += [
            "| task | size | crmkit (s) | peer (s) | peer / crmkit | note |",
            "|---|---:|---:|---:|---:|---|",
        ]
    for task, size, old, ours, theirs, note in rows:
        ratio = f"{theirs / ours:.1f}×" if theirs else "—"
        peer = f"{theirs:.4f}" if theirs else "—"
        cells = [task, size] + ([f"{old:.4f}" if old else "—"] if args.baseline else [])
        cells += [f"{ours:.4f}", peer, ratio, note]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", *NOTES, ""]
    # the Pareto/NBD rows alone do not replace the full table
    path = RESULTS.with_name("clv-pareto.md") if args.pareto_only else RESULTS
    path.parent.mkdir(parents=True, exist_ok=True)
    previous = path.read_text(encoding="utf-8") if path.exists() else ""
    path.write_text(with_kept_notes("\n".join(lines), previous), encoding="utf-8")
    print(f"\nwrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
