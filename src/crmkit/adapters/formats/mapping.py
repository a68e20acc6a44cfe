"""The column mapping engine behind the HubSpot and Salesforce codecs.

A :class:`ColumnMapping` is data: a list of :class:`FieldMap` entries, each tying one column
of a vendor's export to one crmkit field with a conversion (:class:`Conversion`). A
:class:`MappedCodec` uses it both ways:

* **import** — the vendor's record id becomes ``remote_id``; mapped columns become fields;
  every other non-empty column, and a mapped column whose value crmkit cannot carry (a
  company id that is not imported yet, a country that is not an ISO code), is kept in
  ``remote_data`` under its column name;
* **export** — mapped columns come from the entity (the current truth), the remaining
  columns from ``remote_data``, so an import followed by an export gives the vendor's file
  back. Problems name the vendor's columns.

Examples:
    >>> from crmkit.adapters.formats.mapping import Conversion, FieldMap
    >>> FieldMap("Company name", "name").conversion is Conversion.TEXT
    True
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Generic, TypeVar

import attrs

from crmkit.adapters.files.codec import References, relative_problems
from crmkit.adapters.files.conventions import DateFormat, NumberFormat
from crmkit.errors import Problem, ValidationError

__all__ = [
    "ColumnMapping",
    "Conversion",
    "FieldMap",
    "MappedCodec",
    "StageTable",
    "VendorCodec",
    "slug",
]

E = TypeVar("E")


def slug(text: str) -> str:
    """A stage or pipeline label as a key: lower case, words joined by ``_``.

    Examples:
        >>> from crmkit.adapters.formats.mapping import slug
        >>> slug("Proposal/Price Quote"), slug("Id. Decision Makers")
        ('proposal_price_quote', 'id_decision_makers')
    """
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


class Conversion(enum.Enum):
    """How a vendor cell becomes a crmkit value and back.

    Examples:
        >>> from crmkit.adapters.formats.mapping import Conversion
        >>> Conversion("percent") is Conversion.PERCENT
        True
    """

    TEXT = "text"
    INTEGER = "integer"
    MONEY = "money"  # the amount; the currency comes from the mapping's currency column
    DATE = "date"
    DATETIME = "datetime"
    PERCENT = "percent"  # 0–100 in the file, 0–1 in crmkit
    REFERENCE = "reference"  # a vendor id of another aggregate → crmkit id
    ADDRESS = "address"  # a part of the first address (target: street/city/...)
    STAGE = "stage"  # a stage label → stage key (+ probability, closed, won)
    PIPELINE = "pipeline"  # a pipeline label → pipeline id
    BOOLEAN = "boolean"  # true/false, yes/no, 1/0 in the file; written as true/false
    CHOICE = "choice"  # a vendor label → a crmkit value (FieldMap.choices)
    DAY = "day"  # a date in the file, midnight UTC of that day in crmkit
    LINK = "link"  # vendor ids of other records → RecordLinks in ``links``
    NAME_PART = "name_part"  # first or last name (target) → one ``name`` field


@attrs.frozen
class FieldMap:
    """One vendor column ↔ one crmkit field.

    Args:
        column: the column header in the vendor's export.
        target: the crmkit field (for ``ADDRESS``: the address part; for ``REFERENCE``:
            the id field, with ``aggregate`` naming what it refers to).
        conversion: how the value is converted.
        aggregate: the referenced aggregate for ``REFERENCE`` (``"accounts"``).
        choices: for ``CHOICE``, ``(vendor label, crmkit value)`` pairs; a label is matched
            without regard to case, and export writes the first label of a value.

    ``LINK`` columns hold vendor ids (``;``-separated) of records of another aggregate; each
    one found in the store becomes a :class:`~crmkit.domain.RecordLink` in the entity's
    ``links`` (``target`` is the record type, ``aggregate`` the plural name). A polymorphic
    column (Salesforce's ``WhatId``) lists several: ``target="account|opportunity|case"``,
    ``aggregate="accounts|opportunities|cases"``, tried in that order. A cell with an id that
    is not in the store is also kept in ``remote_data``.

    Examples:
        >>> from crmkit.adapters.formats.mapping import Conversion, FieldMap
        >>> FieldMap("AccountId", "account_id", Conversion.REFERENCE, "accounts").aggregate
        'accounts'
        >>> FieldMap("Priority", "priority", Conversion.CHOICE,
        ...          choices=(("High", "high"), ("Normal", "normal"))).choices[0]
        ('High', 'high')
    """

    column: str
    target: str
    conversion: Conversion = Conversion.TEXT
    aggregate: str | None = None
    choices: tuple[tuple[str, str], ...] = ()

    def link_targets(self) -> list[tuple[str, str]]:
        """The ``(record type, aggregate)`` pairs of a ``LINK`` column.

        Examples:
            >>> from crmkit.adapters.formats.mapping import Conversion, FieldMap
            >>> FieldMap("WhatId", "account|case", Conversion.LINK,
            ...          "accounts|cases").link_targets()
            [('account', 'accounts'), ('case', 'cases')]
        """
        return list(zip(self.target.split("|"), (self.aggregate or "").split("|"), strict=True))


@attrs.frozen
class StageTable:
    """Stage labels of a vendor pipeline and their crmkit keys and default probabilities.

    Args:
        pipeline_id: the crmkit pipeline id.
        pipeline_label: the pipeline's label in the vendor's export.
        stages: ``(label, key, probability, is_closed, is_won)`` per stage.

    Examples:
        >>> from crmkit.adapters.formats.mapping import StageTable
        >>> table = StageTable("default", "Sales", (("Won", "won", 1.0, True, True),))
        >>> table.by_label("won"), table.label_of("won")
        (('Won', 'won', 1.0, True, True), 'Won')
    """

    pipeline_id: str
    pipeline_label: str
    stages: tuple[tuple[str, str, float, bool, bool], ...]

    @classmethod
    def from_pipeline(cls, pipeline: Any) -> StageTable:
        """A table from a crmkit :class:`~crmkit.domain.Pipeline` (labels are stage names).

        Examples:
            >>> from crmkit.adapters.formats.mapping import StageTable
            >>> from crmkit.domain import default_pipeline
            >>> StageTable.from_pipeline(default_pipeline()).by_label("closed won")[1]
            'closed_won'
        """
        return cls(
            pipeline.id,
            pipeline.name,
            tuple(
                (s.name, s.key, float(s.probability), s.is_closed, s.is_won)
                for s in pipeline.stages
            ),
        )

    def by_label(self, label: str) -> tuple[str, str, float, bool, bool] | None:
        """The stage whose label (or key) matches ``label``, ignoring case.

        Examples:
            >>> from crmkit.adapters.formats.mapping import StageTable
            >>> StageTable("p", "P", ()).by_label("x") is None
            True
        """
        wanted = label.strip().lower()
        for stage in self.stages:
            if stage[0].lower() == wanted or stage[1].lower() == wanted:
                return stage
        return None

    def label_of(self, key: str) -> str | None:
        """The label of the stage with ``key``.

        Examples:
            >>> from crmkit.adapters.formats.mapping import StageTable
            >>> StageTable("p", "P", (("Open", "open", 0.1, False, False),)).label_of("open")
            'Open'
        """
        for stage in self.stages:
            if stage[1] == key:
                return stage[0]
        return None


@attrs.frozen
class ColumnMapping:
    """The mapping of one vendor object to one crmkit aggregate.

    Args:
        vendor: ``"hubspot"`` or ``"salesforce"`` (for messages).
        vendor_object: the vendor's object name (``"companies"``, ``"Account"``).
        record_type: the crmkit entity class.
        id_column: the column holding the vendor's record id (→ ``remote_id``).
        fields: the mapped columns.
        currency_column: the column holding the currency of ``MONEY`` columns, if any.
        datetime_format: how ``DATETIME`` values are written on export.
        default_columns: the vendor's columns in export order (mapped and common unmapped).

    Examples:
        >>> from crmkit.adapters.formats.hubspot import HUBSPOT_COMPANIES
        >>> HUBSPOT_COMPANIES.id_column
        'Record ID'
    """

    vendor: str
    vendor_object: str
    record_type: type
    id_column: str
    fields: tuple[FieldMap, ...]
    currency_column: str | None = None
    datetime_format: str = "%Y-%m-%d %H:%M"
    default_columns: tuple[str, ...] = ()

    def columns(self) -> list[str]:
        """The id column, the mapped columns, then the default columns, without repeats.

        Examples:
            >>> from crmkit.adapters.formats.salesforce import SALESFORCE_CONTACT
            >>> SALESFORCE_CONTACT.columns()[:3]
            ['Id', 'FirstName', 'LastName']
        """
        seen: dict[str, None] = {self.id_column: None}
        for field in self.fields:
            seen.setdefault(field.column, None)
        if self.currency_column:
            seen.setdefault(self.currency_column, None)
        for column in self.default_columns:
            seen.setdefault(column, None)
        return list(seen)


def _cell_text(value: Any) -> str | None:
    """A raw cell as text; ``None`` for a container, which a vendor column cannot hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float | Decimal):
        return str(value)
    return None


