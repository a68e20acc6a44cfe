"""Instrument model, responses, recoding and the packaged instruments."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crmkit.errors import NotFoundError, ValidationError
from crmkit.survey import (
    Construct,
    Instrument,
    Question,
    Recode,
    Response,
    Scale,
    ScaleType,
    describe,
    key_account_survey,
    nki_index,
    nki_template,
    recode,
)


def test_key_account_survey_has_every_item_in_norwegian_and_english() -> None:
    inst = key_account_survey()
    keys = [q.key for q in inst.questions]
    assert len(keys) == 24
    assert {f"q{i:02d}" for i in range(1, 23)} <= set(keys)
    assert {"county", "support_needed"} <= set(keys)
    assert inst.languages == ["en", "nb"]
    for q in inst.questions:
        assert q.text["nb"]
        assert q.text["en"]
        assert q.text["nb"] != q.text["en"]
    assert [c.key for c in inst.constructs] == [
        "satisfaction", "further_cooperation", "competence", "relationships",
        "value_of_new_services", "customer_size",
    ]  # fmt: skip
    assert inst.question("county").scale.maximum == 19
    assert inst.question("q13").scale.type is ScaleType.YES_MAYBE_NO
    assert inst.question("q09").scale.label(1, "nb") == "Helt uenig"
    assert inst.question("q02").scale.label(1, "nb") == "Underskudd"
    assert [inst.question("q08").scale.value_of(i) for i in range(1, 6)] == [52, 12, 4, 2, 1]


def test_key_account_survey_block_and_variable_numbers() -> None:
    inst = key_account_survey()
    assert (inst.question("q22").block, inst.question("q21").block) == ("13.4", "13.5")
    assert inst.question("q03").variable == "03"


def test_response_validation_reports_every_problem() -> None:
    inst = key_account_survey()
    with pytest.raises(ValidationError) as info:
        inst.response("r1", {"q03": 8, "q09": 2.5, "q13": "yes", "nope": 1})
    assert sorted(info.value.paths) == ["answers.nope", "answers.q03", "answers.q09", "answers.q13"]
    r = inst.response(
        "r1", {"q03": 7, "q09": None}, account_id="A1", contact_id="C1",
        submitted_at=datetime(2019, 4, 2, tzinfo=UTC),
    )  # fmt: skip
    assert (r.account_id, r.contact_id, r.instrument_key) == ("A1", "C1", "smart-media-kam-2019")


def test_response_rejects_naive_time_and_bad_ids() -> None:
    with pytest.raises(ValidationError):
        Response("r", {}, submitted_at=datetime(2019, 1, 1))
    with pytest.raises(ValidationError):
        Response("r", {"q": [1]})  # type: ignore[dict-item]
    with pytest.raises(ValidationError):
        Response("r", {}, account_id="")


def test_recoding_tv2_through_the_instrument() -> None:
    inst = key_account_survey()
    stored = [{"q03": v} for v in [2, 8, 5, None]]
    rule = {"q03": Recode(offset=-1)}
    responses = [inst.response(f"r{i}", inst.recode(a, rule)) for i, a in enumerate(stored)]
    assert [r.answers["q03"] for r in responses] == [1, 7, 4, None]
    assert describe([r.answers["q03"] for r in responses]).mean == 4  # type: ignore[misc]
    assert recode([2, 8], offset=-1) == [1, 7]
    assert recode([99, 3], mapping={99: None}) == [None, 3]
    with pytest.raises(ValidationError):
        inst.recode({}, {"zz": Recode(offset=1)})


def test_construct_scores_with_reverse_coded_item() -> None:
    inst = Instrument(
        key="t",
        title={"en": "t"},
        questions=(
            Question("a", {"en": "A"}, Scale.likert(5)),
            Question("b", {"en": "B"}, Scale.likert(5), reverse=True),
        ),
        constructs=(Construct("c", {"en": "C"}, ("a", "b")),),
    )
    rs = [inst.response("1", {"a": 5, "b": 1}), inst.response("2", {"a": 1, "b": None})]
    assert inst.construct_scores(rs, "c") == [5.0, None]
    assert inst.construct_scores(rs, "c", missing="pairwise", min_items=1) == [5.0, 1.0]


def test_instrument_validation() -> None:
    likert = Scale.likert(5)
    with pytest.raises(ValidationError, match="used twice"):
        Instrument("x", {"en": "x"}, (Question("a", {"en": "A"}, likert),) * 2)
    with pytest.raises(ValidationError, match="is not a question"):
        Instrument("x", {"en": "x"}, (Question("a", {"en": "A"}, likert),),
                   (Construct("c", {"en": "C"}, ("a", "b")),))  # fmt: skip
    with pytest.raises(ValidationError, match="cannot be averaged"):
        Instrument("x", {"en": "x"}, (Question("a", {"en": "A"}, Scale.free_text()),),
                   (Construct("c", {"en": "C"}, ("a",)),))  # fmt: skip
    with pytest.raises(ValidationError, match="at least one item"):
        Construct("c", {"en": "C"}, ())
    with pytest.raises(ValidationError, match="reverse"):
        Question("a", {"en": "A"}, Scale.yes_no(), reverse=True)
    with pytest.raises(NotFoundError):
        key_account_survey().question("q99")
    with pytest.raises(NotFoundError):
        key_account_survey().construct("loyalty")


def test_scale_validation() -> None:
    with pytest.raises(ValidationError):
        Scale(ScaleType.LIKERT, 5, 1)
    with pytest.raises(ValidationError):
        Scale.likert(5, {"en": ["a", "b"]})
    s = Scale.likert(7)
    assert s.problem(0) == "is outside the answer scale 1–7"
    assert s.problem(True) is not None
    assert Scale.free_text().problem(3) == "is not text"


def test_nki_template() -> None:
    inst = nki_template("Acme")
    assert inst.languages == ["en", "nb", "sv"]
    assert "Acme" in inst.question("overall_satisfaction").text_in("sv")
    r = inst.response("r", {"overall_satisfaction": 10, "expectations_met": 10,
                            "ideal_comparison": 10, "recommend": 10})  # fmt: skip
    assert nki_index([r.answers]) == 100.0
    with pytest.raises(ValidationError):
        inst.response("r", {"recommend": 11})
