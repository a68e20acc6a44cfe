"""GDPR for a contact: the right of access (:func:`export_subject`) and the right to erasure
(:func:`erase_subject`), on any store through its
:class:`~crmkit.adapters.ports.UnitOfWork`, so every store and plugin offers them.

**What mentions a person.** A record belongs to the data subject's export, and is cleaned on
erasure, when it

* is the contact, or a lead the contact was converted from (``converted_contact_id``) or that
  has the contact's e-mail address — the same person's own records;
* refers to the contact by id in any field (:mod:`crmkit.adapters.references`: an account's
  contact roles, an opportunity's contact roles, campaign memberships, interactions, cases,
  orders, quotes, the record links of tasks and notes, any aggregate added later);
* mentions the person in text: the full name (as a whole word, any case), the e-mail address,
  the phone number (as written or as digits) or the LinkedIn address, in any text field,
  custom property or raw ``remote_data`` of any record.

**Erasure anonymises, it does not delete.** The person's own records lose what identifies
them: names (the last name becomes ``"[erased]"``, the first name empty), title, e-mail,
phone, LinkedIn address, the remote id and raw remote data, and custom properties that are
text. Every mention in other records' text is replaced by ``"[erased]"``. Kept, so that every
aggregate stays valid and statistics stay right: ids and references (the contact stays linked
to its account, opportunities, orders, cases), amounts, dates, statuses, buying role, owner,
preferred channel, and numeric and boolean custom properties. Kept too, as the law requires:
the contact's **consent** record (lawful basis, purpose, when given and withdrawn). The
controller must be able to show consent was given (GDPR Art. 7(1)) and must keep honouring a
withdrawal or objection (Art. 21(3)); the record names no one once the person is erased.

**History.** A store that keeps earlier values (an audit trail of old and new field values)
holds the person's data there too. A unit of work that offers
:class:`HistoryRedaction` gets every changed record's history cleaned by the same rule; a
store that keeps such history without offering it cannot erase completely.

Identifiers stay, so what remains is pseudonymous with respect to crmkit's own ids: delete the
records as well where nothing needs to be kept. Erasure is one unit of work: it becomes
durable when the unit of work commits, and a rollback undoes it.

Examples:
    >>> from crmkit.adapters import open_store
    >>> from crmkit.adapters.privacy import erase_subject, export_subject
    >>> from crmkit.domain import Case, Contact
    >>> with open_store("memory://") as store, store.unit_of_work() as uow:
    ...     anna = uow.contacts.add(Contact("Anna", "Lind", email="anna@lind.se"))
    ...     case = uow.cases.add(Case("Anna Lind cannot log in", contact_id=anna.id))
    ...     sorted(export_subject(uow, anna.id)["records"])
    ...     report = erase_subject(uow, anna.id)
    ...     uow.contacts.get(anna.id).full_name, uow.cases.get(case.id).subject
    ['cases', 'contacts']
    ('[erased]', '[erased] cannot log in')
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

import attrs

from crmkit.adapters.aggregate import aggregates
from crmkit.adapters.ports import UnitOfWork
from crmkit.adapters.references import FREE_DATA, referenced_ids
from crmkit.domain import Contact, utc_now
from crmkit.domain.normalise import normalise_email, normalise_phone
from crmkit.serde import to_dict

__all__ = [
    "ERASED",
    "EXPORT_FORMAT",
    "PERSONAL_FIELDS",
    "ErasureReport",
    "HistoryRedaction",
    "erase_subject",
    "export_subject",
    "subject_mentions",
]

#: What an erased name or mention reads as.
ERASED = "[erased]"
#: The ``format`` of an :func:`export_subject` document.
EXPORT_FORMAT = "crmkit-subject-access/1"
#: The fields of a person's own records (the contact, their leads) that erasure blanks, with
#: the value they get.
PERSONAL_FIELDS: dict[str, Any] = {
    "first_name": "",
    "last_name": ERASED,
    "title": None,
    "email": None,
    "phone": None,
    "linkedin_url": None,
    "remote_id": None,
    "remote_data": {},
}

# the keys whose values are ids, never text that could mention a person
_ID_KEY = re.compile(r"(^id$|_id$|_ids$)")


@runtime_checkable
class HistoryRedaction(Protocol):
    """A unit of work whose store keeps earlier values of records (an audit trail) and can
    clean them: :func:`erase_subject` calls :meth:`redact_history` for every record it
    changes.

    Examples:
        >>> from crmkit.adapters.privacy import HistoryRedaction
        >>> class Trail:
        ...     def redact_history(self, aggregate, id, redact):
        ...         return 0
        >>> isinstance(Trail(), HistoryRedaction)
        True
    """

    def redact_history(self, aggregate: str, id: str, redact: Callable[[Any], Any]) -> int:
        """Replace every kept earlier (and later) value ``v`` of record ``id`` of
        ``aggregate`` by ``redact(v)`` (JSON values in, JSON values out); returns how many
        values changed."""
        ...


@attrs.frozen(hash=False)
class ErasureReport:
    """What :func:`erase_subject` changed.

    Attributes:
        contact_id: the erased contact.
        erased_at: when (aware, UTC).
        anonymised: per aggregate, the ids of the person's own records that were anonymised
            (the contact, their leads).
        scrubbed: per aggregate, the ids of other records whose text mentioned the person.

    Examples:
        >>> from datetime import UTC, datetime
        >>> from crmkit.adapters.privacy import ErasureReport
        >>> report = ErasureReport("c1", datetime(2025, 1, 1, tzinfo=UTC),
        ...                        {"contacts": ("c1",)}, {"cases": ("k1", "k2")})
        >>> report.changed_count
        3
    """

    contact_id: str
    erased_at: datetime
    anonymised: dict[str, tuple[str, ...]]
    scrubbed: dict[str, tuple[str, ...]]

    @property
    def changed_count(self) -> int:
        """How many records were changed."""
        return sum(len(ids) for ids in (*self.anonymised.values(), *self.scrubbed.values()))


def subject_mentions(contact: Contact) -> list[str]:
    """The texts that identify ``contact`` in free text: full name, e-mail, phone (as written
    and as digits) and LinkedIn address; longest first.

    Examples:
        >>> from crmkit.adapters.privacy import subject_mentions
        >>> from crmkit.domain import Contact
        >>> subject_mentions(Contact("Anna", "Lind", email="anna@lind.se", phone="070-12 34"))
        ['anna@lind.se', 'Anna Lind', '070-12 34', '0701234']
    """
    found = [contact.full_name, contact.email, contact.phone, contact.linkedin_url]
    digits = normalise_phone(contact.phone)
    if digits is not None and len(digits) >= 6:
        found.append(digits)
    unique = dict.fromkeys(m.strip() for m in found if m and m.strip())
    return sorted(unique, key=len, reverse=True)


def _pattern(mentions: Iterable[str]) -> re.Pattern[str] | None:
    alternatives = [re.escape(m) for m in mentions]
    if not alternatives:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def _mentions(node: Any, pattern: re.Pattern[str]) -> bool:
    if isinstance(node, str):
        return pattern.search(node) is not None
    if isinstance(node, dict):
        return any(
            _mentions(value, pattern) for key, value in node.items() if not _ID_KEY.search(key)
        )
    if isinstance(node, list):
        return any(_mentions(item, pattern) for item in node)
    return False


def _scrub(node: Any, pattern: re.Pattern[str], email: str | None) -> Any:
    if isinstance(node, str):
        return pattern.sub(ERASED, node)
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if _ID_KEY.search(key):
                out[key] = value
            elif key == "email" and email is not None and normalise_email(value) == email:
                out[key] = None
            else:
                out[key] = _scrub(value, pattern, email)
        return out
    if isinstance(node, list):
        return [_scrub(item, pattern, email) for item in node]
    return node


def _erase_text(value: Any) -> Any:
    if isinstance(value, str):
        return ERASED if value else value
    if isinstance(value, dict):
        return {key: _erase_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_erase_text(item) for item in value]
    return value


def _anonymise(document: dict[str, Any]) -> dict[str, Any]:
    out = dict(document)
    for key, value in PERSONAL_FIELDS.items():
        if key in out:
            out[key] = value
    out["custom"] = {k: v for k, v in out.get("custom", {}).items() if not isinstance(v, str)}
    return out


class _Subject:
    """The contact and how to recognise what mentions them."""

    def __init__(self, uow: UnitOfWork, contact_id: str) -> None:
        self.contact = uow.contacts.get(contact_id)
        self.email = normalise_email(self.contact.email)
        mentions = subject_mentions(self.contact)
        self.pattern = _pattern(mentions)
        # a fast, looser test on a document's JSON text: the id, or a mention anywhere
        needles = [self.contact.id, *mentions]
        self._loose = re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)
        self._json_safe = all(json.dumps(n, ensure_ascii=False)[1:-1] == n for n in needles)

    def may_mention(self, document: dict[str, Any]) -> bool:
        """``False`` when ``document`` surely neither refers to nor mentions the person."""
        if not self._json_safe:
            return True
        return self._loose.search(json.dumps(document, ensure_ascii=False)) is not None

    def owns(self, aggregate: str, document: dict[str, Any]) -> bool:
        """Whether the document is one of the person's own records."""
        if aggregate == "contacts":
            return bool(document.get("id") == self.contact.id)
        if aggregate == "leads":
            if document.get("converted_contact_id") == self.contact.id:
                return True
            return self.email is not None and normalise_email(document.get("email")) == self.email
        return False

    def redactor(self, own: bool) -> Callable[[Any], Any]:
        """How to clean a kept earlier value: of the person's own records every text, of
        other records the mentions."""
        pattern, email = self.pattern, self.email
        if own:
            return _erase_text
        if pattern is None:
            return lambda value: value
        return lambda value: _scrub(value, pattern, email)

    def mentioned_in(self, aggregate: str, document: dict[str, Any]) -> bool:
        """Whether the document is the person's own, refers to them or mentions them."""
        if self.owns(aggregate, document):
            return True
        if not self.may_mention(document):
            return False
        if self.contact.id in referenced_ids(document, "contacts", owner=aggregate):
            return True
        return self.pattern is not None and _mentions(document, self.pattern)


