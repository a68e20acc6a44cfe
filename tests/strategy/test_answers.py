from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.errors import ValidationError
from crmkit.strategy import ChannelUse, ItSupport, WorkbookAnswers, template


def _all(value: object, section: str = "S04") -> WorkbookAnswers:
    wb = WorkbookAnswers()
    wb.fill({i.id: value for i in wb.workbook.section(section).items})
    return wb


def test_all_yes_situation_analysis_is_16_of_16_and_all_no_is_0() -> None:
    assert str(_all(True).situation_score()) == "16/16"
    no = _all(False).situation_score()
    assert str(no) == "0/16"
    assert no.answered == 16


def test_wrong_type_names_the_item() -> None:
    wb = WorkbookAnswers()
    cases = {
        "s05.profit.profitable": 120,
        "s05.volume.active": 2.5,
        "s04.market_leader": 3,
        "s01.vision_business_idea": 7,
        "s08.field_sales": {"used": True, "it_support": ["integrated", "none"]},
    }
    with pytest.raises(ValidationError) as exc:
        wb.fill(cases)
    assert exc.value.paths == [f"answers.{k}" for k in cases]
    assert wb.items() == {}  # nothing set when anything is invalid
    with pytest.raises(ValidationError, match="at most one IT-support level"):
        wb.set("s08.field_sales", {"used": True, "it_support": ["integrated", "none"]})
    with pytest.raises(ValidationError, match="unused row"):
        wb.set("s08.field_sales", {"used": False, "it_support": "none"})


def test_completion_per_section() -> None:
    wb = _all(True)
    wb.set("s05.volume.active", 10)
    wb.set("s01.vision_business_idea", "   ")  # blank text does not count
    done = wb.completion()
    assert done["S04"] == 1.0
    assert done["S05"] == pytest.approx(1 / 36)
    assert done["S01"] == 0.0
    assert wb.overall_completion() == pytest.approx(17 / 125)


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    wb = WorkbookAnswers(company="Acme AB", participants=["Eva", "Ola"], lang="sv")
    wb.fill(
        {
            "s04.market_leader": "ja",
            "s05.profit.profitable": 40.5,
            "s05.service.agreement_types": {"yes": True, "text": "basic, premium"},
            "s09.support": {"used": True, "it_support": "stand_alone"},
            "s10.sms": True,
        }
    )
    path = tmp_path / "wb.json"
    wb.save(path)
    back = WorkbookAnswers.load(path)
    assert back.items() == wb.items()
    assert back.company == "Acme AB"
    assert back.participants == ["Eva", "Ola"]
    assert back.get("s09.support") == ChannelUse(True, ItSupport.STAND_ALONE)


def test_template_shape_and_flat_answers() -> None:
    t = template("sv")
    assert t["lang"] == "sv"
    assert len(t["sections"]) == 14
    assert sum(len(s["items"]) for s in t["sections"]) == 125
    t["sections"][3]["items"][0]["answer"] = True
    wb = WorkbookAnswers.from_json(json.dumps(t))
    assert wb.get("s04.market_leader") is True
    flat = WorkbookAnswers.from_dict({"answers": {"s04.service_24h": False}})
    assert flat.get("s04.service_24h") is False


def test_consistency_warnings() -> None:
    wb = WorkbookAnswers()
    wb.fill(
        {
            "s05.profit.profitable_growth": 30,
            "s05.profit.profitable": 40,
            "s05.profit.unprofitable_potential": 20,
            "s05.profit.unprofitable": 20,
        }
    )
    assert wb.consistency_warnings() == ["profitability cells sum to 110% (expected 100%)"]


@settings(max_examples=40, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_percent_accepts_exactly_0_to_100(x: float) -> None:
    wb = WorkbookAnswers()
    if 0 <= x <= 100:
        wb.set("s05.loyal_share", x)
        assert wb.get("s05.loyal_share") == x
    else:
        with pytest.raises(ValidationError):
            wb.set("s05.loyal_share", x)
