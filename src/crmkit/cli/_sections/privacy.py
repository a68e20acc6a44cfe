"""Demo section: find a duplicate contact and account, merge them, export and erase a person.

Examples:
    >>> import tempfile
    >>> from pathlib import Path
    >>> from crmkit.cli._console import Console
    >>> from crmkit.cli._context import DemoContext
    >>> from crmkit.cli._sections.privacy import render
    >>> from crmkit.datasets import make_b2b
    >>> out = Path(tempfile.mkdtemp())
    >>> ctx = DemoContext(make_b2b(seed=1, n_accounts=20), Console(plain=True), out, 1)
    >>> render(ctx)  # doctest: +ELLIPSIS
    <BLANKLINE>
    == Duplicates, merges and the GDPR ==
    ...
    Merged
    ...
    >>> (out / "subject-access.json").exists()
    True
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import attrs

from crmkit.adapters import (
    erase_subject,
    export_subject,
    merge_accounts,
    merge_contacts,
    open_store,
)
from crmkit.adapters.aggregate import aggregates
from crmkit.domain import Account, Contact, find_duplicate_accounts, find_duplicate_contacts

if TYPE_CHECKING:
    from crmkit.adapters import UnitOfWork
    from crmkit.cli._context import DemoContext
    from crmkit.domain.duplicates import DuplicateCandidate

__all__ = ["render"]

#: The candidate pairs shown per kind of record.
SHOWN = 5
#: How many of the company's accounts (with their records) the section loads: a merge reads
#: every record of the store, and a handful of merges on a mid-sized CRM tell the story.
ACCOUNTS = 100


def _plant(uow: UnitOfWork, contact: Contact, account: Account) -> tuple[Contact, Account]:
    """Add a second record of ``contact`` and of ``account``, as a trade-fair import would,
    and move one record of each onto its copy."""
    later = timedelta(days=30)
    twin = Contact(
        contact.first_name.upper(),
        contact.last_name,
        email=(contact.email or "").upper() or None,
        phone=contact.phone,
        account_id=contact.account_id,
        created_at=contact.created_at + later,
    )
    copy = Account(
        f"{account.name.removesuffix(' AB')} Aktiebolag",
        organisation_number=(account.organisation_number or "").replace("-", "") or None,
        website=account.website,
        created_at=account.created_at + later,
    )
    uow.contacts.add(twin)
    uow.accounts.add(copy)
    for interaction in uow.interactions.iter_all():
        if interaction.contact_id == contact.id:
            interaction.contact_id = twin.id
            uow.interactions.save(interaction)
            break
    for name in ("orders", "opportunities", "cases"):
        belonging = uow.repository(name).by_account(account.id, limit=1).items
        if belonging:
            belonging[0].account_id = copy.id
            uow.repository(name).save(belonging[0])
            break
    return twin, copy


def _pairs(
    title: str, found: list[DuplicateCandidate], names: dict[str, str], ctx: DemoContext
) -> None:
    rows = [
        [names[c.survivor_id], names[c.duplicate_id], ", ".join(c.reason_names), f"{c.score:.2f}"]
        for c in found[:SHOWN]
    ]
    ctx.console.table(
        f"{title} ({len(found)} candidate pairs)", ["keep", "merge", "why", "score"], rows
    )


def render(ctx: DemoContext) -> None:
    """Load ``ctx.data`` (its first :data:`ACCOUNTS` accounts) into a store, plant a duplicate contact and account, find and merge
    them, then export and erase one person (the export goes to ``subject-access.json``).

    Examples:
        >>> from crmkit.cli._sections.privacy import render
        >>> callable(render)
        True
    """
    console = ctx.console
    console.heading("Duplicates, merges and the GDPR")
    data = ctx.data
    registered = {a.id: a for a in data.accounts if a.organisation_number}
    contact = next((c for c in data.contacts if c.email and c.account_id in registered), None)
    account = registered[contact.account_id] if contact and contact.account_id else None
    if contact is None or account is None:
        console.text("The company has no contact with an e-mail at a registered account.")
        return
    accounts = {a.id for a in data.accounts[:ACCOUNTS]} | {account.id, None}
    leads = {
        lead.id
        for index, lead in enumerate(data.leads)
        if index < ACCOUNTS or lead.converted_account_id in accounts - {None}
    } | {None}
    with open_store("memory://") as store:
        with store.unit_of_work() as uow:
            for agg in aggregates():
                records = [
                    e
                    for e in getattr(data, agg.name, [])
                    if isinstance(e, agg.entity)
                    and (e.id in accounts if agg.name == "accounts" else True)
                    and (e.id in leads if agg.name == "leads" else True)
                    and getattr(e, "account_id", None) in accounts
                    and getattr(e, "lead_id", None) in leads
                ]
                uow.repository(agg.name).add_many(attrs.evolve(e) for e in records)
            twin, copy = _plant(uow, contact, account)
        console.text(
            f"Imported a trade-fair list that holds {contact.full_name} again as "
            f"{twin.full_name} <{twin.email}>, and {account.name} again as {copy.name}."
        )
        with store.unit_of_work() as uow:
            people = find_duplicate_contacts(uow.contacts.iter_all(), country_code="46")
            firms = find_duplicate_accounts(uow.accounts.iter_all())
            names = {c.id: c.full_name for c in uow.contacts.iter_all()}
            names |= {a.id: a.name for a in uow.accounts.iter_all()}
        _pairs("Likely duplicate contacts", people, names, ctx)
        _pairs("Likely duplicate accounts", firms, names, ctx)
        with store.unit_of_work() as uow:
            merged = [
                merge_contacts(uow, contact.id, twin.id),
                merge_accounts(uow, account.id, copy.id),
            ]
        rows: list[list[Any]] = [
            [
                names[m.survivor_id],
                names[m.duplicate_id],
                ", ".join(m.taken_from_duplicate) or "—",
                ", ".join(f"{n} {len(ids)}" for n, ids in sorted(m.relinked.items())),
            ]
            for m in merged
        ]
        console.table("Merged", ["kept", "merged into it", "fields taken", "re-linked"], rows)
        with store.unit_of_work() as uow:
            export = export_subject(uow, contact.id)
            path = ctx.output_dir / "subject-access.json"
            ctx.output_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(export, indent=2, ensure_ascii=False), encoding="utf-8")
            held = [[name, len(records)] for name, records in export["records"].items()]
            console.table(
                f"Right of access: what the CRM holds about {contact.full_name} ({path.name})",
                ["aggregate", "records"],
                held,
            )
            report = erase_subject(uow, contact.id)
            erased = uow.contacts.get(contact.id)
        console.text(
            f"Right to erasure: {contact.full_name} is now {erased.full_name!r} (e-mail "
            f"{erased.email}, phone {erased.phone}); {report.changed_count} records changed, "
            f"ids, amounts and dates kept, consent record "
            f"{'kept' if erased.consent == contact.consent else 'changed'}."
        )