def _documents(uow: UnitOfWork) -> Iterable[tuple[Any, Any, dict[str, Any]]]:
    for agg in aggregates():
        for entity in uow.repository(agg.name).iter_all():
            yield agg, entity, to_dict(entity)


def export_subject(uow: UnitOfWork, contact_id: str) -> dict[str, Any]:
    """Everything the store holds that mentions contact ``contact_id``, as JSON-able data
    (GDPR Art. 15, right of access): ``{"format", "subject", "records"}`` where ``records``
    maps each aggregate to the full documents (:func:`crmkit.serde.to_dict`) of its records
    that mention the person (see the module text), the contact first.

    Raises:
        NotFoundError: there is no such contact.

    Examples:
        >>> import json
        >>> from crmkit.adapters import open_store
        >>> from crmkit.adapters.privacy import export_subject
        >>> from crmkit.domain import Contact, Lead
        >>> with open_store("memory://") as store, store.unit_of_work() as uow:
        ...     bo = uow.contacts.add(Contact("Bo", "Ek", email="bo@ek.se", id="c1"))
        ...     _ = uow.leads.add(Lead("Ek & Co", email="BO@ek.se", id="l1"))
        ...     _ = uow.leads.add(Lead("Other AB", id="l2"))
        ...     export = export_subject(uow, bo.id)
        >>> export["subject"], [d["id"] for d in export["records"]["leads"]]
        ({'aggregate': 'contacts', 'id': 'c1'}, ['l1'])
        >>> len(json.dumps(export)) > 0
        True
    """
    subject = _Subject(uow, contact_id)
    records: dict[str, list[dict[str, Any]]] = {}
    for agg, _, document in _documents(uow):
        if subject.mentioned_in(agg.name, document):
            records.setdefault(agg.name, []).append(document)
    return {
        "format": EXPORT_FORMAT,
        "subject": {"aggregate": "contacts", "id": contact_id},
        "records": records,
    }


