"""The adapter compliance suite: the behaviour every crmkit store must show.

Subclass :class:`AdapterComplianceSuite` in a test module and either set ``store_url`` (the
store is then opened through :func:`crmkit.adapters.open_store`, so a plugin is found through
its entry point) or override the ``store`` fixture. Each test gets a fresh, empty store.

.. code-block:: python

    from crmkit.testing.adapter_suite import AdapterComplianceSuite

    class TestMyStore(AdapterComplianceSuite):
        store_url = "mystore://"

The suite covers create / read / update / delete of every aggregate, every query of the
repository port (and that each convenience the store overrides answers as the generic version
of :class:`~crmkit.adapters.ports.RepositoryQueries` does), paging, optimistic-concurrency conflicts, transactions (a failed unit of work
leaves nothing behind, a rollback puts the caller's entities back at their stored version, a
unit of work used after its ``with`` block raises
:class:`~crmkit.errors.UnitOfWorkClosedError`), merging duplicate contacts and accounts
(every reference re-linked, undone by rollback), the GDPR subject export and erasure (no
personal data left, every record valid), account hierarchies (a missing parent or a cycle is
refused, deleting a parent detaches its children), the audit trail of units of work that keep
one (:class:`crmkit.adapters.audit.AuditLog`: entries written with the change, none after a
rollback) and a Hypothesis round trip of every aggregate type. Strings in the
generated entities avoid NUL characters and lone surrogates, which PostgreSQL cannot store.

Examples:
    >>> from crmkit.testing.adapter_suite import AdapterComplianceSuite, entity_strategies
    >>> sorted(entity_strategies())[:3]
    ['accounts', 'agreements', 'campaigns']
    >>> AdapterComplianceSuite.store_url
    'memory://'
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.adapters import Query, Store, open_store
from crmkit.adapters.aggregate import aggregate_for, aggregate_names
from crmkit.adapters.ports import REPOSITORY_CONVENIENCES, Page, RepositoryQueries
from crmkit.errors import ConflictError, CrmkitError, NotFoundError, ValidationError

__all__ = [
    "AdapterComplianceSuite",
    "entity_strategies",
    "referring_entity",
    "sample_entity",
    "store_parents",
]

_T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _domain() -> Any:
    import crmkit.domain as domain

    return domain


def sample_entity(aggregate: str, **fields: Any) -> Any:
    """A small valid entity of ``aggregate`` with ``fields`` set (for hand-written tests).

    Examples:
        >>> from crmkit.testing.adapter_suite import sample_entity
        >>> sample_entity("accounts", name="Acme").name
        'Acme'
        >>> sample_entity("opportunities").stage_key
        'qualify'
    """
    d = _domain()
    money = d.Money("1000", "SEK")
    defaults: dict[str, dict[str, Any]] = {
        "accounts": {"name": "Acme AB"},
        "contacts": {"first_name": "Anna", "last_name": "Berg"},
        "leads": {"company_name": "Nordvind AB"},
        "opportunities": {
            "name": "Deal",
            "account_id": "acc-1",
            "amount": money,
            "close_date": date(2025, 6, 30),
            "pipeline_id": "default",
            "stage_key": "qualify",
            "stage_probability": 0.1,
        },
        "interactions": {
            "type": d.InteractionType.CALL,
            "status": d.InteractionStatus.DONE,
            "done_at": datetime(2025, 3, 1, 9, tzinfo=UTC),
        },
        "cases": {"subject": "Broken invoice"},
        "orders": {
            "account_id": "acc-1",
            "ordered_at": datetime(2025, 3, 1, 12, tzinfo=UTC),
            "lines": [d.OrderLine(product_id="SKU-1", quantity=2, unit_price=money)],
        },
        "campaigns": {"name": "Spring fair"},
        "products": {"sku": "SKU-1", "name": "Support hour", "price": money},
        "agreements": {
            "account_id": "acc-1",
            "name": "Support agreement",
            "start_date": date(2025, 1, 1),
        },
        "key_account_relationships": {"account_id": "acc-1", "stage": d.KamStage.BOW_TIE},
        "users": {"name": "Anna Lind", "email": "anna.lind@example.se"},
        "teams": {"name": "Inside sales", "member_ids": ["u-1"], "manager_id": "u-9"},
        "territories": {
            "name": "North",
            "rules": [d.TerritoryRule(regions=["Norrland"])],
            "member_ids": ["u-1"],
        },
        "owner_changes": {
            "record_type": "account",
            "record_id": "acc-1",
            "from_owner_id": None,
            "to_owner_id": "u-1",
            "changed_at": datetime(2025, 2, 1, tzinfo=UTC),
        },
        "tasks": {
            "subject": "Call about renewal",
            "due_at": datetime(2025, 3, 3, 9, tzinfo=UTC),
            "assignee_id": "u-1",
            "links": [d.RecordLink("account", "acc-1")],
        },
        "notes": {
            "body": "Wants a quote for 20 seats",
            "author_id": "u-1",
            "links": [d.RecordLink("account", "acc-1")],
        },
        "price_books": {
            "name": "List SEK",
            "currency": "SEK",
            "entries": [d.PriceBookEntry("SKU-1", money)],
        },
        "quotes": {
            "account_id": "acc-1",
            "currency": "SEK",
            "lines": [d.LineItem("SKU-1", 2, money)],
        },
    }
    values = {**defaults[aggregate], **fields}
    return aggregate_for(aggregate).entity(**values)


def store_parents(store: Store, entities: Any) -> None:
    """Store an account for every ``account_id`` (and every account's ``parent_id``) the
    entities name that is not stored yet.

    Stores that enforce foreign keys (``enforces_foreign_keys``) refuse an entity whose
    account is missing; tests call this before adding such entities.

    Examples:
        >>> from crmkit.adapters import open_store
        >>> from crmkit.testing.adapter_suite import sample_entity, store_parents
        >>> store = open_store("memory://")
        >>> store_parents(store, [sample_entity("orders")])
        >>> with store.unit_of_work() as uow:
        ...     uow.accounts.get("acc-1").name
        'Account acc-1'
    """
    wanted = sorted(
        {
            ref
            for e in entities
            for ref in (getattr(e, "account_id", None), getattr(e, "parent_id", None))
            if ref
        }
    )
    with store.unit_of_work() as uow:
        for id in wanted:
            try:
                uow.accounts.get(id)
            except NotFoundError:
                uow.accounts.add(sample_entity("accounts", id=id, name=f"Account {id}"))


def referring_entity(
    aggregate: str, *, account_id: str, contact_id: str, text: str | None = None
) -> Any:
    """A :func:`sample_entity` of ``aggregate`` that refers to one account and one contact
    wherever its type can: every ``account_id`` / ``…_account_id`` and ``contact_id`` /
    ``…_contact_id`` field, an opportunity's contact roles, a campaign's members, the record
    links of tasks and notes (a lead becomes converted into the contact); with ``text``, its
    free-text fields (``description``, ``subject``, ``body`` …) say ``text``. The merge and
    privacy checks of the suite build their records with it.

    Examples:
        >>> from crmkit.testing.adapter_suite import referring_entity
        >>> case = referring_entity("cases", account_id="a1", contact_id="c1", text="Hi Bo")
        >>> case.account_id, case.contact_id, case.description
        ('a1', 'c1', 'Hi Bo')
        >>> referring_entity("leads", account_id="a1", contact_id="c1").converted_contact_id
        'c1'
    """
    d = _domain()
    entity = sample_entity(aggregate)
    fields = attrs.fields_dict(type(entity))
    changes: dict[str, Any] = {}
    for name in fields:
        if name == "account_id" or name.endswith("_account_id"):
            changes[name] = account_id
        if name == "contact_id" or name.endswith("_contact_id"):
            changes[name] = contact_id
        if text is not None and name in _TEXT_FIELDS and isinstance(getattr(entity, name), str):
            changes[name] = text
    if "contact_roles" in fields and aggregate == "opportunities":
        changes["contact_roles"] = [d.OpportunityContactRole(contact_id, "decider", True)]
    if "members" in fields:
        changes["members"] = [d.CampaignMember(contact_id=contact_id)]
    if "links" in fields:
        changes["links"] = [
            d.RecordLink("account", account_id),
            d.RecordLink("contact", contact_id),
        ]
    if "converted_at" in fields:
        changes["status"] = d.LeadStatus.CONVERTED
        changes["converted_at"] = _T0
    return attrs.evolve(entity, **changes)


def _answer(aggregate: str, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """What ``call(*args, **kwargs)`` on a repository answered, comparably: entities as
    documents (a page with its cursor), or the type and text of the error it raised."""
    to_document = aggregate_for(aggregate).to_document
    try:
        result = call(*args, **kwargs)
        if isinstance(result, Page):
            return [to_document(e) for e in result.items], result.next_cursor
        if result is None:
            return None
        if isinstance(result, list | Iterator):
            return [to_document(e) for e in result]
        return to_document(result)
    except CrmkitError as error:
        return type(error).__name__, str(error)


_TEXT_FIELDS = ("description", "next_step", "outcome", "subject", "body", "reason", "resolution")


# Hypothesis strategies -------------------------------------------------------------------


@functools.cache
def entity_strategies() -> dict[str, st.SearchStrategy[Any]]:
    """A Hypothesis strategy of valid entities for every aggregate, keyed by plural name.

    The strategies are those of :mod:`crmkit.testing.strategies`, whose text fields mix
    readable names with hostile Unicode (anything but NUL and lone surrogates), so a store's
    round trip meets both.

    Examples:
        >>> from crmkit.testing.adapter_suite import entity_strategies
        >>> "opportunities" in entity_strategies()
        True
    """
    from crmkit.testing import strategies

    return {name: getattr(strategies, name)() for name in aggregate_names()}


# The suite -------------------------------------------------------------------------------


class AdapterComplianceSuite:
    """Tests every crmkit store must pass; subclass and set ``store_url`` or override ``store``.

    Examples:
        >>> from crmkit.testing.adapter_suite import AdapterComplianceSuite
        >>> class TestMemory(AdapterComplianceSuite):
        ...     store_url = "memory://"
        >>> [n for n in dir(TestMemory) if n.startswith("test_")][:2]
        ['test_account_hierarchy_stays_a_tree', 'test_add_duplicate_id_conflicts']
    """

    #: The URL the default ``store`` fixture opens through the registry.
    store_url: str = "memory://"
    #: Extra keyword options for :func:`~crmkit.adapters.open_store`.
    store_options: dict[str, Any] = {}  # noqa: RUF012
    #: Hypothesis examples per aggregate in the round-trip test.
    max_examples: int = 15
    #: Whether the store enforces the references to accounts and their delete policies
    #: (:data:`crmkit.adapters.sql.schema.DELETE_POLICY`), as the SQL store does. A store
    #: that does not keeps entities whose account is missing and keeps an account's
    #: entities when the account is deleted; the suite checks whichever it declares.
    enforces_foreign_keys: bool = False

    @pytest.fixture
    def store(self) -> Iterator[Store]:
        """A fresh, empty store; override for stores that need set-up or clean-up."""
        store = open_store(self.store_url, **self.store_options)
        try:
            yield store
        finally:
            store.close()

    # CRUD -------------------------------------------------------------------------------

    @pytest.mark.parametrize("aggregate", aggregate_names())
    def test_add_then_get_returns_equal_entity(self, store: Store, aggregate: str) -> None:
        entity = sample_entity(aggregate)
        store_parents(store, [entity])
        with store.unit_of_work() as uow:
            added = uow.repository(aggregate).add(entity)
        assert added is entity
        assert entity.version == 1
        with store.unit_of_work() as uow:
            got = uow.repository(aggregate).get(entity.id)
        assert got == entity
        assert got is not entity

    def test_get_unknown_raises_not_found(self, store: Store) -> None:
        with store.unit_of_work() as uow, pytest.raises(NotFoundError, match="nope"):
            uow.accounts.get("nope")

    def test_add_duplicate_id_conflicts(self, store: Store) -> None:
        first = sample_entity("accounts")
        with store.unit_of_work() as uow:
            uow.accounts.add(first)
        with store.unit_of_work() as uow, pytest.raises(ConflictError, match=first.id):
            uow.accounts.add(sample_entity("accounts", id=first.id, name="Twin"))

    def test_add_duplicate_remote_id_conflicts(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.accounts.add(sample_entity("accounts", remote_id="hs-1"))
        with store.unit_of_work() as uow, pytest.raises(ConflictError, match="hs-1"):
            uow.accounts.add(sample_entity("accounts", remote_id="hs-1"))

    def test_add_many_counts_and_stores_all(self, store: Store) -> None:
        accounts = [sample_entity("accounts", name=f"Firm {i}") for i in range(25)]
        with store.unit_of_work() as uow:
            assert uow.accounts.add_many(accounts) == 25
        with store.unit_of_work() as uow:
            assert uow.accounts.count() == 25
            assert {a.id for a in uow.accounts.iter_all()} == {a.id for a in accounts}

    def test_save_bumps_version_and_persists(self, store: Store) -> None:
        opp = sample_entity("opportunities")
        store_parents(store, [opp])
        with store.unit_of_work() as uow:
            uow.opportunities.add(opp)
        before = opp.updated_at
        with store.unit_of_work() as uow:
            loaded = uow.opportunities.get(opp.id)
            loaded.name = "Bigger deal"
            saved = uow.opportunities.save(loaded)
        assert saved.version == 2
        assert saved.updated_at >= before
        with store.unit_of_work() as uow:
            again = uow.opportunities.get(opp.id)
        assert (again.name, again.version) == ("Bigger deal", 2)

    def test_save_from_stale_version_conflicts(self, store: Store) -> None:
        opp = sample_entity("opportunities")
        store_parents(store, [opp])
        with store.unit_of_work() as uow:
            uow.opportunities.add(opp)
        with store.unit_of_work() as uow:
            mine = uow.opportunities.get(opp.id)
        with store.unit_of_work() as uow:
            theirs = uow.opportunities.get(opp.id)
        with store.unit_of_work() as uow:
            theirs.name = "Theirs"
            uow.opportunities.save(theirs)
        mine.name = "Mine"
        with store.unit_of_work() as uow:
            with pytest.raises(ConflictError) as caught:
                uow.opportunities.save(mine)
            message = str(caught.value)
            assert opp.id in message
            assert "version 1" in message
            assert "2" in message
        assert mine.version == 1
        with store.unit_of_work() as uow:
            assert uow.opportunities.get(opp.id).name == "Theirs"

    def test_save_unknown_raises_not_found(self, store: Store) -> None:
        with store.unit_of_work() as uow, pytest.raises(NotFoundError):
            uow.accounts.save(sample_entity("accounts"))

    def test_returned_entities_are_copies(self, store: Store) -> None:
        acc = sample_entity("accounts", custom={"score": 1})
        with store.unit_of_work() as uow:
            uow.accounts.add(acc)
        with store.unit_of_work() as uow:
            loaded = uow.accounts.get(acc.id)
            loaded.name = "Changed but not saved"
            loaded.custom["score"] = 99
        with store.unit_of_work() as uow:
            fresh = uow.accounts.get(acc.id)
        assert (fresh.name, fresh.custom) == ("Acme AB", {"score": 1})

    def test_delete(self, store: Store) -> None:
        acc = sample_entity("accounts")
        with store.unit_of_work() as uow:
            uow.accounts.add(acc)
        with store.unit_of_work() as uow, pytest.raises(ConflictError):
            uow.accounts.delete(acc.id, version=5)
        with store.unit_of_work() as uow:
            uow.accounts.delete(acc.id, version=1)
        with store.unit_of_work() as uow:
            assert uow.accounts.count() == 0
            with pytest.raises(NotFoundError):
                uow.accounts.get(acc.id)
            with pytest.raises(NotFoundError):
                uow.accounts.delete(acc.id)

    def test_find_by_remote_id(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.contacts.add(sample_entity("contacts", remote_id="sf-003"))
        with store.unit_of_work() as uow:
            found = uow.contacts.find_by_remote_id("sf-003")
            assert found is not None
            assert found.remote_id == "sf-003"
            assert uow.contacts.find_by_remote_id("sf-999") is None

    def test_lookups_by_email_org_number_and_domain_normalise_both_sides(
        self, store: Store
    ) -> None:
        accounts = [
            sample_entity(
                "accounts",
                name="Nordvind AB",
                organisation_number="556677-8899",
                website="https://www.Nordvind.se/om",
            ),
            sample_entity("accounts", name="Fjord AS", organisation_number="998877665"),
        ]
        with store.unit_of_work() as uow:
            uow.accounts.add_many(accounts)
            uow.contacts.add_many(
                [
                    sample_entity("contacts", first_name="Anna", email="Anna.Berg@Nordvind.se"),
                    sample_entity("contacts", first_name="Bo", email="bo@fjord.no"),
                ]
            )
        with store.unit_of_work() as uow:
            assert [c.first_name for c in uow.contacts.find_by_email(" anna.berg@NORDVIND.SE")] == [
                "Anna"
            ]
            assert uow.contacts.find_by_email("nobody@nordvind.se") == []
            assert [a.name for a in uow.accounts.find_by_org_number("5566778899")] == [
                "Nordvind AB"
            ]
            assert [a.name for a in uow.accounts.find_by_domain("anna@nordvind.se")] == [
                "Nordvind AB"
            ]
            with pytest.raises(ValidationError, match="organisation number"):
                uow.accounts.find_by_org_number("n/a")
            with pytest.raises(ValidationError, match="e-mail"):
                uow.orders.find_by_email("anna.berg@nordvind.se")

    def test_conveniences_answer_as_the_generic_versions(self, store: Store) -> None:
        # A store may override any convenience of RepositoryQueries (the SQL store's indexed
        # lookups, the memory store's remote-id index); each must answer exactly as the
        # generic version written over the core does, errors included.
        d = _domain()
        self._seed_accounts(store)
        nordvind = sample_entity(
            "accounts",
            name="Nordvind AB",
            organisation_number="556677-8899",
            website="https://www.Nordvind.se/om",
            remote_id="hs-9",
        )
        opps = self._seed_deals(store)
        with store.unit_of_work() as uow:
            uow.accounts.add(nordvind)
            uow.opportunities.add_many(opps)
            uow.contacts.add_many(
                [
                    sample_entity("contacts", first_name="Anna", email="Anna.Berg@Nordvind.se"),
                    sample_entity("contacts", first_name="Bo", email="bo@fjord.no"),
                ]
            )
        calls: list[tuple[str, str, tuple[Any, ...], dict[str, Any]]] = [
            ("accounts", "find_by_remote_id", ("hs-9",), {}),
            ("accounts", "find_by_remote_id", ("hs-0",), {}),
            ("accounts", "by_owner", ("anna",), {}),
            ("accounts", "by_owner", ("anna",), {"limit": 1}),
            ("accounts", "by_status", (next(iter(d.AccountStatus)),), {}),
            ("accounts", "by_segment", ("A",), {}),
            ("accounts", "updated_since", (_T0 + timedelta(days=2),), {}),
            ("accounts", "search_name", ("ACME",), {"limit": 1}),
            ("accounts", "search_name", ("100%",), {}),
            ("accounts", "by_custom", ("fiscal_month", 7), {}),
            ("accounts", "iter_all", (), {"batch": 2}),
            ("accounts", "iter_all", (Query(owner_id="bo"),), {}),
            ("opportunities", "by_stage", ("propose",), {}),
            ("opportunities", "by_account", ("a1",), {"limit": 1}),
            ("contacts", "find_by_email", (" anna.berg@NORDVIND.SE",), {}),
            ("accounts", "find_by_org_number", ("5566778899",), {}),
            ("accounts", "find_by_org_number", ("n/a",), {}),
            ("accounts", "find_by_domain", ("anna@nordvind.se",), {}),
            ("contacts", "lookup", ("email", "bo@fjord.no"), {}),
            ("orders", "find_by_email", ("bo@fjord.no",), {}),
        ]
        covered = {name for _, name, _, _ in calls} | {"add_many"}
        assert covered == set(REPOSITORY_CONVENIENCES), "a convenience is not compared"
        with store.unit_of_work() as uow:
            for aggregate, name, args, kwargs in calls:
                repo = uow.repository(aggregate)
                generic = getattr(RepositoryQueries, name)
                answers = [
                    _answer(aggregate, getattr(repo, name), *args, **kwargs),
                    _answer(aggregate, generic, repo, *args, **kwargs),
                ]
                assert answers[0] == answers[1], f"{aggregate}.{name}{args}"
        batch = [
            sample_entity("accounts", name=f"Bulk {i}", remote_id=f"bulk-{i}") for i in range(3)
        ]
        written = []
        for generic in (False, True):
            copies = copy.deepcopy(batch)
            with store.unit_of_work() as uow:
                if generic:
                    count = RepositoryQueries.add_many(uow.accounts, iter(copies))
                else:
                    count = uow.accounts.add_many(iter(copies))
                found = _answer("accounts", uow.accounts.search_name, "bulk")
                written.append((count, [e.version for e in copies], found))
                uow.rollback()
        assert written[0] == written[1]
        assert written[0][0] == 3

    def test_upsert_by_id_inserts_then_replaces(self, store: Store) -> None:
        products = [sample_entity("products", sku=f"S{i}") for i in range(3)]
        with store.unit_of_work() as uow:
            assert uow.products.upsert_many(products).inserted == 3
        products[0].name = "Renamed"
        with store.unit_of_work() as uow:
            result = uow.products.upsert_many([products[0], sample_entity("products")])
        assert (result.inserted, result.updated) == (1, 1)
        assert products[0].version == 2
        with store.unit_of_work() as uow:
            assert uow.products.count() == 4
            assert uow.products.get(products[0].id).name == "Renamed"

    def test_upsert_by_remote_id_is_idempotent(self, store: Store) -> None:
        def batch() -> list[Any]:
            return [
                sample_entity("leads", company_name=f"Co {i}", remote_id=f"hs-{i}")
                for i in range(4)
            ]

        with store.unit_of_work() as uow:
            first = uow.leads.upsert_many(batch(), key="remote_id")
        again = batch()
        with store.unit_of_work() as uow:
            second = uow.leads.upsert_many(again, key="remote_id")
        assert (first.inserted, first.updated) == (4, 0)
        assert (second.inserted, second.updated) == (0, 4)
        with store.unit_of_work() as uow:
            assert uow.leads.count() == 4
            stored = uow.leads.find_by_remote_id("hs-2")
        assert stored is not None
        assert stored.id == again[2].id
        assert stored.version == 2

    def test_upsert_by_remote_id_requires_remote_id(self, store: Store) -> None:
        with store.unit_of_work() as uow, pytest.raises(ValidationError, match="remote_id"):
            uow.leads.upsert_many([sample_entity("leads")], key="remote_id")

    def test_wrong_entity_type_is_refused(self, store: Store) -> None:
        with store.unit_of_work() as uow, pytest.raises(ValidationError, match="Account"):
            uow.accounts.add(sample_entity("contacts"))

    # Queries ----------------------------------------------------------------------------

    def _seed_accounts(self, store: Store) -> list[Any]:
        d = _domain()
        statuses = list(d.AccountStatus)
        accounts = [
            sample_entity(
                "accounts",
                name=name,
                owner_id=owner,
                tier=tier,
                status=statuses[i % len(statuses)],
                custom=custom,
                updated_at=_T0 + timedelta(days=i),
                created_at=_T0,
            )
            for i, (name, owner, tier, custom) in enumerate(
                [
                    ("Acme AB", "anna", "A", {"fiscal_month": 7, "vip": True}),
                    ("Öresund Logistik", "anna", "B", {"fiscal_month": 7.0, "vip": False}),
                    ("Nordic 100% Steel", "bo", "A", {"fiscal_month": "7", "vip": 1}),
                    ("Fjord_Fisk AS", "bo", "C", {"fiscal_month": None}),
                    ("Acme Holding", None, None, {}),
                ]
            )
        ]
        with store.unit_of_work() as uow:
            uow.accounts.add_many(accounts)
        return accounts

    @staticmethod
    def _seed_deals(store: Store) -> list[Any]:
        """Three opportunities (two of account a1, two at stage propose), their accounts
        stored; the opportunities are for the caller to add."""
        opps = [
            sample_entity("opportunities", name=f"Deal {i}", stage_key=stage, account_id=acc)
            for i, (stage, acc) in enumerate(
                [("qualify", "a1"), ("propose", "a1"), ("propose", "a2")]
            )
        ]
        store_parents(store, opps)
        return opps

    @staticmethod
    def _names(page: Any) -> list[str]:
        return sorted(e.name for e in page)

    def test_query_by_owner(self, store: Store) -> None:
        self._seed_accounts(store)
        with store.unit_of_work() as uow:
            assert self._names(uow.accounts.by_owner("anna")) == ["Acme AB", "Öresund Logistik"]
            assert uow.accounts.by_owner("nobody").items == []

    def test_query_by_status_accepts_enum_or_value(self, store: Store) -> None:
        accounts = self._seed_accounts(store)
        status = accounts[0].status
        expected = sorted(a.name for a in accounts if a.status == status)
        with store.unit_of_work() as uow:
            assert self._names(uow.accounts.by_status(status)) == expected
            assert self._names(uow.accounts.by_status(status.value)) == expected

    def test_query_by_segment(self, store: Store) -> None:
        self._seed_accounts(store)
        with store.unit_of_work() as uow:
            assert self._names(uow.accounts.by_segment("A")) == ["Acme AB", "Nordic 100% Steel"]

    def test_query_updated_since(self, store: Store) -> None:
        self._seed_accounts(store)
        with store.unit_of_work() as uow:
            page = uow.accounts.updated_since(_T0 + timedelta(days=3))
        assert self._names(page) == ["Acme Holding", "Fjord_Fisk AS"]

    def test_name_search_ignores_case_and_treats_wildcards_literally(self, store: Store) -> None:
        self._seed_accounts(store)
        with store.unit_of_work() as uow:
            assert self._names(uow.accounts.search_name("ACME")) == ["Acme AB", "Acme Holding"]
            assert self._names(uow.accounts.search_name("öresund")) == ["Öresund Logistik"]
            assert self._names(uow.accounts.search_name("100%")) == ["Nordic 100% Steel"]
            assert self._names(uow.accounts.search_name("_")) == ["Fjord_Fisk AS"]
            assert uow.accounts.search_name("a%b").items == []

    def test_query_by_custom_property_compares_json_values(self, store: Store) -> None:
        self._seed_accounts(store)
        with store.unit_of_work() as uow:
            numbers = self._names(uow.accounts.by_custom("fiscal_month", 7))
            text = self._names(uow.accounts.by_custom("fiscal_month", "7"))
            nulls = self._names(uow.accounts.by_custom("fiscal_month", None))
            trues = self._names(uow.accounts.by_custom("vip", True))
            ones = self._names(uow.accounts.by_custom("vip", 1))
            missing = uow.accounts.by_custom("not_there", "x").items
        assert numbers == ["Acme AB", "Öresund Logistik"]
        assert text == ["Nordic 100% Steel"]
        assert nulls == ["Fjord_Fisk AS"]
        assert trues == ["Acme AB"]
        assert ones == ["Nordic 100% Steel"]
        assert missing == []

    def test_combined_query_and_count(self, store: Store) -> None:
        self._seed_accounts(store)
        query = Query(owner_id="bo", segment="A", name="steel", custom={"vip": 1})
        with store.unit_of_work() as uow:
            assert self._names(uow.accounts.find(query)) == ["Nordic 100% Steel"]
            assert uow.accounts.count(query) == 1
            assert uow.accounts.count(Query(owner_id="anna")) == 2
            assert uow.accounts.count() == 5

    def test_query_by_stage_and_account(self, store: Store) -> None:
        opps = self._seed_deals(store)
        with store.unit_of_work() as uow:
            uow.opportunities.add_many(opps)
        with store.unit_of_work() as uow:
            assert self._names(uow.opportunities.by_stage("propose")) == ["Deal 1", "Deal 2"]
            assert self._names(uow.opportunities.by_account("a1")) == ["Deal 0", "Deal 1"]

    def test_case_owner_is_its_agent(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.cases.add(sample_entity("cases", subject="Late delivery", agent_id="agent-7"))
        with store.unit_of_work() as uow:
            assert [c.subject for c in uow.cases.by_owner("agent-7")] == ["Late delivery"]

    def test_unsupported_filter_is_refused(self, store: Store) -> None:
        with store.unit_of_work() as uow, pytest.raises(ValidationError, match="stage"):
            uow.accounts.find(Query(stage="propose"))

    # Paging -----------------------------------------------------------------------------

    def test_pages_cover_every_entity_once_in_id_order(self, store: Store) -> None:
        accounts = [sample_entity("accounts", name=f"Firm {i}") for i in range(23)]
        with store.unit_of_work() as uow:
            uow.accounts.add_many(accounts)
        seen: list[str] = []
        cursor = None
        pages = 0
        with store.unit_of_work() as uow:
            while True:
                page = uow.accounts.find(limit=5, cursor=cursor)
                seen.extend(a.id for a in page)
                pages += 1
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
        assert pages == 5
        assert seen == sorted(a.id for a in accounts)

    def test_page_of_exact_size_has_no_next_cursor(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.accounts.add_many(sample_entity("accounts") for _ in range(4))
        with store.unit_of_work() as uow:
            assert uow.accounts.find(limit=4).next_cursor is None

    def test_page_size_is_validated(self, store: Store) -> None:
        with store.unit_of_work() as uow, pytest.raises(ValidationError, match="limit"):
            uow.accounts.find(limit=0)

    # Transactions -----------------------------------------------------------------------

    def test_exception_rolls_back_everything(self, store: Store) -> None:
        kept = sample_entity("accounts", name="Kept")
        with store.unit_of_work() as uow:
            uow.accounts.add(kept)

        def crash() -> None:
            with store.unit_of_work() as uow:
                uow.accounts.add(sample_entity("accounts", name="Ghost"))
                uow.contacts.add_many(sample_entity("contacts") for _ in range(3))
                loaded = uow.accounts.get(kept.id)
                loaded.name = "Changed"
                uow.accounts.save(loaded)
                uow.orders.upsert_many([sample_entity("orders", account_id=kept.id)])
                raise RuntimeError("crash in the middle")

        with pytest.raises(RuntimeError):
            crash()
        with store.unit_of_work() as uow:
            assert [a.name for a in uow.accounts.iter_all()] == ["Kept"]
            assert uow.accounts.get(kept.id).version == 1
            assert uow.contacts.count() == 0
            assert uow.orders.count() == 0

    def test_explicit_rollback_and_commit(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.campaigns.add(sample_entity("campaigns", name="Committed"))
            uow.commit()
            uow.campaigns.add(sample_entity("campaigns", name="Rolled back"))
            uow.rollback()
        with store.unit_of_work() as uow:
            assert [c.name for c in uow.campaigns.iter_all()] == ["Committed"]

    def test_delete_rolls_back(self, store: Store) -> None:
        acc = sample_entity("accounts")
        with store.unit_of_work() as uow:
            uow.accounts.add(acc)

        def undo() -> None:
            with store.unit_of_work() as uow:
                uow.accounts.delete(acc.id)
                raise RuntimeError("undo")

        with pytest.raises(RuntimeError):
            undo()
        with store.unit_of_work() as uow:
            assert uow.accounts.get(acc.id) == acc

    def test_rollback_restores_the_callers_versions(self, store: Store) -> None:
        stored = sample_entity("accounts", name="Stored")
        with store.unit_of_work() as uow:
            uow.accounts.add(stored)
        before = stored.updated_at
        fresh = sample_entity("contacts")
        upserted = sample_entity("orders", account_id=stored.id)

        def crash() -> None:
            with store.unit_of_work() as uow:
                stored.name = "Changed"
                uow.accounts.save(stored)
                uow.contacts.add(fresh)
                uow.orders.upsert_many([upserted])
                assert (stored.version, fresh.version, upserted.version) == (2, 1, 1)
                raise RuntimeError("crash after the writes")

        with pytest.raises(RuntimeError):
            crash()
        assert (stored.version, fresh.version, upserted.version) == (1, 0, 0)
        assert stored.updated_at == before
        with store.unit_of_work() as uow:  # the caller's object can be saved again
            uow.accounts.save(stored)
            uow.contacts.add(fresh)
        with store.unit_of_work() as uow:
            assert uow.accounts.get(stored.id).name == "Changed"
            assert uow.accounts.get(stored.id).version == 2
            assert uow.contacts.get(fresh.id).version == 1

    def test_explicit_rollback_restores_versions_but_not_committed_work(self, store: Store) -> None:
        acc = sample_entity("accounts")
        with store.unit_of_work() as uow:
            uow.accounts.add(acc)
            uow.commit()
            acc.name = "Renamed"
            uow.accounts.save(acc)
            uow.rollback()
            assert acc.version == 1
        with store.unit_of_work() as uow:
            assert uow.accounts.get(acc.id).version == 1

    def test_unit_of_work_is_refused_after_its_with_block(self, store: Store) -> None:
        from crmkit.errors import UnitOfWorkClosedError

        with store.unit_of_work() as uow:
            accounts = uow.accounts
            accounts.add(sample_entity("accounts"))
        late = sample_entity("accounts", name="Too late")
        for use in (
            lambda: uow.accounts.count(),
            lambda: accounts.add(late),
            lambda: accounts.find(),
            uow.commit,
            uow.rollback,
        ):
            with pytest.raises(UnitOfWorkClosedError, match="unit_of_work"):
                use()
        assert late.version == 0
        with store.unit_of_work() as uow:  # the store itself is fine
            assert uow.accounts.count() == 1
            uow.accounts.add(sample_entity("accounts"))
        with store.unit_of_work() as uow:
            assert uow.accounts.count() == 2

    def test_unknown_aggregate_is_not_found(self, store: Store) -> None:
        with store.unit_of_work() as uow, pytest.raises(NotFoundError, match="accounts"):
            uow.repository("unicorns")

    def test_schema_version_is_reported(self, store: Store) -> None:
        assert store.schema_version >= 1

    # Round trip -------------------------------------------------------------------------

    @pytest.mark.parametrize("aggregate", aggregate_names())
    def test_round_trip_of_generated_entities(self, store: Store, aggregate: str) -> None:
        strategy = entity_strategies()[aggregate]

        @settings(
            max_examples=self.max_examples,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        )
        @given(entity=strategy)
        def check(entity: Any) -> None:
            repo_name = aggregate
            store_parents(store, [entity])
            with store.unit_of_work() as uow:
                uow.repository(repo_name).add(entity)
            try:
                with store.unit_of_work() as uow:
                    got = uow.repository(repo_name).get(entity.id)
                    if entity.remote_id is not None:
                        by_remote = uow.repository(repo_name).find_by_remote_id(entity.remote_id)
                        assert by_remote == entity
            finally:
                with store.unit_of_work() as uow:
                    uow.repository(repo_name).delete(entity.id)
            assert got == entity
            assert got.version == 1

        check()

    # The object model: users, activities, price books and quotes ---------------------------

    def test_object_model_queries(self, store: Store) -> None:
        d = _domain()
        anna = sample_entity("users", name="Anna Lind", role=d.UserRole.SALES_MANAGER)
        bo = sample_entity("users", name="Bo Berg", email="bo@example.se")
        due = datetime(2025, 3, 3, 9, tzinfo=UTC)
        call = sample_entity("tasks", subject="Call Acme", assignee_id=anna.id, due_at=due)
        mail = sample_entity("tasks", subject="Mail Nordvind", assignee_id=bo.id)
        mail.complete(due)
        sent = sample_entity("quotes", quote_number="Q-1", owner_id=anna.id)
        sent.send(due)
        draft = sample_entity("quotes", account_id="acc-2", quote_number="Q-2")
        store_parents(store, [sent, draft])
        with store.unit_of_work() as uow:
            uow.users.add_many([anna, bo])
            uow.tasks.add_many([call, mail])
            uow.quotes.add_many([sent, draft])
            uow.notes.add(sample_entity("notes", author_id=bo.id))
        with store.unit_of_work() as uow:
            assert [u.name for u in uow.users.by_segment("sales_manager")] == ["Anna Lind"]
            assert [u.name for u in uow.users.search_name("BO@EXAMPLE")] == ["Bo Berg"]
            assert [t.subject for t in uow.tasks.by_owner(anna.id)] == ["Call Acme"]
            assert [t.subject for t in uow.tasks.by_status(d.TaskStatus.DONE)] == ["Mail Nordvind"]
            assert [t.subject for t in uow.tasks.search_name("nordvind")] == ["Mail Nordvind"]
            assert [q.quote_number for q in uow.quotes.by_status("sent")] == ["Q-1"]
            assert [q.quote_number for q in uow.quotes.by_account("acc-2")] == ["Q-2"]
            assert [q.quote_number for q in uow.quotes.by_owner(anna.id)] == ["Q-1"]
            assert uow.notes.by_owner(bo.id).items[0].author_id == bo.id
            loaded = uow.quotes.get(sent.id)
        assert loaded.total == sent.total
        assert loaded.sent_at == due

    def test_deleting_an_account_with_a_quote(self, store: Store) -> None:
        quote = sample_entity("quotes")
        store_parents(store, [quote])
        with store.unit_of_work() as uow:
            uow.quotes.add(quote)
        if self.enforces_foreign_keys:  # quotes RESTRICT, like orders
            with store.unit_of_work() as uow, pytest.raises(ConflictError, match="quotes"):
                uow.accounts.delete(quote.account_id)
            with store.unit_of_work() as uow:
                uow.quotes.delete(quote.id)
        with store.unit_of_work() as uow:
            uow.accounts.delete(quote.account_id)
        with store.unit_of_work() as uow:
            assert uow.accounts.count() == 0

    # References between aggregates ----------------------------------------------------------

    def test_an_entity_naming_a_missing_account(self, store: Store) -> None:
        orphan = sample_entity("opportunities", account_id="no-such-account")
        if self.enforces_foreign_keys:
            with store.unit_of_work() as uow:
                with pytest.raises(ValidationError, match="no-such-account") as error:
                    uow.opportunities.add(orphan)
                assert error.value.problems[0].path == "opportunities.account_id"
                assert orphan.version == 0
            with store.unit_of_work() as uow:
                assert uow.opportunities.count() == 0
        else:
            with store.unit_of_work() as uow:
                uow.opportunities.add(orphan)
            with store.unit_of_work() as uow:
                assert uow.opportunities.get(orphan.id) == orphan

    def test_deleting_an_account_follows_the_delete_policy(self, store: Store) -> None:
        account = sample_entity("accounts", name="Leaving AB")
        other = sample_entity("accounts", name="Staying AB")
        children = {
            "contacts": sample_entity("contacts", account_id=account.id),
            "opportunities": sample_entity("opportunities", account_id=account.id),
            "interactions": sample_entity("interactions", account_id=account.id),
            "cases": sample_entity("cases", account_id=account.id),
            "key_account_relationships": sample_entity(
                "key_account_relationships", account_id=account.id
            ),
        }
        order = sample_entity("orders", account_id=account.id)
        agreement = sample_entity("agreements", account_id=account.id)
        kept_order = sample_entity("orders", account_id=other.id)
        with store.unit_of_work() as uow:
            uow.accounts.add_many([account, other])
            for name, child in children.items():
                uow.repository(name).add(child)
            uow.orders.add_many([order, kept_order])
            uow.repository("agreements").add(agreement)
        if not self.enforces_foreign_keys:
            with store.unit_of_work() as uow:
                uow.accounts.delete(account.id)
            with store.unit_of_work() as uow:
                for name, child in children.items():
                    assert uow.repository(name).get(child.id) == child
            return
        # orders and agreements RESTRICT: the account stays while it has any
        restricted = pytest.raises(ConflictError, match="orders and agreements")
        with store.unit_of_work() as uow, restricted:
            uow.accounts.delete(account.id)
        with store.unit_of_work() as uow:
            assert uow.accounts.get(account.id) == account
            uow.orders.delete(order.id)
        with store.unit_of_work() as uow, pytest.raises(ConflictError, match="agreements"):
            uow.accounts.delete(account.id)
        with store.unit_of_work() as uow:
            uow.repository("agreements").delete(agreement.id)
        # contacts, opportunities, interactions, cases, key-account relationships CASCADE
        with store.unit_of_work() as uow:
            uow.accounts.delete(account.id)
        with store.unit_of_work() as uow:
            for name in children:
                assert uow.repository(name).count() == 0, name
            assert [o.id for o in uow.orders.iter_all()] == [kept_order.id]
            assert [a.id for a in uow.accounts.iter_all()] == [other.id]

    # Duplicates, merge and GDPR (crmkit.adapters.merge, crmkit.adapters.privacy) ----------

    def _graph(self, store: Store, text: str | None = None) -> dict[str, Any]:
        """Two accounts and two contacts ("keep", "drop") and a record of every other
        aggregate that refers to the "drop" account and contact."""
        keep_account = sample_entity("accounts", name="Keep AB")
        drop_account = sample_entity("accounts", name="Drop AB", organisation_number="5566778899")
        keep = sample_entity(
            "contacts", first_name="Kim", last_name="Keep", account_id=keep_account.id
        )
        drop = sample_entity(
            "contacts",
            first_name="Dag",
            last_name="Dropsson",
            email="dag@dropsson.se",
            phone="+46 70 999 88 77",
            account_id=drop_account.id,
        )
        keep_account.link_contact(keep.id, "buyer")
        keep_account.link_contact(drop.id, "buyer")
        children = {
            name: referring_entity(name, account_id=drop_account.id, contact_id=drop.id, text=text)
            for name in aggregate_names()
            if name not in ("accounts", "contacts")
        }
        with store.unit_of_work() as uow:
            uow.accounts.add_many([keep_account, drop_account])
            uow.contacts.add_many([keep, drop])
            for name, child in children.items():
                uow.repository(name).add(child)
        return {
            "keep_account": keep_account,
            "drop_account": drop_account,
            "keep": keep,
            "drop": drop,
            "children": children,
        }

    @staticmethod
    def _documents(store: Store) -> dict[str, list[dict[str, Any]]]:
        with store.unit_of_work() as uow:
            return {
                name: [aggregate_for(name).to_document(e) for e in uow.repository(name).iter_all()]
                for name in aggregate_names()
            }

    def test_merging_contacts_relinks_every_reference(self, store: Store) -> None:
        from crmkit.adapters.merge import merge_contacts

        graph = self._graph(store)
        keep, drop = graph["keep"], graph["drop"]
        with store.unit_of_work() as uow:
            record = merge_contacts(uow, keep.id, drop.id)
        documents = self._documents(store)
        assert drop.id not in json.dumps(documents)
        assert [d["id"] for d in documents["contacts"]] == [keep.id]
        for name, child in graph["children"].items():
            (stored,) = [d for d in documents[name] if d["id"] == child.id]
            if drop.id in json.dumps(aggregate_for(name).to_document(child)):
                assert keep.id in json.dumps(stored), name
                assert child.id in record.relinked[name], name
        keep_account = aggregate_for("accounts").from_document(documents["accounts"][0])
        assert [(r.contact_id, r.is_primary) for r in keep_account.contact_roles] == [
            (keep.id, True)
        ]

    def test_merging_accounts_relinks_every_reference(self, store: Store) -> None:
        from crmkit.adapters.merge import merge_accounts

        graph = self._graph(store)
        keep, drop = graph["keep_account"], graph["drop_account"]
        with store.unit_of_work() as uow:
            merge_accounts(uow, keep.id, drop.id)
        documents = self._documents(store)
        assert drop.id not in json.dumps(documents)
        (kept,) = documents["accounts"]
        assert (kept["id"], kept["name"], kept["organisation_number"]) == (
            keep.id,
            "Keep AB",
            "5566778899",
        )
        for name, child in graph["children"].items():
            if getattr(child, "account_id", None) == drop.id:
                (stored,) = [d for d in documents[name] if d["id"] == child.id]
                assert stored["account_id"] == keep.id, name

    def test_merge_is_undone_by_rollback(self, store: Store) -> None:
        from crmkit.adapters.merge import merge_accounts, merge_contacts

        graph = self._graph(store)
        before = self._documents(store)
        with store.unit_of_work() as uow:
            merge_contacts(uow, graph["keep"].id, graph["drop"].id)
            merge_accounts(uow, graph["keep_account"].id, graph["drop_account"].id)
            uow.rollback()
        assert self._documents(store) == before

    def test_duplicates_are_found_in_a_store(self, store: Store) -> None:
        from crmkit.domain.duplicates import find_duplicate_contacts

        graph = self._graph(store)
        twin = sample_entity(
            "contacts", first_name="Dag", last_name="Dropsson", email="DAG@dropsson.se"
        )
        with store.unit_of_work() as uow:
            uow.contacts.add(twin)
            (pair,) = find_duplicate_contacts(uow.contacts.iter_all())
        assert {pair.survivor_id, pair.duplicate_id} == {graph["drop"].id, twin.id}
        assert pair.reason_names == ("email",)

    def test_subject_export_holds_every_record_that_mentions_the_contact(
        self, store: Store
    ) -> None:
        from crmkit.adapters.privacy import export_subject

        graph = self._graph(store, text="Met Dag Dropsson at the fair")
        drop = graph["drop"]
        with store.unit_of_work() as uow:
            export = export_subject(uow, drop.id)
        assert json.loads(json.dumps(export)) == export
        exported = {(name, d["id"]) for name, docs in export["records"].items() for d in docs}
        expected = {("contacts", drop.id), ("accounts", graph["keep_account"].id)}
        for name, child in graph["children"].items():
            document = json.dumps(aggregate_for(name).to_document(child))
            if drop.id in document or "Dag Dropsson" in document:
                expected.add((name, child.id))
        assert exported == expected

    def test_erasure_leaves_no_personal_data_and_keeps_every_record_valid(
        self, store: Store
    ) -> None:
        from crmkit.adapters.privacy import erase_subject

        graph = self._graph(store, text="Met Dag Dropsson (dag@dropsson.se, +46 70 999 88 77)")
        drop = graph["drop"]
        before = self._documents(store)
        with store.unit_of_work() as uow:
            erase_subject(uow, drop.id)
        documents = self._documents(store)
        text = json.dumps(documents, ensure_ascii=False).casefold()
        for personal in ("Dag Dropsson", "Dropsson", "dag@dropsson.se", "+46 70 999 88 77"):
            assert personal.casefold() not in text, personal
        assert {n: [d["id"] for d in docs] for n, docs in documents.items()} == {
            n: [d["id"] for d in docs] for n, docs in before.items()
        }
        for name, docs in documents.items():
            for document in docs:
                aggregate_for(name).from_document(document).revalidate()

    # account hierarchies and the audit trail ---------------------------------------------

    def test_account_hierarchy_stays_a_tree(self, store: Store) -> None:
        from crmkit.errors import HierarchyCycleError

        with store.unit_of_work() as uow:
            group = uow.accounts.add(sample_entity("accounts", id="h-group", name="Group"))
            uow.accounts.add(sample_entity("accounts", id="h-se", parent_id="h-group"))
            uow.accounts.add(sample_entity("accounts", id="h-sth", parent_id="h-se"))
        with store.unit_of_work() as uow:
            group.parent_id = "h-sth"
            with pytest.raises(HierarchyCycleError):
                uow.accounts.save(group)
            with pytest.raises(ValidationError):
                uow.accounts.add(sample_entity("accounts", parent_id="h-nowhere"))
        with store.unit_of_work() as uow:
            uow.accounts.delete("h-se")
        with store.unit_of_work() as uow:
            assert uow.accounts.get("h-sth").parent_id is None
            assert uow.accounts.get("h-group").parent_id is None

    def test_audit_trail_is_written_with_the_change(self, store: Store) -> None:
        from crmkit.adapters.audit import AuditLog, audit_trail

        with store.unit_of_work() as uow:
            if not isinstance(uow, AuditLog):
                return  # this store keeps no audit trail; nothing to hold it to
            acme = uow.accounts.add(sample_entity("accounts", tier="B"))
        with store.unit_of_work(actor="u-audit") as uow:
            acme.tier = "A"
            uow.accounts.save(acme)
        with store.unit_of_work(actor="u-ghost") as uow:
            acme.tier = "C"
            uow.accounts.save(acme)
            uow.rollback()
        with store.unit_of_work() as uow:
            trail = audit_trail(uow, "accounts", acme.id)
        assert [(e.field, e.old, e.new, e.actor) for e in trail] == [("tier", "B", "A", "u-audit")]
