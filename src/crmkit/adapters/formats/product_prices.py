"""Salesforce products with their price: a Product2 file joined with the standard price book's
PricebookEntry rows.

A crmkit :class:`~crmkit.domain.Product` has a list price; a Salesforce ``Product2`` row has
none — the list price is the product's entry in the standard price book (``Pricebook2`` with
``IsStandard = true``). :func:`import_salesforce_products` reads the PricebookEntry file
first, keeps the standard book's entries, and imports the Product2 file through
:func:`~crmkit.adapters.files.import_csv` with :class:`StandardPricedProductCodec`, which
gives each row the price of its entry. A Product2 row without a standard entry, or with one
that does not read, is rejected with its line and the column at fault; the other books'
entries are imported afterwards with :func:`~crmkit.adapters.formats.lines.import_lines`
(``PricebookEntry`` → ``PriceBook.entries``).

In an org with several currencies a product has a standard entry per currency: the row's
``CurrencyIsoCode`` chooses, else ``currency=``; a row that could take several is rejected.

Export: :func:`~crmkit.adapters.files.export_csv` with ``SalesforceCodec("Product2")``
writes the Product2 columns (no price); prices go out as PricebookEntry rows of the price
books (:func:`~crmkit.adapters.formats.lines.export_lines`).

Examples:
    >>> from crmkit.adapters.formats.product_prices import StandardPricedProductCodec
    >>> from decimal import Decimal
    >>> codec = StandardPricedProductCodec({"01tW": {"SEK": Decimal("99.90")}})
    >>> widget = codec.decode({"Id": "01tW", "Name": "Widget", "ProductCode": "W-1"})
    >>> widget.sku, str(widget.price), codec.columns()[:3]
    ('W-1', '99.90 SEK', ['Id', 'Name', 'ProductCode'])
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import ExitStack
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from crmkit.adapters.files.codec import References
from crmkit.adapters.files.importer import ImportPolicy, ImportReport, import_csv
from crmkit.adapters.formats.lines import LineCodec, read_line_file
from crmkit.adapters.formats.mapping import Conversion, FieldMap, MappedCodec
from crmkit.adapters.formats.salesforce import SALESFORCE_PRODUCT
from crmkit.domain.product import Product
from crmkit.errors import Problem, ValidationError

if TYPE_CHECKING:
    from crmkit.adapters.ports import Store

__all__ = ["StandardPricedProductCodec", "import_salesforce_products", "standard_prices"]

#: The Product2 mapping plus the joined price (never a column of the Product2 file).
_PRICED = attrs.evolve(
    SALESFORCE_PRODUCT,
    fields=(*SALESFORCE_PRODUCT.fields, FieldMap("UnitPrice", "price", Conversion.MONEY)),
    currency_column="CurrencyIsoCode",
)

#: Product2 id → currency → the standard list price, or the problem of its entry row.
StandardPrices = Mapping[str, Mapping[str, Decimal | Problem]]


class StandardPricedProductCodec(MappedCodec[Product]):
    """Reads Product2 rows, each priced by its standard price-book entry.

    Args:
        prices: Product2 id → currency → list price (a :class:`~crmkit.errors.Problem`
            for an entry row that did not read), as :func:`standard_prices` returns.
        currency: the currency to take when a product has several standard entries and
            its row names none.

    Examples:
        >>> from decimal import Decimal
        >>> from crmkit.adapters.formats.product_prices import StandardPricedProductCodec
        >>> StandardPricedProductCodec({}).decode({"Id": "01tX", "Name": "X", "ProductCode": "X"})
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: Id: '01tX' has no entry in the standard price book (PricebookEntry); a crmkit product needs a price
    """

    def __init__(self, prices: StandardPrices, *, currency: str | None = None) -> None:
        super().__init__(_PRICED)
        self._columns = SALESFORCE_PRODUCT.columns()
        self.prices = prices
        self.currency = currency

    def decode(self, raw: Mapping[str, Any], references: References | None = None) -> Product:
        """The product of one Product2 row, its price from the standard entry."""
        vendor_id = str(raw.get("Id") or "").strip()
        entries = self.prices.get(vendor_id, {})
        wanted = str(raw.get("CurrencyIsoCode") or "").strip() or self.currency
        if not entries:
            raise ValidationError.single(
                "Id",
                vendor_id,
                "has no entry in the standard price book (PricebookEntry); a crmkit product "
                "needs a price",
            )
        if wanted is None and len(entries) > 1:
            raise ValidationError.single(
                "CurrencyIsoCode",
                "",
                f"is empty and the product has standard prices in {', '.join(sorted(entries))}; "
                "pass currency=",
            )
        chosen = wanted if wanted is not None else next(iter(entries))
        price = entries.get(chosen)
        if price is None:
            raise ValidationError.single(
                "CurrencyIsoCode", chosen, "has no entry in the standard price book"
            )
        if isinstance(price, Problem):
            raise ValidationError([price])
        cells = {**raw, "UnitPrice": format(price, "f"), "CurrencyIsoCode": chosen}
        return super().decode(cells, references)


def standard_prices(
    stack: ExitStack, path: str | Path, standard_price_book: str, encoding: str = "utf-8-sig"
) -> dict[str, dict[str, Decimal | Problem]]:
    """The standard book's entries of a PricebookEntry file: Product2 id → currency → price
    (a :class:`~crmkit.errors.Problem` naming the entry's line and column when it does not
    read; other books' rows are skipped).

    Examples:
        >>> import pathlib, tempfile
        >>> from contextlib import ExitStack
        >>> from crmkit.adapters.formats.product_prices import standard_prices
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "PricebookEntry.csv"
        >>> _ = path.write_text("Id,Pricebook2Id,Product2Id,UnitPrice,CurrencyIsoCode\\n"
        ...                     "01u1,01sSTD,01tW,99.90,SEK\\n01u2,01sSTD,01tS,lots,SEK\\n"
        ...                     "01u3,01sEU,01tW,9,EUR\\n")
        >>> with ExitStack() as stack:
        ...     prices = standard_prices(stack, path, "01sSTD")
        >>> prices["01tW"], str(prices["01tS"]["SEK"])
        ({'SEK': Decimal('99.90')}, "PricebookEntry line 3: UnitPrice: 'lots' is not a number")
    """
    codec = LineCodec("Salesforce", "PricebookEntry")
    prices: dict[str, dict[str, Decimal | Problem]] = {}
    for row in read_line_file(stack, path, codec, encoding):
        if str(row.raw.get("Pricebook2Id") or "").strip() != standard_price_book:
            continue
        product = str(row.raw.get("Product2Id") or "").strip()
        currency = str(row.raw.get("CurrencyIsoCode") or "").strip()
        try:
            if row.problems:
                raise ValidationError(list(row.problems))
            line = codec.decode(row)
        except ValidationError as exc:
            first = exc.problems[0]
            where = f"PricebookEntry line {row.line}: {first.path}"
            value = first.value if first.has_value else None
            prices.setdefault(product, {})[currency] = Problem(where, value, first.message)
            continue
        prices.setdefault(product, {})[currency] = line.price
    return prices


def _standard_book(store: Store) -> str:
    with store.unit_of_work() as uow:
        for book in uow.price_books.iter_all():
            flag = str((book.remote_data or {}).get("IsStandard", "")).strip().lower()
            if flag in ("true", "1", "yes") and book.remote_id:
                return str(book.remote_id)
    raise ValidationError.single(
        "standard_price_book",
        None,
        "is not given and no price book in the store has IsStandard = true; import the "
        "Pricebook2 file first or pass the standard book's Id",
    )


def import_salesforce_products(
    store: Store,
    products_path: str | Path,
    entries_path: str | Path,
    *,
    standard_price_book: str | None = None,
    currency: str | None = None,
    policy: ImportPolicy = ImportPolicy.ALL_OR_NOTHING,
    rejects_path: str | Path | None = None,
    encoding: str = "utf-8-sig",
) -> ImportReport:
    """Import a Product2 file, each product priced by its standard PricebookEntry.

    Args:
        store: where to write.
        products_path: the Product2 file.
        entries_path: the PricebookEntry file (other books' rows are not read here).
        standard_price_book: the standard book's Salesforce Id (default: the price book in
            the store whose ``remote_data`` has ``IsStandard = true``, as
            ``SalesforceCodec("Pricebook2")`` imports it).
        currency: the currency to take for a product with standard prices in several.
        policy: rejects file and report as for :func:`~crmkit.adapters.files.import_csv`.
        rejects_path: write every reject to this CSV file.
        encoding: both files' text encoding.

    Raises:
        ValidationError: no standard price book, or a file cannot be read.
        ImportRolledBackError: ``ALL_OR_NOTHING`` and some rows were rejected.

    Examples:
        >>> import pathlib, tempfile
        >>> from crmkit.adapters import open_store
        >>> from crmkit.adapters.formats.product_prices import import_salesforce_products
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "Product2.csv").write_text(
        ...     "Id,Name,ProductCode,IsActive\\n01tW,Widget,W-1,true\\n")
        >>> _ = (folder / "PricebookEntry.csv").write_text(
        ...     "Id,Pricebook2Id,Product2Id,UnitPrice,CurrencyIsoCode\\n01u1,01sSTD,01tW,99.90,SEK\\n")
        >>> store = open_store("memory://")
        >>> import_salesforce_products(store, folder / "Product2.csv",
        ...     folder / "PricebookEntry.csv", standard_price_book="01sSTD").created
        1
    """
    book = standard_price_book or _standard_book(store)
    with ExitStack() as stack:
        prices = standard_prices(stack, entries_path, book, encoding)
    return import_csv(
        store,
        products_path,
        StandardPricedProductCodec(prices, currency=currency),
        policy=policy,
        rejects_path=rejects_path,
        encoding=encoding,
    )
