from __future__ import annotations

import pytest

from crmkit.domain import ChannelCategory
from crmkit.errors import NotFoundError, ValidationError
from crmkit.strategy import (
    LANGUAGES,
    ContinuumPerspective,
    Process,
    SegmentGranularity,
    channel_category_element,
    element,
    elements,
    framework,
)


def test_five_processes_with_reference_element_counts() -> None:
    procs = framework()
    assert [p.process for p in procs] == list(Process)
    # top-level elements per process, as in payne-frow.md
    assert [len(p.elements) for p in procs] == [2, 3, 2, 5, 2]
    # sub-elements: business strategy 2 + customer strategy 3; value customer 2 + org 2;
    # six channel categories; none in IM; shareholder results 4 + monitoring 3
    subs = [[len(e.children) for e in p.elements] for p in procs]
    assert subs == [[2, 3], [2, 2, 0], [6, 0], [0, 0, 0, 0, 0], [4, 3]]


def test_element_names_follow_the_figure() -> None:
    assert [e.key for e in element("performance_monitoring").children] == [
        "standards",
        "metrics_and_kpis",
        "results_and_reporting",
    ]
    assert element("customer_segment_lifetime_value").process is Process.VALUE_CREATION
    assert element("integrated_channel_management").label.sv == "Integrerad kanalhantering"


def test_every_label_in_three_languages_and_every_key_unique() -> None:
    keys = [e.key for e in elements()]
    assert len(keys) == len(set(keys)) == 36
    for e in elements():
        for lang in LANGUAGES:
            assert e.label.get(lang).strip()
        assert e.description.strip()
    for p in Process:
        assert {p.label.get(x) for x in LANGUAGES}
        assert p.info.description


def test_six_channel_categories_link_to_the_domain() -> None:
    cats = [c.channel_category for c in element("channel_categories").children]
    assert cats == list(ChannelCategory)
    for category in ChannelCategory:
        assert channel_category_element(category).channel_category is category


def test_continuum_and_granularity() -> None:
    assert len(ContinuumPerspective) == 3
    assert ContinuumPerspective.recommended() is ContinuumPerspective.STRATEGIC_HOLISTIC
    assert [g.value for g in SegmentGranularity] == ["macro", "micro", "one_to_one"]


def test_lookup_errors() -> None:
    with pytest.raises(NotFoundError):
        element("business_plan")
    with pytest.raises(ValidationError) as exc:
        Process.parse("XX")
    assert exc.value.problems[0].path == "process"
