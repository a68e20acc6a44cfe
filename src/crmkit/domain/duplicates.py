"""Duplicates: finding records that are likely the same person or company, and combining two.

:func:`find_duplicate_contacts` and :func:`find_duplicate_accounts` compare records by
*matching keys* (the normal forms of :mod:`crmkit.domain.normalise`) and return
:class:`DuplicateCandidate` pairs with the reasons they matched and a score. They group
records by key ("blocking") instead of comparing every pair, so the work grows with the number
of records, not its square; a key shared by more than ``max_block`` records (a switchboard
number, ``info@``) says nothing about two of them and is skipped. They take any iterable of
records — a list, or ``uow.contacts.iter_all()`` to scan a store page by page — and keep only
the ids and keys, not the records.

:func:`combine` is the field rule of a merge (:func:`crmkit.adapters.merge.merge_contacts`
stores it): the survivor wins where it has a value, the duplicate fills the gaps.

Examples:
    >>> from crmkit.domain import Contact
    >>> from crmkit.domain.duplicates import find_duplicate_contacts
    >>> people = [Contact("Anna", "Lind", email="anna@lind.se", id="c1"),
    ...           Contact("Anna", "Lind", email="ANNA@Lind.se", id="c2"),
    ...           Contact("Bo", "Ek", id="c3")]
    >>> [(p.survivor_id, p.duplicate_id, p.reason_names, p.score)
    ...  for p in find_duplicate_contacts(people)]
    [('c1', 'c2', ('email',), 0.9)]
"""

from __future__ import annotations

import enum
import itertools
import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from datetime import datetime
from typing import Any, TypeVar

import attrs

from crmkit.domain.account import Account
from crmkit.domain.aggregate import AggregateRoot
from crmkit.domain.contact import Consent, Contact
from crmkit.domain.normalise import (
    e164,
    normalise_company_name,
    normalise_domain,
    normalise_email,
    normalise_name,
    normalise_organisation_number,
)
from crmkit.errors import ValidationError

__all__ = [
    "DEFAULT_MAX_BLOCK",
    "DuplicateCandidate",
    "DuplicateReason",
    "combine",
    "find_duplicate_accounts",
    "find_duplicate_contacts",
    "stricter_consent",
]

#: Keys shared by more records than this are not evidence of a duplicate (see module text).
DEFAULT_MAX_BLOCK = 100

E = TypeVar("E", bound=AggregateRoot)


class DuplicateReason(enum.Enum):
    """Why two records look like the same person or company, with the weight of that evidence.

    A pair's score is ``1 − ∏(1 − weight)`` over its reasons: one reason scores its weight,
    every further reason raises the score towards 1.

    ========================= ====== =========================================================
    reason                    weight matches
    ========================= ====== =========================================================
    ``email``                 0.9    contacts: the same e-mail address, ignoring case
    ``phone``                 0.7    contacts: the same phone number in E.164 form
    ``name_and_account``      0.8    contacts: the same normalised name at the same account
    ``organisation_number``   0.95   accounts: the same organisation number (digits)
    ``domain``                0.7    accounts: the same web domain
    ``name``                  0.6    accounts: the same name without legal form
    ========================= ====== =========================================================

    Examples:
        >>> from crmkit.domain.duplicates import DuplicateReason
        >>> DuplicateReason.EMAIL.weight
        0.9
    """

    EMAIL = "email"
    PHONE = "phone"
    NAME_AND_ACCOUNT = "name_and_account"
    ORGANISATION_NUMBER = "organisation_number"
    DOMAIN = "domain"
    NAME = "name"

    @property
    def weight(self) -> float:
        """The evidence weight of this reason (between 0 and 1)."""
        return _WEIGHTS[self]


_WEIGHTS = {
    DuplicateReason.EMAIL: 0.9,
    DuplicateReason.PHONE: 0.7,
    DuplicateReason.NAME_AND_ACCOUNT: 0.8,
    DuplicateReason.ORGANISATION_NUMBER: 0.95,
    DuplicateReason.DOMAIN: 0.7,
    DuplicateReason.NAME: 0.6,
}


@attrs.frozen
class DuplicateCandidate:
    """Two records that are likely the same, the reasons and a score.

    Attributes:
        survivor_id: the suggested survivor of a merge: the older record (earlier
            ``created_at``, then the smaller id).
        duplicate_id: the other record.
        reasons: why they match, in :class:`DuplicateReason` order.
        score: ``1 − ∏(1 − weight)`` over the reasons, rounded to 4 places.

    Examples:
        >>> from crmkit.domain.duplicates import DuplicateCandidate, DuplicateReason
        >>> pair = DuplicateCandidate("a1", "a2", (DuplicateReason.NAME, DuplicateReason.DOMAIN))
        >>> pair.score, pair.reason_names
        (0.88, ('name', 'domain'))
    """

    survivor_id: str
    duplicate_id: str
    reasons: tuple[DuplicateReason, ...]
    score: float = attrs.field()

    @score.default
    def _score(self) -> float:
        return round(1 - math.prod(1 - reason.weight for reason in self.reasons), 4)

    @property
    def reason_names(self) -> tuple[str, ...]:
        """The reasons' names (``"email"`` …).

        Examples:
            >>> from crmkit.domain.duplicates import DuplicateCandidate, DuplicateReason
            >>> DuplicateCandidate("c1", "c2", (DuplicateReason.PHONE,)).reason_names
            ('phone',)
        """
        return tuple(reason.value for reason in self.reasons)