def _decimal_text(value: Any) -> str:
    number = Decimal(str(value))
    if number == number.to_integral_value() and abs(number) < Decimal("1e15"):
        return str(number.quantize(Decimal(1)))
    return format(number.normalize(), "f")


_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})


def _boolean(text: str) -> bool:
    """A boolean cell (``true``/``false``, ``yes``/``no``, ``1``/``0``, any case)."""
    folded = text.strip().lower()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    raise ValueError("is not a boolean (true/false, yes/no, 1/0)")


def _choice(field: FieldMap, text: str) -> str:
    """The crmkit value of a vendor label (or of a crmkit value written as is)."""
    folded = text.strip().casefold()
    for label, value in field.choices:
        if folded in (label.casefold(), value.casefold()):
            return value
    known = ", ".join(label for label, _ in field.choices)
    raise ValueError(f"is not one of {known}")


def _label(field: FieldMap, value: str) -> str:
    """The first vendor label of a crmkit value (the value itself if it has none)."""
    return next((label for label, v in field.choices if v == value), value)


def _encode_links(
    field: FieldMap, links: Sequence[Mapping[str, Any]], references: References | None
) -> str | None:
    """The vendor ids of the links a ``LINK`` column writes; ``None`` when none is known."""
    targets = dict(field.link_targets())
    found: list[str] = []
    for link in links:
        aggregate = targets.get(str(link.get("record_type")))
        if aggregate is None or references is None:
            continue
        remote = references.remote_id(aggregate, str(link.get("record_id")))
        if remote is not None and remote not in found:
            found.append(remote)
    return ";".join(found) or None


