from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crmkit.cli._console import Console
from crmkit.cli._context import DemoContext
from crmkit.cli._sections import assessment
from crmkit.strategy import Process, capabilities


def _order(account: str, day: int, product: str, price: int) -> dict[str, object]:
    return {
        "account_id": account,
        "ordered_at": datetime(2024, 1, day, tzinfo=UTC),
        "status": "invoiced",
        "total": price,
        "lines": [{"product_id": product, "quantity": 1, "unit_price": {"amount": str(price)}}],
    }


def test_demo_section_on_record_dicts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = {
        "accounts": [{"id": "a"}, {"id": "b"}, {"id": "c"}],
        "contacts": [
            {"account_id": "a", "email": "x@a.se", "phone": "1"},
            {"account_id": "b", "email": None, "phone": "2"},
        ],
        "orders": [
            _order("a", 1, "p1", 100),
            _order("a", 2, "p2", 50),
            _order("b", 3, "p1", 10),
            {**_order("c", 4, "p1", 10), "status": "cancelled"},  # does not count
        ],
        "interactions": [
            {"channel": "field_sales", "account_id": "a"},
            {"channel": "website", "account_id": None},
        ],
        "cases": [{"origin_channel": "phone", "account_id": "a"}],
    }
    wb = assessment.answers_from_data(data)
    assert wb.get("s05.volume.active") == 2
    assert wb.get("s05.volume.potential") == 1
    assert wb.get("s05.cross_sell_share") == 50.0
    assert wb.get("s04.contact_info_quality") is False  # one contact lacks an e-mail
    assert wb.get("s08.field_sales").is_integrated  # type: ignore[union-attr]
    # web visits not linked to an account: stand-alone, a channel-integration gap
    assert not wb.get("s07.public_web").is_integrated  # type: ignore[union-attr]
    assert wb.get("s04.consistent_all_channels") is False
    # nothing the data cannot tell is answered from the data
    assert not wb.answered("s04.know_lifetime_value")
    ctx = DemoContext(data=data, console=Console(plain=True), output_dir=tmp_path)
    assessment.render(ctx)
    out = capsys.readouterr().out
    assert "Process scores" in out
    assert "weakest process" in out
    # the website from the data, the switchboard from the self-assessment
    assert "without integrated IT support (2): Public website, Telephone switchboard" in out
    page = (tmp_path / "assessment.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "Executive summary" in page
    assert "Technical appendix" in page
    # the follow-up a year later, compared with the baseline, in the report and as data
    assert "Follow-up a year later" in out
    follow_up = (tmp_path / "assessment-follow-up.html").read_text(encoding="utf-8")
    assert "Progress since the previous assessment" in follow_up
    progress = json.loads((tmp_path / "assessment-progress.json").read_text(encoding="utf-8"))
    assert "customer_segment_lifetime_value" in progress["improved"]
    assert progress["slipped"] == ["employee_value"]


def test_self_assessment_never_overrides_the_data() -> None:
    data = {"accounts": [{"id": "a"}], "orders": [_order("a", 1, "p1", 100)]}
    from_data = assessment.answers_from_data(data)
    wb, n_data, n_self = assessment.demo_answers(data)
    answered = [i.id for i in wb.workbook.items if wb.answered(i.id)]
    assert n_data + n_self == len(answered)
    for item in from_data.workbook.items:
        if from_data.answered(item.id):
            assert wb.get(item.id) == from_data.get(item.id)


def test_synthetic_company_gets_a_differentiated_data_driven_picture() -> None:
    from crmkit.datasets import make_b2b

    result = assessment.demo_assessment(make_b2b(seed=42, n_accounts=120))
    scores = [ps.score for ps in result.processes]
    assert all(s is not None and 0 < s < 5 for s in scores)
    assert len({round(s or 0, 1) for s in scores}) >= 3  # not one flat score
    # no lifetime-value analysis in place: value creation is weakest, and the first gap
    # points at crmkit.clv
    assert result.weakest_process is Process.VALUE_CREATION
    first = result.gaps[0]
    assert first.element.key == "customer_segment_lifetime_value"
    assert [c.path for c in first.capabilities][:1] == ["crmkit.clv:customer_lifetime_value"]
    # some channels are not integrated, found from the records
    assert result.channel_gaps
    assert not result.same_standard.passes  # type: ignore[union-attr]
    # gaps point at registered capabilities
    registered = {c.path for c in capabilities()}
    assert sum(bool(g.capabilities) for g in result.gaps) >= len(result.gaps) - 2
    assert all(c.path in registered for g in result.gaps for c in g.capabilities)
