from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from crmkit.cli.console import Console
from crmkit.cli.context import DemoContext
from crmkit.cli.sections import assessment


def _order(account: str, day: int, product: str, price: str) -> dict[str, object]:
    return {
        "account_id": account,
        "ordered_at": datetime(2024, 1, day, tzinfo=UTC),
        "lines": [{"product_id": product, "quantity": 1, "unit_price": {"amount": price}}],
    }


def test_demo_section_on_record_dicts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = {
        "accounts": [{"id": "a"}, {"id": "b"}, {"id": "c"}],
        "orders": [
            _order("a", 1, "p1", "100"),
            _order("a", 2, "p2", "50"),
            _order("b", 3, "p1", "10"),
        ],
        "interactions": [
            {"channel": "field_sales", "account_id": "a"},
            {"channel": "email", "account_id": None},
        ],
        "cases": [{"origin_channel": "phone"}],
    }
    wb = assessment.answers_from_data(data)
    assert wb.get("s05.volume.active") == 2
    assert wb.get("s05.volume.potential") == 1
    assert wb.get("s05.cross_sell_share") == 50.0
    assert wb.get("s08.field_sales").is_integrated  # type: ignore[union-attr]
    # e-mail contacts not linked to an account: stand-alone, a channel-integration gap
    assert not wb.get("s08.e_commerce").is_integrated  # type: ignore[union-attr]
    ctx = DemoContext(data=data, console=Console(plain=True), output_dir=tmp_path)
    assessment.render(ctx)
    out = capsys.readouterr().out
    assert "Process scores" in out
    assert "weakest process" in out
    assert "E-commerce has only stand-alone IT support" in out
    assert (tmp_path / "assessment.html").read_text().startswith("<!DOCTYPE html>")