class MappedCodec(Generic[E]):
    """A :class:`~crmkit.adapters.files.codec.RecordCodec` driven by a :class:`ColumnMapping`.

    Args:
        mapping: the column mapping.
        default_currency: currency of money columns when the file has no currency column.
        stages: the stage table for deal/opportunity stages.
        extra_columns: further columns to write on export (taken from ``remote_data``).
        number_format: how the file writes numbers (default: a decimal point and no digit
            grouping, what HubSpot and Salesforce exports write); see
            :mod:`crmkit.adapters.files.conventions`.
        date_format: how the file writes dates (default: ISO 8601 only; slashed dates need
            ``DateFormat(order="day_first")`` or ``"month_first"``).

    A cell that does not fit the number or date format is rejected with its column and
    value; nothing is guessed. Exports always write decimal points and ISO dates.

    Examples:
        >>> from crmkit.adapters.formats import SalesforceCodec
        >>> codec = SalesforceCodec("Account", default_currency="SEK")
        >>> acc = codec.decode({"Id": "001A", "Name": "Acme", "NumberOfEmployees": "12",
        ...                     "Rating": "Hot"})
        >>> acc.remote_id, acc.employees, acc.remote_data
        ('001A', 12, {'Rating': 'Hot'})
        >>> row = codec.with_extra_columns([acc]).encode(acc)
        >>> row["Rating"], row["Name"], row["NumberOfEmployees"]
        ('Hot', 'Acme', '12')
    """

    def __init__(
        self,
        mapping: ColumnMapping,
        *,
        default_currency: str | None = None,
        stages: StageTable | None = None,
        extra_columns: Sequence[str] = (),
        number_format: NumberFormat | None = None,
        date_format: DateFormat | None = None,
    ) -> None:
        if number_format is not None and not isinstance(number_format, NumberFormat):
            raise ValidationError.single("number_format", number_format, "is not a NumberFormat")
        if date_format is not None and not isinstance(date_format, DateFormat):
            raise ValidationError.single("date_format", date_format, "is not a DateFormat")
        self.mapping = mapping
        self.default_currency = default_currency
        self.stages = stages
        self.number_format = number_format or NumberFormat()
        self.date_format = date_format or DateFormat()
        base = mapping.columns()
        self._columns = base + [c for c in extra_columns if c not in base]
        self._by_target = {f.target: f.column for f in mapping.fields}
        self._unresolved: dict[str, tuple[str, str, str]] = {}

    @property
    def record_type(self) -> type[E]:
        """The crmkit entity class."""
        return self.mapping.record_type

    def columns(self) -> list[str]:
        """The export header."""
        return list(self._columns)

    def numeric_columns(self) -> frozenset[str]:
        """Columns with numbers (kept as numbers on export)."""
        numeric = {Conversion.INTEGER, Conversion.MONEY, Conversion.PERCENT}  # not BOOLEAN
        return frozenset(f.column for f in self.mapping.fields if f.conversion in numeric)

    def check_header(self, header: Sequence[str]) -> None:
        """The id column must be present; other columns are optional or kept raw.

        Examples:
            >>> from crmkit.adapters.formats import HubSpotCodec
            >>> HubSpotCodec("companies").check_header(["Company name"])
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: header: is missing the column 'Record ID' of a HubSpot companies export
        """
        if self.mapping.id_column not in header:
            raise ValidationError.single(
                "header",
                message=f"is missing the column {self.mapping.id_column!r} of a "
                f"{self.mapping.vendor} {self.mapping.vendor_object} export",
            )

    def with_extra_columns(self, entities: Sequence[Any]) -> MappedCodec[E]:
        """A copy that also writes every ``remote_data`` key found in ``entities``.

        Examples:
            >>> from crmkit.adapters.formats import HubSpotCodec
            >>> from crmkit.domain import Account
            >>> codec = HubSpotCodec("companies").with_extra_columns(
            ...     [Account(name="A", remote_data={"Favourite colour": "red"})])
            >>> codec.columns()[-1]
            'Favourite colour'
        """
        extra: dict[str, None] = {}
        for entity in entities:
            for key in getattr(entity, "remote_data", {}) or {}:
                extra.setdefault(str(key), None)
        copy: MappedCodec[E] = MappedCodec(
            self.mapping,
            default_currency=self.default_currency,
            stages=self.stages,
            extra_columns=[*self._columns, *extra],
            number_format=self.number_format,
            date_format=self.date_format,
        )
        return copy

    # --- import -------------------------------------------------------------------------

    def decode(self, raw: Mapping[str, Any], references: References | None = None) -> E:
        """Build the entity from one vendor row (see the module docstring).

        Examples:
            >>> from crmkit.adapters.formats import HubSpotCodec
            >>> HubSpotCodec("contacts").decode({"Record ID": "51", "First Name": "Anna",
            ...                                  "Last Name": "Lind", "Email": "nope"})
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: Email: 'nope' is not an e-mail address
        """
        from crmkit.serde import from_dict

        mapping = self.mapping
        problems: list[Problem] = []
        cells: dict[str, str] = {}
        for key, value in raw.items():
            text = _cell_text(value)
            if text is None:
                problems.append(
                    Problem(
                        str(key),
                        value,
                        f"is a {type(value).__name__}; a {mapping.vendor} column holds one "
                        "value (crmkit does not turn lists into text)",
                    )
                )
                continue
            cells[str(key)] = text
        data: dict[str, Any] = {}
        remote: dict[str, Any] = {}
        address: dict[str, str] = {}
        self._unresolved = {}
        mapped_columns = {f.column for f in mapping.fields} | {mapping.id_column}
        if mapping.currency_column:
            mapped_columns.add(mapping.currency_column)
        record_id = cells.get(mapping.id_column, "").strip()
        if record_id:
            data["remote_id"] = record_id
        for field in mapping.fields:
            text = cells.get(field.column, "").strip()
            if not text:
                continue
            try:
                kept = self._decode_field(field, text, cells, data, address, references)
            except ValueError as exc:
                problems.append(Problem(field.column, text, str(exc)))
                continue
            if not kept:
                remote[field.column] = text
        has_pipeline = any(f.conversion is Conversion.PIPELINE for f in mapping.fields)
        if "stage_key" in data and not has_pipeline and self.stages is not None:
            data.setdefault("pipeline_id", self.stages.pipeline_id)
        if address:
            country = address.get("country", "").upper()
            from crmkit.domain.address import COUNTRY_CODES

            if country in COUNTRY_CODES:
                data["addresses"] = [{**address, "country": country}]
            else:
                for part, value in address.items():
                    remote[self._column_for_address(part)] = value
        for column, text in cells.items():
            if column not in mapped_columns and text != "":
                remote[column] = text
        if remote:
            data["remote_data"] = remote
        if problems:
            raise ValidationError(problems)
        try:
            entity: E = from_dict(mapping.record_type, data)
        except ValidationError as exc:
            raise ValidationError(
                [self._vendor_problem(p) for p in relative_problems(exc, mapping.record_type)]
            ) from None
        return entity

    def _column_for_address(self, part: str) -> str:
        for field in self.mapping.fields:
            if field.conversion is Conversion.ADDRESS and field.target == part:
                return field.column
        return part  # pragma: no cover - parts come from the mapping

    def _vendor_problem(self, problem: Problem) -> Problem:
        path = problem.path
        if path in self._unresolved:
            column, text, aggregate = self._unresolved[path]
            return Problem(
                column, text, f"names {aggregate} that are not in the store; import them first"
            )
        head = path.split(".", 1)[0].split("[", 1)[0]
        if path in self._by_target:
            path = self._by_target[path]
        elif head == "amount" and "amount" in self._by_target:
            path = self._by_target["amount"]
        elif head == "addresses":
            path = "address"
        elif head == "name" and self._name_parts():
            path = " / ".join(f.column for f in self._name_parts())
        if problem.has_value:
            return Problem(path, problem.value, problem.message)
        return Problem(path, message=problem.message)

    def _decode_field(
        self,
        field: FieldMap,
        text: str,
        cells: Mapping[str, str],
        data: dict[str, Any],
        address: dict[str, str],
        references: References | None,
    ) -> bool:
        """Set the field in ``data``; return whether the value is carried by the entity."""
        conv = field.conversion
        if conv is Conversion.TEXT:
            data[field.target] = text
        elif conv is Conversion.INTEGER:
            data[field.target] = self.number_format.parse_integer(text)
        elif conv is Conversion.MONEY:
            currency = ""
            if self.mapping.currency_column:
                currency = cells.get(self.mapping.currency_column, "").strip()
            currency = currency or (self.default_currency or "")
            if not currency:
                raise ValueError(
                    "has no currency: the file has no currency column; pass default_currency="
                )
            amount = self.number_format.parse_decimal(text)
            data[field.target] = {"amount": str(amount), "currency": currency}
        elif conv is Conversion.DATE:
            data[field.target] = self.date_format.parse_date(text).isoformat()
        elif conv is Conversion.DATETIME:
            data[field.target] = self.date_format.parse_datetime(text).isoformat()
        elif conv is Conversion.PERCENT:
            data[field.target] = float(self.number_format.parse_decimal(text) / 100)
        elif conv is Conversion.REFERENCE:
            local = None
            if references is not None and field.aggregate:
                local = references.local_id(field.aggregate, text.split(";")[0].strip())
            if local is None:
                self._unresolved[field.target] = (field.column, text, field.aggregate or "")
                return False
            data[field.target] = local
            return ";" not in text
        elif conv is Conversion.ADDRESS:
            address[field.target] = text
            return True
        elif conv is Conversion.BOOLEAN:
            data[field.target] = _boolean(text)
        elif conv is Conversion.CHOICE:
            value = data[field.target] = _choice(field, text)
            # a label other than the value's first one is also kept, so export writes it back
            return _label(field, value).casefold() == text.casefold()
        elif conv is Conversion.DAY:
            data[field.target] = self.date_format.parse_datetime(text).isoformat()
        elif conv is Conversion.LINK:
            return self._decode_links(field, text, data, references)
        elif conv is Conversion.NAME_PART:
            return self._decode_name_part(field, text, cells, data)
        elif conv is Conversion.STAGE:
            table = self.stages
            stage = table.by_label(text) if table else None
            if stage is None:
                known = ", ".join(s[0] for s in table.stages) if table else ""
                raise ValueError(f"is not a stage of the pipeline (known: {known})")
            _, key, probability, is_closed, is_won = stage
            data[field.target] = key
            data.setdefault("stage_probability", probability)
            data["is_closed"], data["is_won"] = is_closed, is_won
        elif conv is Conversion.PIPELINE:
            table = self.stages
            if table is not None and text.lower() in (
                table.pipeline_label.lower(),
                table.pipeline_id.lower(),
            ):
                data[field.target] = table.pipeline_id
            else:
                data[field.target] = slug(text)
                return False
        return True

    def _name_cells(self, cells: Mapping[str, str]) -> tuple[str, str]:
        parts = {f.target: cells.get(f.column, "").strip() for f in self._name_parts()}
        return parts.get("first", ""), parts.get("last", "")

    def _name_parts(self) -> list[FieldMap]:
        return [f for f in self.mapping.fields if f.conversion is Conversion.NAME_PART]

    def _decode_name_part(
        self, field: FieldMap, text: str, cells: Mapping[str, str], data: dict[str, Any]
    ) -> bool:
        """Join the first and last name into ``name``; whether export can split it back."""
        first, last = self._name_cells(cells)
        data["name"] = " ".join(p for p in (first, last) if p)
        return _split_name(data["name"]) == (first, last)

    @staticmethod
    def _decode_links(
        field: FieldMap, text: str, data: dict[str, Any], references: References | None
    ) -> bool:
        """Add a link for every id of ``text`` found in the store; whether all were found."""
        links: list[dict[str, str]] = data.setdefault("links", [])
        found_all = True
        for vendor_id in (part.strip() for part in text.split(";")):
            if not vendor_id:
                continue
            local = None
            for record_type, aggregate in field.link_targets():
                local = references.local_id(aggregate, vendor_id) if references else None
                if local is not None:
                    link = {"record_type": record_type, "record_id": local}
                    if link not in links:
                        links.append(link)
                    break
            found_all = found_all and local is not None
        return found_all

    # --- export -------------------------------------------------------------------------

    def encode(self, entity: E, references: References | None = None) -> dict[str, Any]:
        """One vendor row for ``entity`` (mapped fields from the entity, the rest from
        ``remote_data``).

        Examples:
            >>> from datetime import date
            >>> from crmkit.adapters.formats import HubSpotCodec
            >>> from crmkit.domain import Money, Opportunity
            >>> deal = Opportunity("Big deal", account_id="a1", amount=Money("1500", "SEK"),
            ...                    close_date=date(2025, 3, 31), pipeline_id="default",
            ...                    stage_key="contractsent", stage_probability=0.9)
            >>> row = HubSpotCodec("deals").encode(deal)
            >>> row["Deal Name"], row["Amount"], row["Deal Stage"], row["Close Date"]
            ('Big deal', '1500', 'Contract Sent', '2025-03-31')
        """
        from crmkit.serde import to_dict

        mapping = self.mapping
        data: dict[str, Any] = to_dict(entity)
        remote = data.get("remote_data") or {}
        row: dict[str, Any] = {c: remote.get(c, "") for c in self._columns}
        row[mapping.id_column] = data.get("remote_id") or remote.get(mapping.id_column, "")
        addresses = data.get("addresses") or []
        first = addresses[0] if addresses else {}
        for field in mapping.fields:
            value = self._encode_field(field, data, first, references)
            if value is not None:
                row[field.column] = value
        if mapping.currency_column:
            for field in mapping.fields:
                money = data.get(field.target) if field.conversion is Conversion.MONEY else None
                if isinstance(money, dict):
                    row[mapping.currency_column] = money["currency"]
                    break
        return {k: v for k, v in row.items() if k in self._columns}

    def _encode_field(
        self,
        field: FieldMap,
        data: Mapping[str, Any],
        address: Mapping[str, Any],
        references: References | None,
    ) -> str | None:
        conv = field.conversion
        if conv is Conversion.ADDRESS:
            value = address.get(field.target)
            return None if value in (None, "") else str(value)
        if conv is Conversion.NAME_PART:
            return self._encode_name_part(field, data)
        if conv is Conversion.LINK:
            written = _encode_links(field, data.get("links") or [], references)
            kept = (data.get("remote_data") or {}).get(field.column)
            if isinstance(kept, str) and set((written or "").split(";")) - {""} <= {
                part.strip() for part in kept.split(";")
            }:
                return kept  # the ids crmkit did not know are written back as they came
            return written
        value = data.get(field.target)
        if value is None or value == "":
            return None
        if conv is Conversion.MONEY:
            amount = str(value["amount"])
            return format(Decimal(amount), "f") if "E" in amount.upper() else amount
        if conv is Conversion.DATE:
            return str(value)[:10]
        if conv is Conversion.DATETIME:
            moment = datetime.fromisoformat(str(value)).astimezone(UTC)
            if self.mapping.datetime_format == "iso":
                return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
            return moment.strftime(self.mapping.datetime_format)
        if conv is Conversion.PERCENT:
            return _decimal_text(Decimal(str(value)) * 100)
        if conv is Conversion.DAY:
            return datetime.fromisoformat(str(value)).astimezone(UTC).date().isoformat()
        if conv is Conversion.CHOICE:
            kept = (data.get("remote_data") or {}).get(field.column)
            if isinstance(kept, str) and kept:
                try:
                    if _choice(field, kept) == str(value):
                        return kept
                except ValueError:
                    pass
            return _label(field, str(value))
        if conv is Conversion.REFERENCE:
            remote = None
            if references is not None and field.aggregate:
                remote = references.remote_id(field.aggregate, str(value))
            return remote  # None: keep remote_data's value (or leave empty)
        if conv is Conversion.STAGE:
            label = self.stages.label_of(str(value)) if self.stages else None
            return label or str(value)
        if conv is Conversion.PIPELINE:
            if self.stages is not None and str(value) == self.stages.pipeline_id:
                return self.stages.pipeline_label
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, date | datetime):  # pragma: no cover - serde gives strings
            return value.isoformat()
        return str(value)

    def _encode_name_part(self, field: FieldMap, data: Mapping[str, Any]) -> str | None:
        """The first or last name of ``name``: the cells kept at import while they still
        join to it, else the last word is the last name."""
        name = str(data.get("name") or "")
        remote = data.get("remote_data") or {}
        kept = {f.target: str(remote.get(f.column, "")).strip() for f in self._name_parts()}
        if any(kept.values()) and " ".join(p for p in kept.values() if p) == name:
            return kept.get(field.target) or None
        first, last = _split_name(name)
        return (first if field.target == "first" else last) or None


