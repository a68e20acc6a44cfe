"""Vendor line files joined to their parents: opportunity and quote line items, price-book
entries.

A vendor exports the lines of a deal, a quote or a price book as a file of their own — one
row per line naming its parent's vendor id (Salesforce ``OpportunityLineItem``,
``QuoteLineItem`` and ``PricebookEntry``; HubSpot ``line_items``). In crmkit the lines live
inside the parent aggregate (``Opportunity.line_items``, ``Quote.lines``,
``PriceBook.entries``). :func:`import_lines` joins the two: import the parents (and the
products) first with :func:`~crmkit.adapters.files.import_csv`, then the line file; every
row is attached to the parent whose ``remote_id`` it names, and each parent named gets the
file's lines in file order (replacing the lines it had, so importing the file again changes
nothing). :func:`export_lines` writes the other direction, one row per line.

The importer's contract holds: every row is either attached or rejected with its line,
column and reason, never dropped. A row is rejected when

* its parent cell is empty or names a record that is not in the store (an orphan), or its
  product is not in the store — import them first;
* a number does not read (a quantity that is not a whole number above zero, a price, a
  discount outside 0–100 %), its currency differs from the parent's, or its total is not
  quantity × unit price × (1 − discount), rounded to the minor unit;
* a sibling row of the same parent is rejected (attaching the others would make the
  parent's total wrong), or the lines' net total differs from an opportunity's amount
  (the vendor's amount is the lines' sum; see ``Opportunity.line_items``).

The line file is read into memory grouped by parent (it need not be sorted); the parents are
written in one unit of work. ``ALL_OR_NOTHING`` stores nothing if any row is rejected
(raising :class:`~crmkit.errors.ImportRolledBackError`); ``KEEP_ACCEPTED`` stores the parents
whose rows were all accepted.

=============================  =====================  =============================================
file                           parent column          columns → crmkit
=============================  =====================  =============================================
Salesforce                     OpportunityId          Product2Id → ``product_id`` (by the
``OpportunityLineItem``                               product's ``remote_id``); Quantity; UnitPrice
                                                      (+ CurrencyIsoCode); Discount (percent);
                                                      TotalPrice (checked, written);
                                                      Description
Salesforce ``QuoteLineItem``   QuoteId                as OpportunityLineItem
Salesforce ``PricebookEntry``  Pricebook2Id           Product2Id; UnitPrice (+ CurrencyIsoCode)
HubSpot ``line_items``         Associated Deal IDs,   Product ID; Quantity; Unit price (+
                               Associated Quote IDs   Currency); Discount Percentage; Net price
                                                      (checked, written); Description
=============================  =====================  =============================================

A HubSpot line item associated with a deal and a quote is attached to both; exported, each
parent's lines are rows of their own. The lines' own vendor ids and unmapped columns (a
Salesforce ``ListPrice``, a ``PricebookEntryId``) are not kept: crmkit's lines carry no
``remote_data``, so an export writes new lines for the vendor to insert.

Examples:
    >>> from crmkit.adapters.formats.lines import LineCodec
    >>> codec = LineCodec("Salesforce", "OpportunityLineItem")
    >>> codec.columns()[:4]
    ['Id', 'OpportunityId', 'Product2Id', 'Quantity']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from crmkit.adapters.files.conventions import NumberFormat
from crmkit.adapters.files.importer import (
    ImportPolicy,
    ImportReport,
    StoreReferences,
    open_text_lines,
)
from crmkit.adapters.files.output import atomic_output
from crmkit.adapters.files.rejects import RejectsWriter
from crmkit.adapters.files.source import (
    SourceRow,
    csv_header,
    read_csv,
    write_csv,
)
from crmkit.domain.line_item import LineItem
from crmkit.domain.money import Money
from crmkit.domain.quote import PriceBookEntry
from crmkit.errors import ImportRolledBackError, Problem, ValidationError

if TYPE_CHECKING:
    from crmkit.adapters.ports import Store, UnitOfWork

__all__ = [
    "LINE_MAPPINGS",
    "DecodedLine",
    "LineCodec",
    "LineMapping",
    "export_lines",
    "import_lines",
    "read_line_file",
]

#: The aggregates whose lines a line file holds, and the field holding them.
_LINE_FIELDS = {"opportunities": "line_items", "quotes": "lines", "price_books": "entries"}
_PARENT_NAMES = {"opportunities": "opportunity", "quotes": "quote", "price_books": "price book"}


@attrs.frozen
class LineMapping:
    """The columns of one vendor line file.

    Args:
        vendor: ``"Salesforce"`` or ``"HubSpot"``.
        vendor_object: the vendor's object name (``"OpportunityLineItem"``).
        parents: ``(column, aggregate)`` of each parent column; a row is attached to every
            parent it names (at least one).
        product_column: the product's vendor id.
        price_column: the unit price.
        quantity_column: the quantity (``None`` for price-book entries).
        discount_column: the discount in percent (0–100), if the file has one.
        total_column: the line's net total, checked on import and written on export.
        currency_column: the currency of the prices (default: the parent's currency).
        description_column: the line's text.
        id_column: the line's own vendor id (written empty on export).

    Examples:
        >>> from crmkit.adapters.formats.lines import LINE_MAPPINGS
        >>> LINE_MAPPINGS["Salesforce", "PricebookEntry"].parents
        (('Pricebook2Id', 'price_books'),)
    """

    vendor: str
    vendor_object: str
    parents: tuple[tuple[str, str], ...]
    product_column: str
    price_column: str
    quantity_column: str | None = None
    discount_column: str | None = None
    total_column: str | None = None
    currency_column: str | None = None
    description_column: str | None = None
    id_column: str = "Id"

    def columns(self) -> list[str]:
        """The file's columns in export order.

        Examples:
            >>> from crmkit.adapters.formats.lines import LINE_MAPPINGS
            >>> LINE_MAPPINGS["Salesforce", "PricebookEntry"].columns()
            ['Id', 'Pricebook2Id', 'Product2Id', 'UnitPrice', 'CurrencyIsoCode']
        """
        names = [
            self.id_column,
            *(column for column, _ in self.parents),
            self.product_column,
            self.quantity_column,
            self.price_column,
            self.currency_column,
            self.discount_column,
            self.total_column,
            self.description_column,
        ]
        return [name for name in names if name is not None]


def _salesforce_lines(name: str, parent: str, aggregate: str) -> LineMapping:
    return LineMapping(
        vendor="Salesforce",
        vendor_object=name,
        parents=((parent, aggregate),),
        product_column="Product2Id",
        price_column="UnitPrice",
        quantity_column="Quantity",
        discount_column="Discount",
        total_column="TotalPrice",
        currency_column="CurrencyIsoCode",
        description_column="Description",
    )


#: The line files crmkit joins, by ``(vendor, object)``.
LINE_MAPPINGS: dict[tuple[str, str], LineMapping] = {
    ("Salesforce", "OpportunityLineItem"): _salesforce_lines(
        "OpportunityLineItem", "OpportunityId", "opportunities"
    ),
    ("Salesforce", "QuoteLineItem"): _salesforce_lines("QuoteLineItem", "QuoteId", "quotes"),
    ("Salesforce", "PricebookEntry"): LineMapping(
        vendor="Salesforce",
        vendor_object="PricebookEntry",
        parents=(("Pricebook2Id", "price_books"),),
        product_column="Product2Id",
        price_column="UnitPrice",
        currency_column="CurrencyIsoCode",
    ),
    ("HubSpot", "line_items"): LineMapping(
        vendor="HubSpot",
        vendor_object="line_items",
        parents=(("Associated Deal IDs", "opportunities"), ("Associated Quote IDs", "quotes")),
        product_column="Product ID",
        price_column="Unit price",
        quantity_column="Quantity",
        discount_column="Discount Percentage",
        total_column="Net price",
        currency_column="Currency",
        description_column="Description",
        id_column="Record ID",
    ),
}


@attrs.frozen
class DecodedLine:
    """One row of a line file as read: the parents it names, the product's vendor id and the
    numbers, before anything is looked up in a store (:meth:`LineCodec.decode`).

    Examples:
        >>> from crmkit.adapters.files.source import SourceRow
        >>> from crmkit.adapters.formats.lines import LineCodec
        >>> line = LineCodec("HubSpot", "line_items").decode(SourceRow(2, {
        ...     "Associated Deal IDs": "701", "Product ID": "501", "Quantity": "2",
        ...     "Unit price": "5.50", "Discount Percentage": "10"}))
        >>> line.parents, line.product, line.quantity, line.price, line.discount
        ((('Associated Deal IDs', 'opportunities', '701'),), '501', 2, Decimal('5.50'), Decimal('10'))
    """

    row: SourceRow
    parents: tuple[tuple[str, str, str], ...]  # (column, aggregate, vendor id)
    product: str
    quantity: int
    price: Decimal
    currency: str
    discount: Decimal
    total: Decimal | None
    description: str


class LineCodec:
    """Reads and writes one vendor line file (see the module docstring).

    Args:
        vendor: ``"Salesforce"`` or ``"HubSpot"``.
        object: ``"OpportunityLineItem"``, ``"QuoteLineItem"``, ``"PricebookEntry"`` or
            ``"line_items"``.
        number_format: how the file writes numbers (default: a decimal point, no grouping).

    Examples:
        >>> from crmkit.adapters.formats.lines import LineCodec
        >>> LineCodec("HubSpot", "Product2")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: object: 'Product2' is not a HubSpot line file crmkit joins (OpportunityLineItem, QuoteLineItem, PricebookEntry, line_items)
    """

    def __init__(
        self, vendor: str, object: str, *, number_format: NumberFormat | None = None
    ) -> None:
        mapping = LINE_MAPPINGS.get((vendor, object))
        if mapping is None:
            known = ", ".join(name for _, name in LINE_MAPPINGS)
            raise ValidationError.single(
                "object", object, f"is not a {vendor} line file crmkit joins ({known})"
            )
        if number_format is not None and not isinstance(number_format, NumberFormat):
            raise ValidationError.single("number_format", number_format, "is not a NumberFormat")
        self.mapping = mapping
        self.number_format = number_format or NumberFormat()

    def columns(self) -> list[str]:
        """The export header."""
        return self.mapping.columns()

    def check_header(self, header: Sequence[str]) -> None:
        """The parent, product and price columns must be present.

        Examples:
            >>> from crmkit.adapters.formats.lines import LineCodec
            >>> LineCodec("Salesforce", "QuoteLineItem").check_header(["Id", "QuoteId"])
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: header: is missing the columns 'Product2Id', 'UnitPrice', 'Quantity' of a Salesforce QuoteLineItem export
        """
        m = self.mapping
        needed = [m.product_column, m.price_column]
        if m.quantity_column:
            needed.append(m.quantity_column)
        missing = [c for c in needed if c not in header]
        if not any(column in header for column, _ in m.parents):
            missing.insert(0, " or ".join(column for column, _ in m.parents))
        if missing:
            raise ValidationError.single(
                "header",
                message=f"is missing the columns {', '.join(map(repr, missing))} of a "
                f"{m.vendor} {m.vendor_object} export",
            )

    def decode(self, row: SourceRow) -> DecodedLine:
        """The line of one row (numbers read, nothing looked up); raises
        :class:`~crmkit.errors.ValidationError` naming the columns at fault."""
        m = self.mapping
        cells = {str(k): "" if v is None else str(v).strip() for k, v in row.raw.items()}
        problems: list[Problem] = []
        parents = tuple(
            (column, aggregate, vendor_id)
            for column, aggregate in m.parents
            for vendor_id in _ids(cells.get(column, ""))
        )
        if not parents:
            names = " or ".join(c for c, _ in m.parents)
            problems.append(Problem(names, "", "is empty: the line names no parent record"))
        product = cells.get(m.product_column, "")
        if not product:
            problems.append(Problem(m.product_column, "", "is empty: the line names no product"))
        quantity = 1
        price = discount = Decimal(0)
        total: Decimal | None = None
        numbers = self.number_format
        if m.quantity_column:
            text = cells.get(m.quantity_column, "")
            try:
                value = numbers.parse_decimal(text)
                if value != value.to_integral_value() or value <= 0:
                    raise ValueError("must be a whole number above zero (crmkit counts units)")
                quantity = int(value)
            except ValueError as exc:
                problems.append(Problem(m.quantity_column, text, str(exc)))
        text = cells.get(m.price_column, "")
        try:
            price = numbers.parse_decimal(text)
            if price < 0:
                raise ValueError("must not be negative")
        except ValueError as exc:
            problems.append(Problem(m.price_column, text, str(exc)))
        if m.discount_column and cells.get(m.discount_column, ""):
            text = cells[m.discount_column]
            try:
                discount = numbers.parse_decimal(text)
                if not 0 <= discount <= 100:
                    raise ValueError("must be a percentage between 0 and 100")
            except ValueError as exc:
                problems.append(Problem(m.discount_column, text, str(exc)))
        if m.total_column and cells.get(m.total_column, ""):
            text = cells[m.total_column]
            try:
                total = numbers.parse_decimal(text)
            except ValueError as exc:
                problems.append(Problem(m.total_column, text, str(exc)))
        if problems:
            raise ValidationError(problems)
        return DecodedLine(
            row,
            parents,
            product,
            quantity,
            price,
            cells.get(m.currency_column, "") if m.currency_column else "",
            discount,
            total,
            cells.get(m.description_column, "") if m.description_column else "",
        )

    def build(self, line: DecodedLine, product_id: str, currency: str) -> LineItem | PriceBookEntry:
        """The crmkit line of a decoded row, priced in the parent's ``currency``; raises
        :class:`~crmkit.errors.ValidationError` naming the column at fault."""
        m = self.mapping
        if line.currency and line.currency != currency:
            raise ValidationError.single(
                m.currency_column or "currency",
                line.currency,
                f"differs from the parent's currency {currency}",
            )
        try:
            price = Money(line.price, currency)
        except ValidationError as exc:
            raise ValidationError.single(m.price_column, str(line.price), str(exc)) from None
        if m.quantity_column is None:
            return PriceBookEntry(product_id, price)
        discount = line.discount / 100
        try:
            item = LineItem(
                product_id, line.quantity, price, discount=discount, description=line.description
            )
        except ValidationError as exc:
            column = m.discount_column if "discount" in exc.paths else m.price_column
            raise ValidationError.single(
                column or m.price_column, str(line.discount), exc.problems[0].message
            ) from None
        if line.total is not None and line.total != item.net.amount:
            raise ValidationError.single(
                m.total_column or "total",
                str(line.row.raw.get(m.total_column or "", "")).strip(),
                f"is not {m.quantity_column} × {m.price_column} × (1 − "
                f"{m.discount_column or 'discount'}) = {_text(item.net.amount)}",
            )
        return item

    def encode(
        self,
        parent_column: str,
        parent_id: str,
        line: LineItem | PriceBookEntry,
        product_id: str,
    ) -> dict[str, str]:
        """One row of the file for ``line`` of the parent with vendor id ``parent_id``.

        Examples:
            >>> from crmkit.adapters.formats.lines import LineCodec
            >>> from crmkit.domain import LineItem, Money
            >>> codec = LineCodec("Salesforce", "OpportunityLineItem")
            >>> row = codec.encode("OpportunityId", "006A", LineItem(
            ...     "p-1", 3, Money("19.99", "EUR"), discount="0.15"), "01tA")
            >>> row["Product2Id"], row["Quantity"], row["Discount"], row["TotalPrice"]
            ('01tA', '3', '15', '50.97')
        """
        m = self.mapping
        row = dict.fromkeys(self.columns(), "")
        row[parent_column] = parent_id
        row[m.product_column] = product_id
        row[m.price_column] = format(line.unit_price.amount, "f")
        if m.currency_column:
            row[m.currency_column] = line.unit_price.currency
        if isinstance(line, LineItem):
            if m.quantity_column:
                row[m.quantity_column] = str(line.quantity)
            if m.discount_column and line.discount:
                row[m.discount_column] = _text(line.discount * 100)
            if m.total_column:
                row[m.total_column] = format(line.net.amount, "f")
            if m.description_column:
                row[m.description_column] = line.description
        return row


def _ids(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def _text(number: Decimal) -> str:
    """A decimal without exponent or trailing zeros beyond the integer (``15``, ``50.97``)."""
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    return format(number.normalize(), "f")


def _parent_currency(parent: Any) -> str:
    amount = getattr(parent, "amount", None)
    return str(amount.currency if amount is not None else parent.currency)


#: Rejects an import keeps in its report (the rejects file keeps all).
_MAX_REJECTS_KEPT = 1000


class _Join:
    """One run of :func:`import_lines`: groups rows by parent, looks parents and products up,
    attaches, reports."""

    def __init__(
        self, codec: LineCodec, report: ImportReport, rejects: RejectsWriter | None
    ) -> None:
        self.codec = codec
        self.report = report
        self.rejects = rejects
        self.groups: dict[tuple[str, str], list[DecodedLine]] = {}
        self.column_of: dict[tuple[str, str], str] = {}
        self.spoiled: dict[tuple[str, str], int] = {}  # parent → line of an unreadable row
        self.updated: list[tuple[str, Any]] = []

    def reject(self, row: SourceRow, problems: Sequence[Problem]) -> None:
        self.report.reject_row(row, problems, writer=self.rejects, max_kept=_MAX_REJECTS_KEPT)

    def read(self, rows: Iterable[SourceRow]) -> None:
        for row in rows:
            self.report.rows += 1
            problems = list(row.problems)
            line = None
            if not problems:
                try:
                    line = self.codec.decode(row)
                except ValidationError as exc:
                    problems = list(exc.problems)
            if line is None:
                self.reject(row, problems)
                for column, aggregate in self.codec.mapping.parents:
                    for vendor_id in _ids(str(row.raw.get(column) or "")):
                        self.spoiled.setdefault((aggregate, vendor_id), row.line)
                continue
            for column, aggregate, vendor_id in line.parents:
                self.groups.setdefault((aggregate, vendor_id), []).append(line)
                self.column_of[aggregate, vendor_id] = column

    def attach(self, uow: UnitOfWork) -> None:
        """Build every parent's new lines; a parent is written only when all its rows are
        accepted, and a row is accepted only when every parent it names is written."""
        references = StoreReferences(uow)
        rejected: dict[int, list[Problem]] = {}
        changed: dict[tuple[str, str], Any] = {}
        for key, lines in self.groups.items():
            problems, parent = self._attach_group(uow, references, key, lines)
            for line, line_problems in problems:
                rejected.setdefault(line.row.line, []).extend(line_problems)
            if parent is not None:
                changed[key] = parent
        self._hold_back_siblings(rejected, changed)
        rows = {line.row.line: line.row for lines in self.groups.values() for line in lines}
        for number, row in rows.items():
            if number in rejected:
                self.reject(row, _unique(rejected[number]))
            else:
                self.report.accepted += 1
        self.updated = [(aggregate, parent) for (aggregate, _), parent in changed.items()]

    def _hold_back_siblings(
        self, rejected: dict[int, list[Problem]], changed: dict[tuple[str, str], Any]
    ) -> None:
        """Reject the other rows of every parent with a rejected row (repeated, as a row
        naming two parents carries a rejection from one to the other)."""
        moved = True
        while moved:
            moved = False
            for key, lines in self.groups.items():
                numbers = [line.row.line for line in lines if line.row.line in rejected]
                if key in self.spoiled:
                    numbers.append(self.spoiled[key])
                if not numbers:
                    continue
                changed.pop(key, None)
                if all(line.row.line in rejected for line in lines):
                    continue
                sibling = Problem(
                    self.column_of[key],
                    key[1],
                    f"is not attached: line {min(numbers)} of the same "
                    f"{_PARENT_NAMES[key[0]]} is rejected",
                )
                for line in lines:
                    if line.row.line not in rejected:
                        rejected[line.row.line] = [sibling]
                        moved = True

    def _attach_group(
        self,
        uow: UnitOfWork,
        references: StoreReferences,
        key: tuple[str, str],
        lines: list[DecodedLine],
    ) -> tuple[list[tuple[DecodedLine, list[Problem]]], Any]:
        """The problems of a parent's rows, and the parent with its new lines (``None`` when
        a row has a problem)."""
        m = self.codec.mapping
        aggregate, vendor_id = key
        parent = uow.repository(aggregate).find_by_remote_id(vendor_id)
        if parent is None:
            problem = Problem(
                self.column_of[key],
                vendor_id,
                f"names {aggregate} that are not in the store; import them first",
            )
            return [(line, [problem]) for line in lines], None
        currency = _parent_currency(parent)
        built: list[LineItem | PriceBookEntry] = []
        problems: list[tuple[DecodedLine, list[Problem]]] = []
        for line in lines:
            product_id = references.local_id("products", line.product)
            try:
                if product_id is None:
                    raise ValidationError.single(
                        m.product_column,
                        line.product,
                        "names products that are not in the store; import them first",
                    )
                built.append(self.codec.build(line, product_id, currency))
            except ValidationError as exc:
                problems.append((line, list(exc.problems)))
        if problems or key in self.spoiled:  # siblings are held back by the caller
            return problems, None
        try:
            return [], attrs.evolve(parent, **{_LINE_FIELDS[aggregate]: built})
        except ValidationError as exc:
            problem = exc.problems[0]
            if problem.path == "amount":
                nets = (item.net for item in built if isinstance(item, LineItem))
                total = sum(nets, Money.zero(currency))
                problem = Problem(
                    m.total_column or m.price_column,
                    _text(total.amount),
                    f"the lines of {_PARENT_NAMES[aggregate]} {vendor_id} add up to {total}, "
                    f"but its amount is {parent.amount}",
                )
            elif "product_id" in problem.path:  # entries[i].product_id: a product twice
                index = int(problem.path.split("[", 1)[1].split("]", 1)[0])
                problem = Problem(m.product_column, lines[index].product, problem.message)
            return [(line, [problem]) for line in lines], None


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: list[Problem] = []
    for problem in problems:
        if problem not in seen:
            seen.append(problem)
    return seen


def read_line_file(
    stack: ExitStack, path: str | Path, codec: LineCodec, encoding: str = "utf-8-sig"
) -> Iterator[SourceRow]:
    """The rows of a line file, its encoding and header checked first (the file stays open
    until ``stack`` closes).

    Raises:
        ValidationError: the file cannot be read, is in another encoding or its header
            lacks a needed column.

    Examples:
        >>> import pathlib, tempfile
        >>> from contextlib import ExitStack
        >>> from crmkit.adapters.formats.lines import LineCodec, read_line_file
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "PricebookEntry.csv"
        >>> _ = path.write_text("Id,Pricebook2Id,Product2Id,UnitPrice\\n01u,01s,01t,5\\n")
        >>> with ExitStack() as stack:
        ...     [row.raw["UnitPrice"] for row in read_line_file(
        ...         stack, path, LineCodec("Salesforce", "PricebookEntry"))]
        ['5']
    """
    lines = open_text_lines(stack, path, encoding, header=True)
    header = csv_header(lines)
    codec.check_header(header)
    return read_csv(lines, header=header, bad_lines=lines.bad)


def import_lines(
    store: Store,
    path: str | Path,
    codec: LineCodec,
    *,
    policy: ImportPolicy = ImportPolicy.ALL_OR_NOTHING,
    rejects_path: str | Path | None = None,
    encoding: str = "utf-8-sig",
) -> ImportReport:
    """Attach the lines of a vendor line file to their parents in ``store``.

    Args:
        store: the store holding the parents (by ``remote_id``) and the products.
        path: the line file (CSV).
        codec: which file (:class:`LineCodec`).
        policy: ``ALL_OR_NOTHING`` (default) or ``KEEP_ACCEPTED``; ``BATCHED`` is refused
            (a parent's lines are written together).
        rejects_path: write every reject to this CSV file.
        encoding: the file's text encoding.

    The report counts line rows (``accepted``, ``rejected``) and the parents written
    (``updated``); its ``aggregate`` is the first parent aggregate.

    Raises:
        ValidationError: the file cannot be read or its header lacks a needed column.
        ImportRolledBackError: ``ALL_OR_NOTHING`` and some rows were rejected.

    Examples:
        >>> import pathlib, tempfile
        >>> from datetime import date
        >>> from crmkit.adapters import open_store
        >>> from crmkit.adapters.formats.lines import LineCodec, import_lines
        >>> from crmkit.domain import Account, Money, Opportunity, Product
        >>> store = open_store("memory://")
        >>> with store.unit_of_work() as uow:
        ...     acme = uow.accounts.add(Account(name="Acme"))
        ...     _ = uow.products.add(Product("W-1", "Widget", price=Money("10", "SEK"),
        ...                                  remote_id="01tA"))
        ...     _ = uow.opportunities.add(Opportunity("Deal", acme.id, Money("30", "SEK"),
        ...         date(2025, 6, 1), "default", "prospecting", 0.1, remote_id="006A"))
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "OpportunityLineItem.csv"
        >>> _ = path.write_text("Id,OpportunityId,Product2Id,Quantity,UnitPrice,TotalPrice\\n"
        ...                     "00kA,006A,01tA,3,10.00,30.00\\n", encoding="utf-8")
        >>> report = import_lines(store, path, LineCodec("Salesforce", "OpportunityLineItem"))
        >>> report.accepted, report.updated
        (1, 1)
    """
    if policy is ImportPolicy.BATCHED or not isinstance(policy, ImportPolicy):
        raise ValidationError.single(
            "policy", policy, "must be ALL_OR_NOTHING or KEEP_ACCEPTED for a line file"
        )
    source = Path(path)
    report = ImportReport(str(path), codec.mapping.parents[0][1], policy)
    with ExitStack() as stack:
        stream = None
        if rejects_path is not None:
            stream = stack.enter_context(atomic_output(rejects_path, inputs=[source], newline=""))
        rows = read_line_file(stack, source, codec, encoding)
        join = _Join(codec, report, None if stream is None else RejectsWriter(stream))
        join.read(rows)
        report.rejects_path = None if rejects_path is None else str(rejects_path)
        with store.unit_of_work() as uow:
            join.attach(uow)
            if policy is ImportPolicy.ALL_OR_NOTHING and report.rejected:
                uow.rollback()
            else:
                for aggregate, parent in join.updated:
                    uow.repository(aggregate).save(parent)
                uow.commit()
                report.committed = True
                report.updated = len(join.updated)
    if policy is ImportPolicy.ALL_OR_NOTHING and report.rejected:
        raise ImportRolledBackError(report)
    return report


def _rows(store: Store, codec: LineCodec) -> Iterator[dict[str, str]]:
    m = codec.mapping
    with store.unit_of_work() as uow:
        references = StoreReferences(uow)
        for column, aggregate in m.parents:
            field = _LINE_FIELDS[aggregate]
            for parent in uow.repository(aggregate).iter_all():
                parent_id = parent.remote_id or parent.id
                for line in getattr(parent, field):
                    product = references.remote_id("products", line.product_id)
                    yield codec.encode(column, parent_id, line, product or line.product_id)


def export_lines(
    store: Store, path: str | Path, codec: LineCodec, *, encoding: str = "utf-8"
) -> int:
    """Write every line of the codec's parents in ``store`` as a vendor line file, one row
    per line; returns the row count.

    Parents and products are named by their ``remote_id`` (their crmkit id when they have
    none); the line's own id column is empty. The file is replaced atomically, cells are
    neutralised against formula injection (:func:`~crmkit.adapters.files.export_csv`).

    Examples:
        >>> import pathlib, tempfile
        >>> from crmkit.adapters import open_store
        >>> from crmkit.adapters.formats.lines import LineCodec, export_lines
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "line_items.csv"
        >>> export_lines(open_store("memory://"), path, LineCodec("HubSpot", "line_items"))
        0
    """
    m = codec.mapping
    numeric = {m.quantity_column, m.price_column, m.discount_column, m.total_column} - {None}
    with atomic_output(path, encoding=encoding, newline="") as stream:
        return write_csv(
            stream,
            codec.columns(),
            _rows(store, codec),
            numeric_columns={str(c) for c in numeric},
        )
