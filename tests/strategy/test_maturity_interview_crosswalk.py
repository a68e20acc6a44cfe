from __future__ import annotations

from crmkit.strategy import (
    CROSSWALK,
    INTERVIEW_GUIDE,
    SUCCESS_FACTORS,
    MaturityLevel,
    Process,
    for_process,
    maturity_level,
    readiness_check,
    unmapped,
)


def test_maturity_rules() -> None:
    assert maturity_level(uses_crm=False) is MaturityLevel.D
    assert maturity_level(uses_crm=True, usage="little") is MaturityLevel.C
    assert maturity_level(uses_crm=True, offers_crm_services=True) is MaturityLevel.A1
    assert maturity_level(uses_crm=True, years_of_use=1, integrated=True) is MaturityLevel.B
    assert (
        maturity_level(uses_crm=True, years_of_use=4, integrated=True, strategic_use=True)
        is MaturityLevel.A2
    )


def test_readiness_check() -> None:
    assert len(SUCCESS_FACTORS) == 7
    r = readiness_check({"training_culture": True})
    assert (r.met, r.ready, len(r.missing)) == (1, False, 6)


def test_interview_themes_map_to_processes() -> None:
    mapping = {t.key: t.process for t in INTERVIEW_GUIDE}
    assert mapping == {
        "relationships": None,
        "strategy": Process.STRATEGY_DEVELOPMENT,
        "value_creation": Process.VALUE_CREATION,
        "channels": Process.MULTICHANNEL_INTEGRATION,
        "evaluation": Process.PERFORMANCE_ASSESSMENT,
        "it": Process.INFORMATION_MANAGEMENT,
        "data": Process.INFORMATION_MANAGEMENT,
    }


def test_crosswalk_and_unmapped_items() -> None:
    assert len([t for t in CROSSWALK if t.theory == "alter_wst"]) == 9
    assert len([t for t in CROSSWALK if t.theory == "elia_value"]) == 5
    assert len([t for t in CROSSWALK if t.theory == "zerbino_areas"]) == 5
    assert {t.name for t in unmapped("alter_wst")} == {
        "Processes and activities",
        "Products and services",
    }
    assert "Strategic value" in [t.name for t in for_process("VC")]