Keys = Callable[[Any], Iterable[tuple[DuplicateReason, Hashable]]]


def _candidates(records: Iterable[Any], keys: Keys, max_block: int) -> list[DuplicateCandidate]:
    if isinstance(max_block, bool) or not isinstance(max_block, int) or max_block < 2:
        raise ValidationError.single("max_block", max_block, "must be an integer of 2 or more")
    blocks: dict[tuple[DuplicateReason, Hashable], list[tuple[datetime, str]]] = defaultdict(list)
    for record in records:
        seen: set[tuple[DuplicateReason, Hashable]] = set()
        for reason, key in keys(record):
            if key is not None and (reason, key) not in seen:
                seen.add((reason, key))
                blocks[reason, key].append((record.created_at, record.id))
    pairs: dict[tuple[str, str], set[DuplicateReason]] = defaultdict(set)
    for (reason, _), members in blocks.items():
        if not 2 <= len(members) <= max_block:
            continue
        for first, second in itertools.combinations(sorted(set(members)), 2):
            if first[1] != second[1]:
                pairs[first[1], second[1]].add(reason)
    order = list(DuplicateReason)
    found = [
        DuplicateCandidate(survivor, duplicate, tuple(sorted(reasons, key=order.index)))
        for (survivor, duplicate), reasons in pairs.items()
    ]
    found.sort(key=lambda c: (-c.score, c.survivor_id, c.duplicate_id))
    return found


def find_duplicate_contacts(
    contacts: Iterable[Contact],
    *,
    country_code: str | None = None,
    max_block: int = DEFAULT_MAX_BLOCK,
) -> list[DuplicateCandidate]:
    """Pairs of contacts that are likely the same person, highest score first.

    Contacts match on the same e-mail address (ignoring case and spaces), the same phone
    number in E.164 form (national numbers read with ``country_code``, see
    :func:`~crmkit.domain.normalise.e164`), or the same normalised name at the same account.

    Args:
        contacts: the contacts; any iterable (``uow.contacts.iter_all()`` for a store).
        country_code: the calling code national phone numbers belong to (``"46"``).
        max_block: a key shared by more contacts than this is skipped.

    Examples:
        >>> from crmkit.domain import Contact
        >>> from crmkit.domain.duplicates import find_duplicate_contacts
        >>> people = [Contact("Åsa", "Ek", account_id="a1", phone="08-12 34 56", id="c1"),
        ...           Contact("asa", "EK", account_id="a1", phone="+46 8 12 34 56", id="c2")]
        >>> [(p.reason_names, p.score) for p in find_duplicate_contacts(people, country_code="46")]
        [(('phone', 'name_and_account'), 0.94)]
    """

    def keys(contact: Contact) -> Iterable[tuple[DuplicateReason, Hashable]]:
        yield DuplicateReason.EMAIL, normalise_email(contact.email)
        yield DuplicateReason.PHONE, e164(contact.phone, country_code=country_code)
        name = normalise_name(contact.full_name)
        if name is not None and contact.account_id is not None:
            yield DuplicateReason.NAME_AND_ACCOUNT, (name, contact.account_id)

    return _candidates(contacts, keys, max_block)


def find_duplicate_accounts(
    accounts: Iterable[Account], *, max_block: int = DEFAULT_MAX_BLOCK
) -> list[DuplicateCandidate]:
    """Pairs of accounts that are likely the same company, highest score first.

    Accounts match on the same organisation number (its digits), the same web domain
    (``https://www.acme.se/`` is ``acme.se``) or the same name without its legal form
    (``Acme AB`` is ``ACME Aktiebolag``; see
    :func:`~crmkit.domain.normalise.normalise_company_name`).

    Args:
        accounts: the accounts; any iterable (``uow.accounts.iter_all()`` for a store).
        max_block: a key shared by more accounts than this is skipped.

    Examples:
        >>> from crmkit.domain import Account
        >>> from crmkit.domain.duplicates import find_duplicate_accounts
        >>> firms = [Account("Acme AB", organisation_number="556677-8899", id="a1"),
        ...          Account("ACME Aktiebolag", organisation_number="5566778899",
        ...                  website="https://acme.se", id="a2")]
        >>> [(p.survivor_id, p.reason_names, p.score) for p in find_duplicate_accounts(firms)]
        [('a1', ('organisation_number', 'name'), 0.98)]
    """

    def keys(account: Account) -> Iterable[tuple[DuplicateReason, Hashable]]:
        number = normalise_organisation_number(account.organisation_number)
        yield DuplicateReason.ORGANISATION_NUMBER, number
        yield DuplicateReason.DOMAIN, normalise_domain(account.website)
        yield DuplicateReason.NAME, normalise_company_name(account.name)

    return _candidates(accounts, keys, max_block)