def _split_name(name: str) -> tuple[str, str]:
    """A full name as (first, last): the last word is the last name."""
    words = name.split()
    if len(words) < 2:
        return (words[0] if words else ""), ""
    return " ".join(words[:-1]), words[-1]


class VendorCodec(MappedCodec[Any]):
    """A :class:`MappedCodec` chosen by a vendor's object name (HubSpot's ``"deals"``,
    Salesforce's ``"Opportunity"`` ...).

    Subclasses set :attr:`MAPPINGS` (object name → column mapping), :attr:`DEFAULT_STAGES` (the
    vendor's default pipeline) and :attr:`KIND` (how the error message names an object).

    Examples:
        >>> from crmkit.adapters.formats import SalesforceCodec
        >>> SalesforceCodec("Lead")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: object: 'Lead' is not a Salesforce object crmkit maps (Account, Contact, Opportunity, User, Task, Note, Pricebook2, Quote, Product2)
    """

    MAPPINGS: ClassVar[Mapping[str, ColumnMapping]] = {}
    DEFAULT_STAGES: ClassVar[StageTable | None] = None
    KIND: ClassVar[str] = "vendor object"

    def __init__(
        self,
        object: str,
        *,
        default_currency: str | None = None,
        stages: StageTable | None = None,
        extra_columns: Sequence[str] = (),
        number_format: NumberFormat | None = None,
        date_format: DateFormat | None = None,
    ) -> None:
        if object not in self.MAPPINGS:
            raise ValidationError.single(
                "object",
                object,
                f"is not a {self.KIND} crmkit maps ({', '.join(self.MAPPINGS)})",
            )
        super().__init__(
            self.MAPPINGS[object],
            default_currency=default_currency,
            stages=stages or self.DEFAULT_STAGES,
            extra_columns=extra_columns,
            number_format=number_format,
            date_format=date_format,
        )
