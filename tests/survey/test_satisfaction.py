"""NPS, CSAT and the 0–100 satisfaction index (public helpers reused by loyalty scoring)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.errors import ValidationError
from crmkit.survey import FrequencyTable, csat, nki_index, nps, satisfaction_index


def test_nps_from_scores_and_counts_agree() -> None:
    scores = [10, 10, 9, 8, 7, 6, 0, 3, 9, 10]
    counts = [scores.count(v) for v in range(11)]
    a, b = nps(scores), nps(counts=counts)
    assert a == b
    assert (a.promoters, a.passives, a.detractors) == (0.5, 0.2, 0.3)
    assert math.isclose(a.score, 20.0)
    assert nps(counts={10: 3, 0: 1}).score == 50.0
    assert nps(FrequencyTable.from_scores(scores)) == a


def test_nps_extremes() -> None:
    assert nps([10, 9]).score == 100.0
    assert nps([0, 6]).score == -100.0
    assert nps([7, 8]).score == 0.0


@pytest.mark.parametrize("bad", [[11], [-1], [7.5], [True]])
def test_nps_rejects_answers_off_the_0_10_scale(bad: list[object]) -> None:
    with pytest.raises(ValidationError):
        nps(bad)  # type: ignore[arg-type]


def test_nps_needs_answers() -> None:
    with pytest.raises(ValidationError, match="no answers"):
        nps([None])


def test_csat_seed003_overall_satisfaction() -> None:
    # overall satisfaction (n = 69): 25 + 22 answered 6 or 7 of 7
    assert math.isclose(csat(counts=[0, 2, 1, 6, 13, 25, 22], scale=(1, 7)), 100 * 47 / 69)
    assert csat([5, 4, 3, 1], scale=(1, 5)) == 50.0
    with pytest.raises(ValidationError, match="outside"):
        csat([6], scale=(1, 5))
    with pytest.raises(ValidationError, match="not an option"):
        csat([5], scale=(1, 5), satisfied=[6])


def test_satisfaction_index_on_seed003_items() -> None:
    # service & support mean 6.0159 on 1–7 → 83.6; overall 5.7971 → 79.95
    assert round(satisfaction_index(counts=[0, 1, 2, 3, 9, 22, 26], scale=(1, 7)), 1) == 83.6
    assert round(satisfaction_index(counts=[0, 2, 1, 6, 13, 25, 22], scale=(1, 7)), 2) == 79.95
    assert satisfaction_index([1, 1], scale=(1, 7)) == 0.0
    assert satisfaction_index([7], scale=(1, 7)) == 100.0
    with pytest.raises(ValidationError):
        satisfaction_index([8], scale=(1, 7))


def test_nki_index() -> None:
    assert nki_index([(10, 10, 10)]) == 100.0
    assert (
        nki_index([{"overall_satisfaction": 1, "expectations_met": 1, "ideal_comparison": 1}])
        == 0.0
    )
    # respondents missing a question are left out
    assert nki_index([(10, 10, 10), (1, None, 1)]) == 100.0
    assert math.isclose(nki_index([(10, 1, 1)], weights=[2, 1, 1]), 50.0)
    with pytest.raises(ValidationError):
        nki_index([(11, 5, 5)])
    with pytest.raises(ValidationError):
        nki_index([(5, 5)])
    with pytest.raises(ValidationError):
        nki_index([(5, 5, 5)], weights=[1, 1])
    with pytest.raises(ValidationError, match="no respondent"):
        nki_index([(None, 5, 5)])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=1, max_size=200))
def test_nps_properties(scores: list[int]) -> None:
    r = nps(scores)
    assert -100 <= r.score <= 100
    assert math.isclose(r.promoters + r.passives + r.detractors, 1.0)
    promoters = sum(s >= 9 for s in scores)
    detractors = sum(s <= 6 for s in scores)
    assert math.isclose(r.score, 100 * (promoters - detractors) / len(scores))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 10), min_size=1, max_size=100))
def test_index_is_linear_rescaling_of_mean(scores: list[int]) -> None:
    idx = satisfaction_index(scores, scale=(1, 10))
    assert math.isclose(idx, 100 * (sum(scores) / len(scores) - 1) / 9)
    rows = [(s, s, s) for s in scores]
    assert math.isclose(nki_index(rows), idx)