def erase_subject(uow: UnitOfWork, contact_id: str, *, at: datetime | None = None) -> ErasureReport:
    """Anonymise contact ``contact_id`` across every aggregate (GDPR Art. 17, right to
    erasure); see the module text for what is blanked and what is kept, and why.

    Every changed record is rebuilt from its document, so it is validated again, and saved
    in ``uow``; commit the unit of work to make the erasure durable.

    Raises:
        NotFoundError: there is no such contact.

    Examples:
        >>> from datetime import UTC, datetime
        >>> from crmkit.adapters import open_store
        >>> from crmkit.adapters.privacy import erase_subject
        >>> from crmkit.domain import Consent, Contact, LawfulBasis
        >>> consent = Consent(LawfulBasis.CONSENT, datetime(2024, 1, 1, tzinfo=UTC))
        >>> with open_store("memory://") as store, store.unit_of_work() as uow:
        ...     bo = uow.contacts.add(Contact("Bo", "Ek", phone="+46 70 1", consent=consent))
        ...     report = erase_subject(uow, bo.id)
        ...     erased = uow.contacts.get(bo.id)
        ...     erased.full_name, erased.phone, erased.consent == consent
        ('[erased]', None, True)
    """
    subject = _Subject(uow, contact_id)
    anonymised: dict[str, tuple[str, ...]] = {}
    scrubbed: dict[str, tuple[str, ...]] = {}
    for agg in aggregates():
        repository = uow.repository(agg.name)
        changed: list[tuple[Any, bool]] = []
        for entity in repository.iter_all():
            document = to_dict(entity)
            own = subject.owns(agg.name, document)
            if not own and not subject.may_mention(document):
                continue
            cleaned = _anonymise(document) if own else document
            if subject.pattern is not None:
                kept = {k: v for k, v in cleaned.items() if k not in FREE_DATA}
                cleaned = {
                    **_scrub(kept, subject.pattern, subject.email),
                    **{
                        k: _scrub(cleaned[k], subject.pattern, None)
                        for k in FREE_DATA
                        if k in cleaned
                    },
                }
            if cleaned != document:
                changed.append((agg.from_document(cleaned), own))
        for entity, own in changed:
            repository.save(entity)
            if isinstance(uow, HistoryRedaction):
                uow.redact_history(agg.name, entity.id, subject.redactor(own))
        own_ids = tuple(e.id for e, own in changed if own)
        other_ids = tuple(e.id for e, own in changed if not own)
        if own_ids:
            anonymised[agg.name] = own_ids
        if other_ids:
            scrubbed[agg.name] = other_ids
    return ErasureReport(contact_id, at or utc_now(), anonymised, scrubbed)
