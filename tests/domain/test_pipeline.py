from __future__ import annotations

import pytest

from crmkit.domain import ForecastCategory, Pipeline, Probability, Stage
from crmkit.errors import NotFoundError, ValidationError


def test_stages_sorted_and_looked_up() -> None:
    pipe = Pipeline("p", "P", [Stage("b", "B", 2, 0.5), Stage("a", "A", 1, 0.2)])
    assert pipe.keys() == ["a", "b"]
    assert pipe.stage("b").probability == 0.5
    assert "a" in pipe
    assert pipe.next_stage("a") is not None
    with pytest.raises(NotFoundError, match="known stages: a, b"):
        pipe.stage("z")
    with pytest.raises(NotFoundError):
        _ = pipe.won_stage


def test_stage_rules() -> None:
    assert Stage("w", "W", 1, 1.0, is_closed=True, is_won=True).forecast_category is (
        ForecastCategory.CLOSED
    )
    assert Stage("l", "L", 1, 0.0, is_closed=True).forecast_category is ForecastCategory.OMITTED
    assert Stage("o", "O", 1, Probability.from_percent(40)).probability == 0.4
    with pytest.raises(ValidationError, match="won stage"):
        Stage("w", "W", 1, 0.9, is_closed=True, is_won=True)
    with pytest.raises(ValidationError, match="closed lost"):
        Stage("l", "L", 1, 0.3, is_closed=True)


@pytest.mark.parametrize(
    ("stages", "path"),
    [
        ([], "stages"),
        ([Stage("a", "A", 1, 0.1), Stage("a", "A2", 2, 0.2)], "stages[1].key"),
        ([Stage("a", "A", 1, 0.1), Stage("b", "B", 1, 0.2)], "stages[1].order"),
        ([Stage("w", "W", 1, 1.0, is_closed=True, is_won=True)], "stages"),
    ],
)
def test_pipeline_validation(stages: list[Stage], path: str) -> None:
    with pytest.raises(ValidationError) as info:
        Pipeline("p", "P", stages)
    assert info.value.paths == [path]


def test_probability_type() -> None:
    assert Probability.from_percent(75) == 0.75
    assert Probability(0.07).percent == 7.0
    assert isinstance(Probability(1), float)
    for bad in (-0.1, 1.1, "x", True):
        with pytest.raises(ValidationError):
            Probability(bad)
    with pytest.raises(ValidationError):
        Probability.from_percent(101)
