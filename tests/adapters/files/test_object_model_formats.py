"""HubSpot and Salesforce exports of tasks, notes, users, products, price books and quotes."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

from crmkit.adapters import Store
from crmkit.adapters.files import ImportPolicy, export_csv, import_csv, restore
from crmkit.adapters.formats import HubSpotCodec, SalesforceCodec
from crmkit.domain import (
    Money,
    Note,
    PriceBook,
    Product,
    Quote,
    QuoteStatus,
    RecordLink,
    Task,
    TaskPriority,
    TaskStatus,
    User,
)


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return [{k: restore(v) for k, v in row.items()} for row in csv.DictReader(fh)]


def _import(store: Store, path: Path, codec: object, **options: object) -> object:
    return import_csv(store, path, codec, **options)  # type: ignore[arg-type]


def _exported_cells_match(
    store: Store, path: Path, codec: object, rows: list[dict[str, str]], id_column: str
) -> None:
    export_csv(store, path, codec)  # type: ignore[arg-type]
    exported = {row[id_column]: row for row in _read(path)}
    for row in rows:
        for column, cell in row.items():
            assert exported[row[id_column]].get(column, "") == cell, column


HS_COMPANIES = [{"Record ID": "9001", "Company name": "Acme AB"}]
HS_CONTACTS = [{"Record ID": "51", "First Name": "Anna", "Last Name": "Lind"}]
HS_DEALS = [
    {
        "Record ID": "701",
        "Deal Name": "Acme renewal",
        "Amount": "150000",
        "Currency": "SEK",
        "Close Date": "2025-06-30",
        "Pipeline": "Sales Pipeline",
        "Deal Stage": "Contract Sent",
        "Associated Company IDs": "9001",
    }
]
HS_TASKS = [
    {
        "Record ID": "3101",
        "Task Title": "Call Anna about the renewal",
        "Due date": "2025-03-03 09:00",
        "Task Status": "In progress",
        "Priority": "High",
        "Completed at": "",
        "Assigned to": "77",
        "Task notes": "Ask about the second site",
        "Associated Company IDs": "9001",
        "Associated Contact IDs": "51",
        "Associated Deal IDs": "701",
        "Task Type": "CALL",
    },
    {
        "Record ID": "3102",
        "Task Title": "Send the contract",
        "Due date": "2025-03-05 12:00",
        "Task Status": "Completed",
        "Priority": "Medium",
        "Completed at": "2025-03-04 16:30",
        "Assigned to": "77",
        "Task notes": "",
        "Associated Company IDs": "9001;9999",
        "Associated Contact IDs": "",
        "Associated Deal IDs": "",
        "Task Type": "EMAIL",
    },
    {
        "Record ID": "3103",
        "Task Title": "Chase the invoice",
        "Due date": "2025-03-06 12:00",
        "Task Status": "Completed",
        "Priority": "Low",
        "Completed at": "",
        "Assigned to": "",
        "Task notes": "",
        "Associated Company IDs": "",
        "Associated Contact IDs": "",
        "Associated Deal IDs": "",
        "Task Type": "TODO",
    },
    {
        "Record ID": "3104",
        "Task Title": "Book the workshop",
        "Due date": "2025-03-07 12:00",
        "Task Status": "Not started",
        "Priority": "Urgent",
        "Completed at": "",
        "Assigned to": "",
        "Task notes": "",
        "Associated Company IDs": "",
        "Associated Contact IDs": "",
        "Associated Deal IDs": "",
        "Task Type": "TODO",
    },
]
HS_NOTES = [
    {
        "Record ID": "4201",
        "Note body": "Anna wants a quote for 20 seats",
        "Activity date": "2025-03-01 14:05",
        "Created by": "77",
        "Associated Company IDs": "9001",
        "Associated Contact IDs": "51",
        "Associated Deal IDs": "",
    }
]
HS_PRODUCTS = [
    {
        "Record ID": "8801",
        "Name": "Support hour",
        "SKU": "SUP-1",
        "Unit price": "950.00",
        "Currency": "SEK",
        "Description": "One hour of on-site support",
        "Product Type": "service",
    },
    {
        "Record ID": "8802",
        "Name": "Licence",
        "SKU": "",
        "Unit price": "1200",
        "Currency": "SEK",
        "Description": "",
        "Product Type": "inventory",
    },
]
HS_QUOTES = [
    {
        "Record ID": "5501",
        "Quote Name": "Acme renewal 2025",
        "Quote number": "Q-2025-014",
        "Currency": "SEK",
        "Expiration Date": "2025-04-30",
        "Quote owner": "77",
        "Associated Company IDs": "9001",
        "Associated Deal IDs": "701",
        "Status": "APPROVAL_NOT_NEEDED",
    }
]


def test_hubspot_activities_products_and_quotes_round_trip(store: Store, tmp_path: Path) -> None:
    for name, rows in (
        ("companies", HS_COMPANIES),
        ("contacts", HS_CONTACTS),
        ("deals", HS_DEALS),
    ):
        report = _import(store, _write(tmp_path / f"{name}.csv", rows), HubSpotCodec(name))
        assert report.created == 1  # type: ignore[attr-defined]
    tasks = _import(
        store,
        _write(tmp_path / "tasks.csv", HS_TASKS),
        HubSpotCodec("tasks"),
        policy=ImportPolicy.KEEP_ACCEPTED,
    )
    assert tasks.created == 2  # type: ignore[attr-defined]
    # line 4 is completed without a completion time, line 5 has a priority HubSpot lacks
    rejects = {(r.line, r.field) for r in tasks.rejects}  # type: ignore[attr-defined]
    assert rejects == {(4, "Completed at"), (5, "Priority")}
    for name, rows in (("notes", HS_NOTES), ("products", HS_PRODUCTS[:1]), ("quotes", HS_QUOTES)):
        report = _import(store, _write(tmp_path / f"{name}.csv", rows), HubSpotCodec(name))
        assert report.created == len(rows), name  # type: ignore[attr-defined]

    with store.unit_of_work() as uow:
        acme = uow.accounts.find_by_remote_id("9001")
        anna = uow.contacts.find_by_remote_id("51")
        deal = uow.opportunities.find_by_remote_id("701")
        call = uow.tasks.find_by_remote_id("3101")
        contract = uow.tasks.find_by_remote_id("3102")
        note = uow.notes.find_by_remote_id("4201")
        support = uow.products.find_by_remote_id("8801")
        quote = uow.quotes.find_by_remote_id("5501")
    assert acme is not None
    assert anna is not None
    assert deal is not None
    assert isinstance(call, Task)
    assert (call.subject, call.status, call.priority, call.assignee_id) == (
        "Call Anna about the renewal",
        TaskStatus.OPEN,
        TaskPriority.HIGH,
        "77",
    )
    assert call.due_at == datetime(2025, 3, 3, 9, tzinfo=UTC)
    assert call.links == [
        RecordLink("account", acme.id),
        RecordLink("contact", anna.id),
        RecordLink("opportunity", deal.id),
    ]
    assert call.remote_data == {"Task Status": "In progress", "Task Type": "CALL"}
    assert isinstance(contract, Task)
    assert contract.status is TaskStatus.DONE
    assert contract.completed_at == datetime(2025, 3, 4, 16, 30, tzinfo=UTC)
    # 9999 was never imported: the known company is linked, the cell kept as HubSpot wrote it
    assert contract.links == [RecordLink("account", acme.id)]
    assert contract.remote_data["Associated Company IDs"] == "9001;9999"
    assert isinstance(note, Note)
    assert (note.body, note.author_id) == ("Anna wants a quote for 20 seats", "77")
    assert note.written_at == datetime(2025, 3, 1, 14, 5, tzinfo=UTC)
    assert note.is_linked_to("contact", anna.id)
    assert isinstance(support, Product)
    assert (support.sku, support.price, support.category) == (
        "SUP-1",
        Money("950.00", "SEK"),
        "service",
    )
    assert isinstance(quote, Quote)
    assert (quote.account_id, quote.opportunity_id, quote.currency) == (acme.id, deal.id, "SEK")
    assert (quote.status, quote.valid_until, quote.quote_number) == (
        QuoteStatus.DRAFT,
        date(2025, 4, 30),
        "Q-2025-014",
    )
    assert quote.remote_data == {
        "Quote Name": "Acme renewal 2025",
        "Status": "APPROVAL_NOT_NEEDED",
    }

    for name, rows in (
        ("tasks", HS_TASKS[:2]),
        ("notes", HS_NOTES),
        ("products", HS_PRODUCTS[:1]),
        ("quotes", HS_QUOTES),
    ):
        _exported_cells_match(
            store, tmp_path / f"{name}_out.csv", HubSpotCodec(name), rows, "Record ID"
        )


def test_hubspot_product_without_a_sku_is_rejected_naming_the_column(
    store: Store, tmp_path: Path
) -> None:
    report = _import(
        store,
        _write(tmp_path / "products.csv", HS_PRODUCTS),
        HubSpotCodec("products"),
        policy=ImportPolicy.KEEP_ACCEPTED,
    )
    assert report.created == 1  # type: ignore[attr-defined]
    assert [(r.line, r.field) for r in report.rejects] == [(3, "SKU")]  # type: ignore[attr-defined]


SF_ACCOUNTS = [{"Id": "0015g00000AbCdE", "Name": "Acme AB"}]
SF_CONTACTS = [
    {"Id": "0035g00000XyZ", "FirstName": "Eva", "LastName": "Holm", "AccountId": "0015g00000AbCdE"}
]
SF_OPPORTUNITIES = [
    {
        "Id": "0065g00000Op1",
        "Name": "Acme renewal",
        "AccountId": "0015g00000AbCdE",
        "Amount": "48000.50",
        "CurrencyIsoCode": "SEK",
        "CloseDate": "2025-09-30",
        "StageName": "Proposal/Price Quote",
    }
]
SF_USERS = [
    {
        "Id": "0055g000001AbC",
        "Name": "Anna Lind",
        "Email": "anna.lind@acme-demo.se",
        "Title": "Account Executive",
        "IsActive": "true",
        "Username": "anna.lind@acme-demo.se.crm",
        "CreatedDate": "2023-01-10T08:00:00.000Z",
    },
    {
        "Id": "0055g000002DeF",
        "Name": "Old Timer",
        "Email": "old@acme-demo.se",
        "Title": "",
        "IsActive": "false",
        "Username": "old@acme-demo.se.crm",
        "CreatedDate": "2019-05-02T08:00:00.000Z",
    },
    {
        "Id": "0055g000003GhI",
        "Name": "Integration",
        "Email": "not-an-address",
        "Title": "",
        "IsActive": "true",
        "Username": "integration@acme-demo.se.crm",
        "CreatedDate": "2019-05-02T08:00:00.000Z",
    },
]
SF_TASKS = [
    {
        "Id": "00T5g00000Tk1",
        "Subject": "Follow up on the proposal",
        "ActivityDate": "2025-03-07",
        "Status": "Waiting on someone else",
        "Priority": "High",
        "CompletedDateTime": "",
        "OwnerId": "0055g000001AbC",
        "Description": "Eva is checking the budget",
        "WhatId": "0065g00000Op1",
        "WhoId": "0035g00000XyZ",
        "TaskSubtype": "Call",
    },
    {
        "Id": "00T5g00000Tk2",
        "Subject": "Send the revised quote",
        "ActivityDate": "2025-03-10",
        "Status": "Completed",
        "Priority": "Normal",
        "CompletedDateTime": "2025-03-09T15:12:00.000Z",
        "OwnerId": "0055g000001AbC",
        "Description": "",
        "WhatId": "0015g00000AbCdE",
        "WhoId": "",
        "TaskSubtype": "Email",
    },
    {
        "Id": "00T5g00000Tk3",
        "Subject": "Book the workshop",
        "ActivityDate": "10 March",
        "Status": "Not Started",
        "Priority": "Normal",
        "CompletedDateTime": "",
        "OwnerId": "",
        "Description": "",
        "WhatId": "",
        "WhoId": "",
        "TaskSubtype": "Task",
    },
]
SF_NOTES = [
    {
        "Id": "0025g00000Nt1",
        "Title": "Budget",
        "Body": "Budget approved for Q3; procurement needs two quotes",
        "OwnerId": "0055g000001AbC",
        "ParentId": "0065g00000Op1",
        "CreatedDate": "2025-03-02T10:15:00.000Z",
    }
]
SF_PRICEBOOKS = [
    {
        "Id": "01s5g00000Pb1",
        "Name": "Standard Price Book SEK",
        "CurrencyIsoCode": "SEK",
        "IsActive": "true",
        "Description": "List prices",
        "IsStandard": "true",
    }
]
SF_QUOTES = [
    {
        "Id": "0Q05g00000Qt1",
        "Name": "Acme renewal quote",
        "QuoteNumber": "00000017",
        "AccountId": "0015g00000AbCdE",
        "OpportunityId": "0065g00000Op1",
        "ContactId": "0035g00000XyZ",
        "Pricebook2Id": "01s5g00000Pb1",
        "ExpirationDate": "2025-04-15",
        "CurrencyIsoCode": "SEK",
        "Status": "Draft",
        "OwnerId": "0055g000001AbC",
    }
]


def test_salesforce_users_activities_price_books_and_quotes_round_trip(
    store: Store, tmp_path: Path
) -> None:
    for name, rows in (
        ("Account", SF_ACCOUNTS),
        ("Contact", SF_CONTACTS),
        ("Opportunity", SF_OPPORTUNITIES),
        ("Pricebook2", SF_PRICEBOOKS),
        ("Note", SF_NOTES),
        ("Quote", SF_QUOTES),
    ):
        report = _import(store, _write(tmp_path / f"{name}.csv", rows), SalesforceCodec(name))
        assert report.created == len(rows), name  # type: ignore[attr-defined]
    users = _import(
        store,
        _write(tmp_path / "User.csv", SF_USERS),
        SalesforceCodec("User"),
        policy=ImportPolicy.KEEP_ACCEPTED,
    )
    tasks = _import(
        store,
        _write(tmp_path / "Task.csv", SF_TASKS),
        SalesforceCodec("Task"),
        policy=ImportPolicy.KEEP_ACCEPTED,
    )
    assert users.created == tasks.created == 2  # type: ignore[attr-defined]
    assert [(r.line, r.field) for r in users.rejects] == [(4, "Email")]  # type: ignore[attr-defined]
    assert [(r.line, r.field) for r in tasks.rejects] == [(4, "ActivityDate")]  # type: ignore[attr-defined]

    with store.unit_of_work() as uow:
        acme = uow.accounts.find_by_remote_id("0015g00000AbCdE")
        eva = uow.contacts.find_by_remote_id("0035g00000XyZ")
        opp = uow.opportunities.find_by_remote_id("0065g00000Op1")
        anna = uow.users.find_by_remote_id("0055g000001AbC")
        old = uow.users.find_by_remote_id("0055g000002DeF")
        follow_up = uow.tasks.find_by_remote_id("00T5g00000Tk1")
        sent = uow.tasks.find_by_remote_id("00T5g00000Tk2")
        note = uow.notes.find_by_remote_id("0025g00000Nt1")
        book = uow.price_books.find_by_remote_id("01s5g00000Pb1")
        quote = uow.quotes.find_by_remote_id("0Q05g00000Qt1")
    assert acme is not None
    assert eva is not None
    assert opp is not None
    assert isinstance(anna, User)
    assert isinstance(old, User)
    assert (anna.name, anna.email, anna.title, anna.active) == (
        "Anna Lind",
        "anna.lind@acme-demo.se",
        "Account Executive",
        True,
    )
    assert old.active is False
    assert isinstance(follow_up, Task)
    assert follow_up.due_at == datetime(2025, 3, 7, tzinfo=UTC)
    assert (follow_up.status, follow_up.priority) == (TaskStatus.OPEN, TaskPriority.HIGH)
    assert follow_up.links == [RecordLink("opportunity", opp.id), RecordLink("contact", eva.id)]
    assert isinstance(sent, Task)
    assert sent.status is TaskStatus.DONE
    assert sent.links == [RecordLink("account", acme.id)]
    assert isinstance(note, Note)
    assert note.links == [RecordLink("opportunity", opp.id)]
    assert note.written_at == datetime(2025, 3, 2, 10, 15, tzinfo=UTC)
    assert note.remote_data == {"Title": "Budget"}
    assert isinstance(book, PriceBook)
    assert (book.name, book.currency, book.active, book.entries) == (
        "Standard Price Book SEK",
        "SEK",
        True,
        [],
    )
    assert isinstance(quote, Quote)
    assert (quote.account_id, quote.opportunity_id, quote.contact_id, quote.price_book_id) == (
        acme.id,
        opp.id,
        eva.id,
        book.id,
    )
    assert (quote.valid_until, quote.status) == (date(2025, 4, 15), QuoteStatus.DRAFT)

    for name, rows in (
        ("User", SF_USERS[:2]),
        ("Task", SF_TASKS[:2]),
        ("Note", SF_NOTES),
        ("Pricebook2", SF_PRICEBOOKS),
        ("Quote", SF_QUOTES),
    ):
        _exported_cells_match(
            store, tmp_path / f"{name}_out.csv", SalesforceCodec(name), rows, "Id"
        )


def test_exported_task_links_use_the_vendor_ids(store: Store, tmp_path: Path) -> None:
    _import(store, _write(tmp_path / "Account.csv", SF_ACCOUNTS), SalesforceCodec("Account"))
    with store.unit_of_work() as uow:
        acme = uow.accounts.find_by_remote_id("0015g00000AbCdE")
        assert acme is not None
        uow.tasks.add(Task("Plan the kick-off", links=[RecordLink("account", acme.id)]))
    (row,) = _read_after_export(store, tmp_path / "tasks.csv", SalesforceCodec("Task"))
    assert (row["Subject"], row["WhatId"], row["Status"], row["Priority"]) == (
        "Plan the kick-off",
        "0015g00000AbCdE",
        "Not Started",
        "Normal",
    )


def _read_after_export(store: Store, path: Path, codec: object) -> list[dict[str, str]]:
    export_csv(store, path, codec)  # type: ignore[arg-type]
    return _read(path)


HS_OWNERS = [
    {
        "Owner ID": "77",
        "First Name": "Anna",
        "Last Name": "Lind",
        "Email": "anna.lind@acme-demo.se",
        "User ID": "4011",
        "Teams": "Inside sales",
        "Archived": "false",
    },
    {
        "Owner ID": "78",
        "First Name": "Karl",
        "Last Name": "von Essen",
        "Email": "karl@acme-demo.se",
        "User ID": "4012",
        "Teams": "",
        "Archived": "false",
    },
    {
        "Owner ID": "79",
        "First Name": "",
        "Last Name": "",
        "Email": "ghost@acme-demo.se",
        "User ID": "",
        "Teams": "",
        "Archived": "true",
    },
]


def test_hubspot_owners_become_users(store: Store, tmp_path: Path) -> None:
    report = _import(
        store,
        _write(tmp_path / "owners.csv", HS_OWNERS),
        HubSpotCodec("owners"),
        policy=ImportPolicy.KEEP_ACCEPTED,
    )
    assert report.created == 2  # type: ignore[attr-defined]
    assert [(r.line, r.field) for r in report.rejects] == [(4, "First Name / Last Name")]  # type: ignore[attr-defined]
    with store.unit_of_work() as uow:
        anna = uow.users.find_by_remote_id("77")
        karl = uow.users.find_by_remote_id("78")
    assert isinstance(anna, User)
    assert isinstance(karl, User)
    assert (anna.name, anna.email) == ("Anna Lind", "anna.lind@acme-demo.se")
    assert anna.remote_data == {"User ID": "4011", "Teams": "Inside sales", "Archived": "false"}
    # "von Essen" does not split back at the last word: the cells are kept for the export
    assert karl.name == "Karl von Essen"
    assert (karl.remote_data["First Name"], karl.remote_data["Last Name"]) == ("Karl", "von Essen")
    _exported_cells_match(
        store, tmp_path / "owners_out.csv", HubSpotCodec("owners"), HS_OWNERS[:2], "Owner ID"
    )
    with store.unit_of_work() as uow:
        uow.users.add(User("Eva Maria Holm", "eva@acme-demo.se"))
    rows = {
        r["Email"]: r for r in _read_after_export(store, tmp_path / "o.csv", HubSpotCodec("owners"))
    }
    assert (rows["eva@acme-demo.se"]["First Name"], rows["eva@acme-demo.se"]["Last Name"]) == (
        "Eva Maria",
        "Holm",
    )
