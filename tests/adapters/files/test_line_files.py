"""Vendor line files joined to their parents: Salesforce OpportunityLineItem, QuoteLineItem and
PricebookEntry, HubSpot line_items — import, export, orphans and wrong numbers."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.adapters import Store, open_store
from crmkit.adapters.files import ImportPolicy, export_csv, import_csv, read_rejects, restore
from crmkit.adapters.formats import HubSpotCodec, SalesforceCodec
from crmkit.adapters.formats.lines import LineCodec, export_lines, import_lines
from crmkit.adapters.formats.product_prices import import_salesforce_products
from crmkit.domain import Account, LineItem, Money, Opportunity, PriceBook, Product, Quote
from crmkit.domain.line_item import net_total
from crmkit.errors import ImportRolledBackError, ValidationError
from tests.profiles import examples


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [{k: restore(v) for k, v in row.items()} for row in csv.DictReader(fh)]


SF_ACCOUNTS = [{"Id": "001A", "Name": "Acme AB", "CurrencyIsoCode": "SEK"}]
SF_OPPORTUNITIES = [
    {
        "Id": "006A",
        "Name": "Acme renewal",
        "AccountId": "001A",
        "Amount": "1389.73",
        "CurrencyIsoCode": "SEK",
        "CloseDate": "2025-06-30",
        "StageName": "Negotiation/Review",
    },
    {
        "Id": "006B",
        "Name": "Acme expansion",
        "AccountId": "001A",
        "Amount": "500.00",
        "CurrencyIsoCode": "SEK",
        "CloseDate": "2025-09-30",
        "StageName": "Closed Won",
    },
]
SF_PRICEBOOKS = [
    {
        "Id": "01sSTD",
        "Name": "Standard Price Book",
        "IsActive": "true",
        "IsStandard": "true",
        "CurrencyIsoCode": "SEK",
    },
]
SF_QUOTES = [
    {
        "Id": "0Q0A",
        "QuoteNumber": "00000001",
        "Name": "Renewal quote",
        "AccountId": "001A",
        "OpportunityId": "006A",
        "Pricebook2Id": "01sSTD",
        "CurrencyIsoCode": "SEK",
        "Status": "Draft",
    },
]
SF_LINES = [
    {"Id": "00kA1", "OpportunityId": "006A", "Product2Id": "01tW", "PricebookEntryId": "01uW",
     "Quantity": "3.00", "UnitPrice": "99.90", "ListPrice": "99.90",
     "CurrencyIsoCode": "SEK", "Discount": "10.00", "TotalPrice": "269.73",
     "Description": "Widgets, first site"},
    {"Id": "00kA2", "OpportunityId": "006A", "Product2Id": "01tS", "PricebookEntryId": "01uS",
     "Quantity": "2", "UnitPrice": "560.00", "ListPrice": "560.00",
     "CurrencyIsoCode": "SEK", "Discount": "", "TotalPrice": "1120.00", "Description": ""},
    {"Id": "00kB1", "OpportunityId": "006B", "Product2Id": "01tS", "PricebookEntryId": "01uS",
     "Quantity": "1", "UnitPrice": "500.00", "ListPrice": "560.00",
     "CurrencyIsoCode": "SEK", "Discount": "", "TotalPrice": "500.00", "Description": ""},
]  # fmt: skip


@pytest.fixture
def sf_store(store: Store, tmp_path: Path) -> Store:
    """Accounts, opportunities, a price book and a quote from Salesforce files; products."""
    with store.unit_of_work() as uow:
        uow.products.add(Product("W-1", "Widget", price=Money("99.90", "SEK"), remote_id="01tW"))
        uow.products.add(Product("S-1", "Support", price=Money("560", "SEK"), remote_id="01tS"))
        uow.commit()
    for name, rows in (
        ("Account", SF_ACCOUNTS),
        ("Opportunity", SF_OPPORTUNITIES),
        ("Pricebook2", SF_PRICEBOOKS),
        ("Quote", SF_QUOTES),
    ):
        path = _write(tmp_path / f"{name}.csv", rows)
        import_csv(store, path, SalesforceCodec(name, default_currency="SEK"))
    return store


def _opportunity(store: Store, remote_id: str) -> Opportunity:
    with store.unit_of_work() as uow:
        found = uow.opportunities.find_by_remote_id(remote_id)
    assert found is not None
    return found


def test_salesforce_opportunity_lines_import_and_export_round_trip(
    sf_store: Store, tmp_path: Path
) -> None:
    codec = LineCodec("Salesforce", "OpportunityLineItem")
    report = import_lines(sf_store, _write(tmp_path / "lines.csv", SF_LINES), codec)
    assert (report.rows, report.accepted, report.rejected, report.updated) == (3, 3, 0, 2)
    renewal = _opportunity(sf_store, "006A")
    with sf_store.unit_of_work() as uow:
        widget = uow.products.find_by_remote_id("01tW")
    assert widget is not None
    assert renewal.line_items[0] == LineItem(
        widget.id, 3, Money("99.90", "SEK"), discount="0.1", description="Widgets, first site"
    )
    assert renewal.amount == Money("1389.73", "SEK")  # the amount is the lines' net total
    assert _opportunity(sf_store, "006B").is_won  # a closed deal gets its lines too

    out = tmp_path / "exported.csv"
    assert export_lines(sf_store, out, codec) == 3
    exported = _read(out)
    for row, written in zip(SF_LINES, exported, strict=True):
        assert written["Id"] == ""
        for column in codec.columns()[1:]:
            if column in ("Quantity", "Discount") and row[column]:
                assert Decimal(written[column]) == Decimal(row[column]), column
            else:
                assert written[column] == row[column], column
    again = import_lines(sf_store, out, codec)  # the exported file imports to the same lines
    assert again.accepted == 3
    assert _opportunity(sf_store, "006A").line_items == renewal.line_items


def test_orphan_rows_are_rejected_by_line_and_column(sf_store: Store, tmp_path: Path) -> None:
    rows = [*SF_LINES, {**SF_LINES[2], "Id": "00kX", "OpportunityId": "006ZZZ"}]
    path = _write(tmp_path / "lines.csv", rows)
    codec = LineCodec("Salesforce", "OpportunityLineItem")
    with pytest.raises(ImportRolledBackError) as caught:
        import_lines(sf_store, path, codec)
    assert [str(r) for r in caught.value.report.rejects] == [
        "line 5: OpportunityId: '006ZZZ' names opportunities that are not in the store; "
        "import them first"
    ]
    assert _opportunity(sf_store, "006A").line_items == []  # nothing stored

    rejects = tmp_path / "rejects.csv"
    report = import_lines(
        sf_store, path, codec, policy=ImportPolicy.KEEP_ACCEPTED, rejects_path=rejects
    )
    assert (report.accepted, report.rejected, report.updated) == (3, 1, 2)
    assert [(r.line, r.field) for r in read_rejects(rejects)] == [(5, "OpportunityId")]
    assert len(_opportunity(sf_store, "006A").line_items) == 2


def test_wrong_numbers_reject_the_row_and_hold_back_its_siblings(
    sf_store: Store, tmp_path: Path
) -> None:
    rows = [
        {**SF_LINES[0], "Quantity": "2.5"},
        SF_LINES[1],
        {**SF_LINES[2], "TotalPrice": "450.00"},
        {**SF_LINES[2], "Id": "00kB2", "Discount": "150"},
        {**SF_LINES[2], "Id": "00kB3", "UnitPrice": "1,50"},
        {**SF_LINES[2], "Id": "00kB4", "Product2Id": "01tNOPE"},
    ]
    path = _write(tmp_path / "lines.csv", rows)
    report = import_lines(
        sf_store, path, LineCodec("Salesforce", "OpportunityLineItem"),
        policy=ImportPolicy.KEEP_ACCEPTED,
    )  # fmt: skip
    by_line = {(r.line, r.field): r for r in report.rejects}
    assert report.accepted == 0
    assert report.rejected == 6
    assert "whole number" in by_line[2, "Quantity"].reason
    assert (
        by_line[3, "OpportunityId"].reason
        == "is not attached: line 2 of the same opportunity is rejected"
    )
    assert by_line[4, "TotalPrice"].value == "450.00"
    assert "= 500" in by_line[4, "TotalPrice"].reason
    assert "between 0 and 100" in by_line[5, "Discount"].reason
    assert by_line[6, "UnitPrice"].value == "1,50"
    assert "not in the store" in by_line[7, "Product2Id"].reason
    assert _opportunity(sf_store, "006A").line_items == []


def test_lines_that_do_not_add_up_to_the_amount_are_rejected(
    sf_store: Store, tmp_path: Path
) -> None:
    path = _write(tmp_path / "lines.csv", SF_LINES[:1])  # 269.73 of 1389.73
    with pytest.raises(ImportRolledBackError) as caught:
        import_lines(sf_store, path, LineCodec("Salesforce", "OpportunityLineItem"))
    (reject,) = caught.value.report.rejects
    assert (reject.line, reject.field, reject.value) == (2, "TotalPrice", "269.73")
    assert "add up to 269.73 SEK, but its amount is 1389.73 SEK" in reject.reason


def test_price_book_entries_and_quote_lines(sf_store: Store, tmp_path: Path) -> None:
    entries = [
        {"Id": "01uW", "Pricebook2Id": "01sSTD", "Product2Id": "01tW", "UnitPrice": "99.90",
         "IsActive": "true", "UseStandardPrice": "false", "CurrencyIsoCode": "SEK"},
        {"Id": "01uS", "Pricebook2Id": "01sSTD", "Product2Id": "01tS", "UnitPrice": "560",
         "IsActive": "true", "UseStandardPrice": "false", "CurrencyIsoCode": "SEK"},
    ]  # fmt: skip
    codec = LineCodec("Salesforce", "PricebookEntry")
    import_lines(sf_store, _write(tmp_path / "entries.csv", entries), codec)
    quote_lines = [{**row, "QuoteId": "0Q0A"} for row in SF_LINES[:2]]
    for row in quote_lines:
        del row["OpportunityId"]
    import_lines(
        sf_store, _write(tmp_path / "ql.csv", quote_lines), LineCodec("Salesforce", "QuoteLineItem")
    )
    with sf_store.unit_of_work() as uow:
        book = uow.price_books.find_by_remote_id("01sSTD")
        quote = uow.quotes.find_by_remote_id("0Q0A")
        widget = uow.products.find_by_remote_id("01tW")
    assert isinstance(book, PriceBook)
    assert isinstance(quote, Quote)
    assert widget is not None
    assert book.price(widget.id) == Money("99.90", "SEK")
    assert quote.net_total == Money("1389.73", "SEK")
    out = tmp_path / "entries-out.csv"
    assert export_lines(sf_store, out, codec) == 2
    assert [(r["Product2Id"], r["UnitPrice"]) for r in _read(out)] == [
        ("01tW", "99.90"),
        ("01tS", "560"),
    ]

    euro = [{**entries[0], "CurrencyIsoCode": "EUR"}]
    with pytest.raises(ImportRolledBackError) as caught:
        import_lines(sf_store, _write(tmp_path / "eur.csv", euro), codec)
    assert str(caught.value.report.rejects[0]) == (
        "line 2: CurrencyIsoCode: 'EUR' differs from the parent's currency SEK"
    )


HS_PRODUCTS = [
    {"Record ID": "501", "Name": "Widget", "SKU": "W-1", "Unit price": "99.90", "Currency": "SEK"},
    {"Record ID": "502", "Name": "Support", "SKU": "S-1", "Unit price": "560", "Currency": "SEK"},
]  # fmt: skip
HS_DEALS = [
    {"Record ID": "701", "Deal Name": "Acme renewal", "Amount": "1389.73", "Currency": "SEK",
     "Close Date": "2025-06-30", "Pipeline": "Sales Pipeline", "Deal Stage": "Contract Sent",
     "Associated Company IDs": "9001"},
]  # fmt: skip
HS_QUOTES = [
    {"Record ID": "801", "Quote number": "Q-1", "Currency": "SEK",
     "Associated Company IDs": "9001", "Associated Deal IDs": "701"},
]  # fmt: skip
HS_LINE_ITEMS = [
    {"Record ID": "9901", "Name": "Widget", "Product ID": "501", "Quantity": "3",
     "Unit price": "99.90", "Discount Percentage": "10", "Net price": "269.73",
     "Currency": "SEK", "Description": "", "Associated Deal IDs": "701",
     "Associated Quote IDs": "801"},
    {"Record ID": "9902", "Name": "Support", "Product ID": "502", "Quantity": "2",
     "Unit price": "560", "Discount Percentage": "", "Net price": "1120",
     "Currency": "SEK", "Description": "Year one", "Associated Deal IDs": "701",
     "Associated Quote IDs": ""},
]  # fmt: skip


def test_hubspot_line_items_attach_to_deals_and_quotes(store: Store, tmp_path: Path) -> None:
    companies = [{"Record ID": "9001", "Company name": "Acme AB"}]
    for name, rows in (
        ("companies", companies),
        ("products", HS_PRODUCTS),
        ("deals", HS_DEALS),
        ("quotes", HS_QUOTES),
    ):
        import_csv(store, _write(tmp_path / f"{name}.csv", rows), HubSpotCodec(name))
    codec = LineCodec("HubSpot", "line_items")
    report = import_lines(store, _write(tmp_path / "line_items.csv", HS_LINE_ITEMS), codec)
    assert (report.accepted, report.updated) == (2, 2)
    with store.unit_of_work() as uow:
        deal = uow.opportunities.find_by_remote_id("701")
        quote = uow.quotes.find_by_remote_id("801")
    assert deal is not None
    assert quote is not None
    assert [line.quantity for line in deal.line_items] == [3, 2]
    assert quote.lines == deal.line_items[:1]
    assert deal.amount == Money("1389.73", "SEK")

    out = tmp_path / "out.csv"
    assert export_lines(store, out, codec) == 3  # the deal's two lines, the quote's one
    written = _read(out)
    assert [
        (r["Associated Deal IDs"], r["Associated Quote IDs"], r["Product ID"]) for r in written
    ] == [
        ("701", "", "501"),
        ("701", "", "502"),
        ("", "801", "501"),
    ]
    assert [r["Net price"] for r in written] == ["269.73", "1120.00", "269.73"]


def test_a_row_naming_no_parent_and_a_bad_header_are_refused(store: Store, tmp_path: Path) -> None:
    codec = LineCodec("HubSpot", "line_items")
    row = {**HS_LINE_ITEMS[1], "Associated Deal IDs": ""}
    with pytest.raises(ImportRolledBackError) as caught:
        import_lines(store, _write(tmp_path / "l.csv", [row]), codec)
    assert caught.value.report.rejects[0].field == "Associated Deal IDs or Associated Quote IDs"
    with pytest.raises(ValidationError, match="'Product ID'"):
        import_lines(
            store,
            _write(
                tmp_path / "h.csv",
                [
                    {
                        "Record ID": "1",
                        "Quantity": "1",
                        "Unit price": "1",
                        "Associated Deal IDs": "7",
                    }
                ],
            ),
            codec,
        )
    with pytest.raises(ValidationError, match="policy"):
        import_lines(store, tmp_path / "l.csv", codec, policy=ImportPolicy.BATCHED)


SF_PRODUCTS = [
    {"Id": "01tW", "Name": "Widget", "ProductCode": "W-1", "Family": "Hardware",
     "IsActive": "true", "QuantityUnitOfMeasure": "Each", "Description": "", "StockKeepingUnit": ""},
    {"Id": "01tS", "Name": "Support", "ProductCode": "S-1", "Family": "Services",
     "IsActive": "false", "QuantityUnitOfMeasure": "month", "Description": "Per seat",
     "StockKeepingUnit": "SUP"},
    {"Id": "01tN", "Name": "No price", "ProductCode": "N-1", "Family": "", "IsActive": "true",
     "QuantityUnitOfMeasure": "", "Description": "", "StockKeepingUnit": ""},
    {"Id": "01tB", "Name": "Bad price", "ProductCode": "B-1", "Family": "", "IsActive": "true",
     "QuantityUnitOfMeasure": "", "Description": "", "StockKeepingUnit": ""},
]  # fmt: skip
SF_ENTRIES = [
    {"Id": "01u1", "Pricebook2Id": "01sSTD", "Product2Id": "01tW", "UnitPrice": "99.90",
     "IsActive": "true", "UseStandardPrice": "false", "CurrencyIsoCode": "SEK"},
    {"Id": "01u2", "Pricebook2Id": "01sSTD", "Product2Id": "01tS", "UnitPrice": "560.00",
     "IsActive": "true", "UseStandardPrice": "false", "CurrencyIsoCode": "SEK"},
    {"Id": "01u3", "Pricebook2Id": "01sSTD", "Product2Id": "01tB", "UnitPrice": "-5",
     "IsActive": "true", "UseStandardPrice": "false", "CurrencyIsoCode": "SEK"},
    {"Id": "01u4", "Pricebook2Id": "01sSMB", "Product2Id": "01tN", "UnitPrice": "10",
     "IsActive": "true", "UseStandardPrice": "false", "CurrencyIsoCode": "SEK"},
]  # fmt: skip


def test_salesforce_products_take_the_standard_price(store: Store, tmp_path: Path) -> None:
    books = _write(tmp_path / "Pricebook2.csv", SF_PRICEBOOKS)
    import_csv(store, books, SalesforceCodec("Pricebook2"))
    products = _write(tmp_path / "Product2.csv", SF_PRODUCTS)
    entries = _write(tmp_path / "PricebookEntry.csv", SF_ENTRIES)
    report = import_salesforce_products(store, products, entries, policy=ImportPolicy.KEEP_ACCEPTED)
    assert (report.accepted, report.rejected) == (2, 2)
    assert [str(r) for r in report.rejects] == [
        "line 4: Id: '01tN' has no entry in the standard price book (PricebookEntry); a "
        "crmkit product needs a price",
        "line 5: PricebookEntry line 4: UnitPrice: '-5' must not be negative",
    ]
    with store.unit_of_work() as uow:
        support = uow.products.find_by_remote_id("01tS")
    assert support is not None
    assert (support.sku, support.price, support.active, support.unit, support.category) == (
        "S-1",
        Money("560.00", "SEK"),
        False,
        "month",
        "Services",
    )
    out = tmp_path / "out.csv"
    export_csv(store, out, SalesforceCodec("Product2"))
    written = {row["Id"]: row for row in _read(out)}
    for row in SF_PRODUCTS[:2]:
        for column, cell in row.items():
            assert written[row["Id"]][column] == cell, column
    assert "UnitPrice" not in written["01tS"]


def test_products_need_a_standard_price_book(store: Store, tmp_path: Path) -> None:
    products = _write(tmp_path / "Product2.csv", SF_PRODUCTS[:1])
    entries = _write(tmp_path / "PricebookEntry.csv", SF_ENTRIES[:1])
    with pytest.raises(ValidationError, match="standard_price_book"):
        import_salesforce_products(store, products, entries)
    with pytest.raises(ValidationError, match="import_salesforce_products"):
        import_csv(store, products, SalesforceCodec("Product2"))  # a Product2 alone has no price


def test_a_row_rejected_for_one_parent_is_attached_to_none(store: Store, tmp_path: Path) -> None:
    companies = [{"Record ID": "9001", "Company name": "Acme AB"}]
    for name, rows in (("companies", companies), ("products", HS_PRODUCTS), ("deals", HS_DEALS)):
        import_csv(store, _write(tmp_path / f"{name}.csv", rows), HubSpotCodec(name))
    rows = [{**HS_LINE_ITEMS[0], "Associated Quote IDs": "899"}, HS_LINE_ITEMS[1]]  # no quote 899
    report = import_lines(
        store,
        _write(tmp_path / "line_items.csv", rows),
        LineCodec("HubSpot", "line_items"),
        policy=ImportPolicy.KEEP_ACCEPTED,
    )
    assert [str(r) for r in report.rejects] == [
        "line 2: Associated Quote IDs: '899' names quotes that are not in the store; import "
        "them first",
        "line 3: Associated Deal IDs: '701' is not attached: line 2 of the same opportunity is "
        "rejected",
    ]
    assert (report.accepted, report.updated) == (0, 0)
    with store.unit_of_work() as uow:
        deal = uow.opportunities.find_by_remote_id("701")
    assert deal is not None
    assert deal.line_items == []


def test_a_product_listed_twice_in_a_price_book_is_rejected(
    sf_store: Store, tmp_path: Path
) -> None:
    entry = {"Id": "01uW", "Pricebook2Id": "01sSTD", "Product2Id": "01tW", "UnitPrice": "99.90"}
    path = _write(tmp_path / "entries.csv", [entry, {**entry, "Id": "01uX", "UnitPrice": "80"}])
    with pytest.raises(ImportRolledBackError) as caught:
        import_lines(sf_store, path, LineCodec("Salesforce", "PricebookEntry"))
    assert [str(r) for r in caught.value.report.rejects] == [
        "line 2: Product2Id: '01tW' is listed twice",
        "line 3: Product2Id: '01tW' is listed twice",
    ]


_LINES = st.lists(
    st.tuples(
        st.sampled_from(["p-widget", "p-support"]),
        st.integers(1, 10_000),
        st.decimals(0, 10**7, places=2, allow_nan=False, allow_infinity=False),
        st.decimals(0, 1, places=4, allow_nan=False, allow_infinity=False),
    ),
    min_size=1,
    max_size=5,
)


def _parents(url: str, amount: Money) -> Store:
    store = open_store(url)
    with store.unit_of_work() as uow:
        acme = uow.accounts.add(Account(name="Acme"))
        for ident, remote in (("p-widget", "01tW"), ("p-support", "01tS")):
            uow.products.add(
                Product(ident, ident, price=Money(1, "SEK"), id=ident, remote_id=remote)
            )
        uow.opportunities.add(
            Opportunity("Deal", acme.id, amount, date(2025, 6, 30), "default", "prospecting", 0.1,
                        remote_id="006A")
        )  # fmt: skip
        uow.commit()
    return store


@settings(max_examples=examples(25), deadline=None)
@given(drawn=_LINES, hubspot=st.booleans())
def test_any_lines_survive_export_and_import(
    drawn: list[tuple[str, int, Decimal, Decimal]],
    hubspot: bool,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    lines = [LineItem(p, q, Money(price, "SEK"), discount=d) for p, q, price, d in drawn]
    total = net_total(lines, "SEK")
    source, target = _parents("memory://", total), _parents("memory://", total)
    with source.unit_of_work() as uow:
        deal = uow.opportunities.find_by_remote_id("006A")
        assert deal is not None
        deal.set_line_items(lines)
        uow.opportunities.save(deal)
        uow.commit()
    codec = (
        LineCodec("HubSpot", "line_items")
        if hubspot
        else LineCodec("Salesforce", "OpportunityLineItem")
    )
    path = tmp_path_factory.mktemp("lines") / "lines.csv"
    assert export_lines(source, path, codec) == len(lines)
    assert import_lines(target, path, codec).accepted == len(lines)
    with target.unit_of_work() as uow:
        imported = uow.opportunities.find_by_remote_id("006A")
    assert imported is not None
    assert imported.line_items == lines
    assert imported.amount == total
