"""Entities print their name and key fields, not ids, versions and timestamps."""

from __future__ import annotations

import attrs

import crmkit.domain
from crmkit.datasets import make_b2b
from crmkit.domain import Account, AggregateRoot

BOOKKEEPING = ("id", "version", "created_at", "updated_at", "custom", "remote_id", "remote_data")


def _entities() -> list[type[AggregateRoot]]:
    found = [getattr(crmkit.domain, n) for n in crmkit.domain.__all__]
    return [c for c in found if isinstance(c, type) and issubclass(c, AggregateRoot)]


def test_no_entity_repr_shows_the_bookkeeping_fields() -> None:
    entities = _entities()
    assert Account in entities
    for cls in entities:
        fields = attrs.fields_dict(cls)
        assert [n for n in BOOKKEEPING if fields[n].repr] == [], cls.__name__


def test_an_account_prints_its_name_first_and_keeps_its_id_as_an_attribute() -> None:
    account = Account("Nordvind AB", industry="Retail", remote_id="0015g00000XyZ")
    text = repr(account)
    assert text.startswith("Account(name='Nordvind AB', ")
    assert "industry='Retail'" in text
    for hidden in (account.id, "created_at", "version", "0015g00000XyZ"):
        assert hidden not in text
    assert len(account.id) == 26  # still there, just not printed
    assert account != Account("Nordvind AB", industry="Retail")  # ids still compared


def test_generated_entities_print_a_readable_first_field() -> None:
    company = make_b2b(seed=3, n_accounts=2)
    account, contact = company.accounts[0], company.contacts[0]
    assert repr(account).startswith(f"Account(name={account.name!r}, ")
    assert repr(contact).startswith(f"Contact(first_name={contact.first_name!r}, ")