def stricter_consent(first: Consent | None, second: Consent | None) -> Consent | None:
    """The consent a merged contact keeps: the most recent statement of the person's will.

    Each consent's latest event is its withdrawal, or else when it was given. The consent
    whose latest event is later wins; on a tie the withdrawn one (the stricter) wins, then
    ``first``. A recorded consent wins over none.

    Examples:
        >>> from datetime import UTC, datetime
        >>> from crmkit.domain import Consent, LawfulBasis
        >>> from crmkit.domain.duplicates import stricter_consent
        >>> given = Consent(LawfulBasis.CONSENT, datetime(2024, 1, 1, tzinfo=UTC))
        >>> withdrawn = Consent(LawfulBasis.CONSENT, datetime(2023, 1, 1, tzinfo=UTC),
        ...                     withdrawn_at=datetime(2024, 3, 1, tzinfo=UTC))
        >>> stricter_consent(given, withdrawn) is withdrawn
        True
    """
    if first is None or second is None:
        return first if second is None else second

    def latest(consent: Consent) -> tuple[datetime, bool]:
        if consent.withdrawn_at is not None:
            return consent.withdrawn_at, True
        return consent.given_at, False

    return second if latest(second) > latest(first) else first


_BOOKKEEPING = frozenset({"id", "version", "created_at", "updated_at"})


def _is_set(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def _same_link(a: Any, b: Any) -> bool:
    if a == b:
        return True
    if type(a) is type(b) and attrs.has(type(a)) and hasattr(a, "is_primary"):
        return bool(attrs.evolve(a, is_primary=False) == attrs.evolve(b, is_primary=False))
    return False


def _union(kept: list[Any], added: list[Any]) -> list[Any]:
    out = list(kept)
    for item in added:
        same = next((i for i, present in enumerate(out) if _same_link(item, present)), None)
        if same is not None:
            if getattr(item, "is_primary", False) and not any(p.is_primary for p in out):
                out[same] = attrs.evolve(out[same], is_primary=True)
            continue
        if getattr(item, "is_primary", False) and any(p.is_primary for p in out):
            item = attrs.evolve(item, is_primary=False)
        out.append(item)
    return out


def combine(survivor: E, duplicate: E) -> tuple[E, tuple[str, ...]]:
    """The merged record and the names of the fields whose value came from ``duplicate``.

    The rule, field by field (the result keeps the survivor's ``id`` and ``version``):

    * a value the survivor has (not ``None``, not empty) stays; an empty one takes the
      duplicate's (``remote_id`` and ``remote_data`` too);
    * lists are united: the survivor's items, then the duplicate's that are not already
      there; contact roles count as the same when only ``is_primary`` differs, and the
      survivor's primary stays the only primary (with none, the duplicate's primary leads);
    * ``custom`` properties are merged key by key, the survivor's value winning;
    * ``consent`` is :func:`stricter_consent` of the two (the most recent statement, a
      withdrawal winning a tie);
    * ``created_at`` is the earlier of the two (the relationship began then).

    Examples:
        >>> from crmkit.domain import Contact
        >>> from crmkit.domain.duplicates import combine
        >>> anna = Contact("Anna", "Lind", email="anna@lind.se", custom={"tier": "A"})
        >>> copy = Contact("Anna", "Lindh", phone="+46 70 123", custom={"tier": "B", "x": 1})
        >>> merged, taken = combine(anna, copy)
        >>> merged.last_name, merged.phone, merged.custom, taken
        ('Lind', '+46 70 123', {'tier': 'A', 'x': 1}, ('custom', 'phone'))
        >>> merged.id == anna.id
        True
    """
    if type(survivor) is not type(duplicate):
        raise ValidationError.single(
            "duplicate", type(duplicate).__name__, f"is not a {type(survivor).__name__}"
        )
    changes: dict[str, Any] = {}
    for field in attrs.fields(type(survivor)):
        name = field.name
        if name in _BOOKKEEPING:
            continue
        mine, theirs = getattr(survivor, name), getattr(duplicate, name)
        if name == "custom":
            value: Any = {**theirs, **mine}
        elif isinstance(mine, Consent) or isinstance(theirs, Consent):
            value = stricter_consent(mine, theirs)
        elif isinstance(mine, list):
            value = _union(mine, theirs)
        else:
            value = mine if _is_set(mine) else theirs
        if value != mine:
            changes[name] = value
    if duplicate.created_at < survivor.created_at:
        changes["created_at"] = duplicate.created_at
    merged = attrs.evolve(survivor, **changes)
    taken = tuple(name for name in changes if name != "created_at")
    return merged, taken
