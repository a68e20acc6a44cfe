"""The demo's object-model section: a territory assignment, tasks due this week and overdue,
a quote accepted into an order, a pipeline in EUR from SEK and NOK deals, a group roll-up and
an audit trail, all stored in the demo's SQLite CRM."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crmkit.adapters import open_store
from crmkit.adapters.audit import audit_trail
from crmkit.cli._context import DemoContext
from crmkit.cli._demo import SECTIONS, run_demo
from crmkit.cli._reference import commands
from crmkit.cli._sections.object_model import NEW_ACCOUNTS
from crmkit.domain import QuoteStatus

SMALL = 200


def _run(
    only: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[str, DemoContext]:
    ctx = run_demo(only=only, output_dir=tmp_path, plain=True, n_accounts=SMALL)
    return capsys.readouterr().out, ctx


def test_section_is_listed_before_the_assessment() -> None:
    assert SECTIONS.index("privacy") < SECTIONS.index("object_model") < SECTIONS.index("assessment")
    assert "object_model" in dict(commands())["crmkit demo"]


def test_object_model_section_shows_and_stores_every_part(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, ctx = _run(["object_model"], tmp_path, capsys)
    data = ctx.data
    assert "== Users, territories, tasks, quotes and currencies ==" in out
    # territory assignment: the small Stockholm company goes to the Stockholm territory, the
    # large one to the key account managers
    assert re.search(r"Nordkust Logistik AB\s+Stockholm\s+35\s+Stockholm\s+\S", out)
    assert re.search(r"Fjällstål Industri AB\s+Norrbotten\s+2400\s+Large companies\s+\S", out)
    assert re.search(r"Tasks due this week \(\d+, from 2025-12-31\)", out)
    assert re.search(r"Overdue tasks \(\d+\)", out)
    quote_number = re.search(r"Quote (Q-\d{4}-\d{5}) accepted into order O-\1", out)
    assert quote_number
    assert re.search(r"Open pipeline in EUR from \d+ NOK deals and \d+ SEK deals", out)
    assert "(rates of 2025-12-01)" in out
    assert "Group roll-up:" in out
    assert "└" in out
    assert re.search(r"status\s+sent\s+accepted", out)
    with (
        open_store(f"sqlite:///{tmp_path / 'crm.db'}") as store,
        store.unit_of_work() as uow,
    ):
        assert uow.users.count() == len(data.users)
        assert uow.territories.count() == len(data.territories)
        assert uow.tasks.count() == len(data.tasks)
        (quote,) = [q for q in uow.quotes.iter_all() if q.quote_number == quote_number[1]]
        assert quote.status is QuoteStatus.ACCEPTED
        order = uow.orders.get(quote.order_id or "")
        assert order.total == quote.net_total
        assert order.opportunity_id == quote.opportunity_id
        fields = {e.field: e.actor for e in audit_trail(uow, "quotes", quote.id) if e.field}
        assert fields["status"] == quote.owner_id
        routed = [a for a in uow.accounts.iter_all() if a.name in {n for n, *_ in NEW_ACCOUNTS}]
        assert len(routed) == 2
        assert all(a.owner_id in {u.id for u in data.users} for a in routed)
        assert uow.owner_changes.count() == len(data.owner_changes) + 2


def test_object_model_section_after_the_storage_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, ctx = _run(["storage", "object_model"], tmp_path, capsys)
    data = ctx.data
    assert "accepted into order" in out
    with (
        open_store(f"sqlite:///{tmp_path / 'crm.db'}") as store,
        store.unit_of_work() as uow,
    ):
        # the storage section stored the whole company; the section adds to it
        assert uow.quotes.count() == len(data.quotes)
        assert uow.accounts.count() == len(data.accounts) + len(NEW_ACCOUNTS)
        assert uow.orders.count() == len(data.orders) + 1
