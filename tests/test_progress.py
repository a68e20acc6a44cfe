"""Progress: one counter for every long operation; callbacks see monotonic counts ending at total."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from lifetimes.datasets import load_donations

from crmkit.clv import (
    BetaGeo,
    BetaGeoBetaBinomial,
    GammaGamma,
    ModifiedBetaGeo,
    ParetoNBD,
    ShiftedBetaGeometric,
    simulate_beta_geo,
    summarise,
)
from crmkit.clv.estimation import maximise
from crmkit.errors import FitError, ValidationError
from crmkit.progress import CALLS, Progress, lines, track

SUMMARY = simulate_beta_geo(BetaGeo(r=0.5, alpha=5.0, a=0.5, b=3.0), [40.0] * 300, seed=3)
REPEAT = {k: v[SUMMARY["frequency"] > 0] for k, v in SUMMARY.items()}
REPEAT["monetary_value"] = 10.0 + REPEAT["recency"] % 7
DURATIONS = [
    {"periods": p, "churned": c}
    for p, c in [(1, True), (3, True), (4, False), (2, True), (4, False), (1, True)]
]


class Recorder:
    """A progress callback that keeps every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def __call__(self, done: int, total: int) -> None:
        self.calls.append((done, total))

    def assert_complete(self) -> None:
        assert self.calls, "no progress was reported"
        done = [d for d, _ in self.calls]
        totals = {t for _, t in self.calls}
        assert done == sorted(done)
        assert len(totals) == 1
        assert self.calls[-1] == (totals.pop(),) * 2


def test_progress_is_monotonic_bounded_and_ends_at_total():
    recorder = Recorder()
    with Progress(recorder, total=10_000) as progress:
        for done in (5, 3, 70, 20_000 - 1):
            progress.update(done)  # backwards is ignored, beyond total is capped
        progress.update(9_000)
        for _ in range(500):
            progress.advance()
    recorder.assert_complete()
    assert recorder.calls[-1] == (10_000, 10_000)
    assert len(recorder.calls) <= CALLS + 1


def test_many_small_steps_give_a_bounded_number_of_calls():
    recorder = Recorder()
    with Progress(recorder, total=100_000) as progress:
        for _ in range(100_000):
            progress.advance()
    recorder.assert_complete()
    assert CALLS - 1 <= len(recorder.calls) <= CALLS + 1


def test_a_failed_operation_never_reports_completion():
    recorder = Recorder()

    def fail() -> None:
        with Progress(recorder, total=4) as progress:
            progress.advance(2)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail()
    assert recorder.calls == [(2, 4)]


def test_off_means_no_reports_and_bad_options_are_refused():
    assert not Progress(None, total=5).enabled
    assert not Progress(False, total=5).enabled
    with pytest.raises(ValidationError, match="progress: 1 is not True, False, None"):
        Progress(1, total=5)  # type: ignore[arg-type]


def test_text_lines_say_each_tenth_once(capsys: pytest.CaptureFixture[str]):
    show = lines("orders.csv")
    with Progress(show, total=1000, calls=1000) as progress:
        for _ in range(1000):
            progress.advance()
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "orders.csv: 1 of 1,000 (0%)"
    assert err[1] == "orders.csv: 100 of 1,000 (10%)"
    assert err[-1] == "orders.csv: 1,000 of 1,000 (100%)"
    assert len(err) == 11


def _fits(recorder: Recorder) -> list[Any]:
    return [
        lambda: BetaGeo.fit(SUMMARY, progress=recorder),
        lambda: ParetoNBD.fit(SUMMARY, progress=recorder),
        lambda: ModifiedBetaGeo.fit(SUMMARY, progress=recorder),
        lambda: GammaGamma.fit(REPEAT, progress=recorder),
        lambda: BetaGeoBetaBinomial.fit(load_donations(), weights="weights", progress=recorder),
        lambda: ShiftedBetaGeometric.fit_survivors([1000, 631, 468, 382], progress=recorder),
        lambda: ShiftedBetaGeometric.fit(DURATIONS, progress=recorder),
    ]


@pytest.mark.parametrize("index", range(7))
def test_every_model_fit_reports_progress_ending_at_total(index: int):
    recorder = Recorder()
    _fits(recorder)[index]()
    recorder.assert_complete()
    assert len(recorder.calls) > 1  # the evaluations before the end are reported too


def test_a_fit_that_fails_does_not_report_completion():
    # a likelihood that rises without bound: every optimiser runs out of iterations
    recorder = Recorder()
    with pytest.raises(FitError, match="stopped after"):
        maximise(lambda t: (float(-t.sum()), -np.ones(1)), np.zeros(1), names=("a",),
                 customers=1.0, model="toy", max_iterations=20, progress=recorder)  # fmt: skip
    assert len(recorder.calls) > 1
    assert all(done < total for done, total in recorder.calls)


def test_data_that_cannot_identify_a_model_fail_before_the_fit_reports_progress():
    recorder = Recorder()
    with pytest.raises(FitError, match="no customer churned"):
        ShiftedBetaGeometric.fit([{"periods": 3, "churned": False}] * 4, progress=recorder)
    assert recorder.calls == []


def test_progress_true_draws_a_bar_on_standard_error(capsys: pytest.CaptureFixture[str]):
    BetaGeo.fit(SUMMARY, progress=True)
    out, err = capsys.readouterr()
    assert out == ""
    assert "fitting BG/NBD" in err
    assert "100%" in err


def test_fits_are_silent_by_default(capsys: pytest.CaptureFixture[str]):
    BetaGeo.fit(SUMMARY)
    assert capsys.readouterr() == ("", "")


def test_summarise_counts_the_transactions_of_records():
    orders = [
        {"account_id": f"c{i % 7}", "ordered_at": dt.date(2024, 1 + i % 12, 1), "total": 10.0 + i}
        for i in range(500)
    ]
    recorder = Recorder()
    rows = summarise(orders, amount="total", as_of=dt.date(2024, 12, 31), progress=recorder)
    recorder.assert_complete()
    assert recorder.calls[-1] == (500, 500)
    assert rows == summarise(orders, amount="total", as_of=dt.date(2024, 12, 31))


def test_track_reads_an_iterator_once_and_counts_it():
    recorder = Recorder()
    assert list(track((x for x in range(10)), recorder)) == list(range(10))
    recorder.assert_complete()
    assert recorder.calls[-1] == (10, 10)
    items = [1, 2]
    assert track(items, None) is items
