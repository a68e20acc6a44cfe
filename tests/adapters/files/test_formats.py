"""HubSpot and Salesforce exports: mapped both ways, remote ids and unmapped columns kept."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from crmkit.adapters import Store
from crmkit.adapters.files import ImportPolicy, export_csv, import_csv
from crmkit.adapters.formats import HubSpotCodec, SalesforceCodec
from crmkit.domain import Account, Contact, Money, Opportunity


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _read(path: Path) -> list[dict[str, str]]:
    from crmkit.adapters.files import restore

    with path.open(newline="", encoding="utf-8") as fh:
        return [{k: restore(v) for k, v in row.items()} for row in csv.DictReader(fh)]


HS_COMPANIES = [
    {
        "Record ID": "9001",
        "Company name": "Acme AB",
        "Company Domain Name": "acme.se",
        "Industry": "MACHINERY",
        "Number of Employees": "120",
        "Annual Revenue": "2500000",
        "City": "Göteborg",
        "Country/Region": "SE",
        "Company owner": "77",
        "Create Date": "2024-01-15 09:30",
        "Lifecycle Stage": "customer",
        "Favourite colour": "=red",
    },
    {
        "Record ID": "9002",
        "Company name": "Nordvind",
        "Company Domain Name": "",
        "Industry": "",
        "Number of Employees": "",
        "Annual Revenue": "",
        "City": "Oslo",
        "Country/Region": "Norway",
        "Company owner": "",
        "Create Date": "2024-02-01 10:00",
        "Lifecycle Stage": "lead",
        "Favourite colour": "",
    },
]
HS_CONTACTS = [
    {
        "Record ID": "51",
        "First Name": "Anna",
        "Last Name": "Lind",
        "Email": "anna@acme.se",
        "Phone Number": "+46 31 123",
        "Job Title": "CFO",
        "Associated Company IDs": "9001",
        "Lead Status": "OPEN",
    },
    {
        "Record ID": "52",
        "First Name": "Per",
        "Last Name": "Berg",
        "Email": "per@x.no",
        "Phone Number": "",
        "Job Title": "",
        "Associated Company IDs": "123456",
        "Lead Status": "",
    },
]
HS_DEALS = [
    {
        "Record ID": "701",
        "Deal Name": "Acme expansion",
        "Amount": "150000",
        "Currency": "SEK",
        "Close Date": "2025-06-30",
        "Pipeline": "Sales Pipeline",
        "Deal Stage": "Contract Sent",
        "Associated Company IDs": "9001",
        "Deal Type": "newbusiness",
    },
    {
        "Record ID": "702",
        "Deal Name": "Orphan",
        "Amount": "10",
        "Currency": "SEK",
        "Close Date": "2025-06-30",
        "Pipeline": "Sales Pipeline",
        "Deal Stage": "Closed Won",
        "Associated Company IDs": "555",
        "Deal Type": "",
    },
    {
        "Record ID": "703",
        "Deal Name": "Bad stage",
        "Amount": "10",
        "Currency": "SEK",
        "Close Date": "2025-06-30",
        "Pipeline": "Sales Pipeline",
        "Deal Stage": "Dreaming",
        "Associated Company IDs": "9001",
        "Deal Type": "",
    },
]


def test_hubspot_round_trip_keeps_remote_ids_and_unmapped_columns(
    store: Store, tmp_path: Path
) -> None:
    _write(tmp_path / "companies.csv", HS_COMPANIES)
    _write(tmp_path / "contacts.csv", HS_CONTACTS)
    _write(tmp_path / "deals.csv", HS_DEALS)
    companies = HubSpotCodec("companies", default_currency="SEK")
    assert import_csv(store, tmp_path / "companies.csv", companies).created == 2
    assert import_csv(store, tmp_path / "contacts.csv", HubSpotCodec("contacts")).created == 2
    deals = import_csv(
        store, tmp_path / "deals.csv", HubSpotCodec("deals"), policy=ImportPolicy.KEEP_ACCEPTED
    )
    assert deals.created == 1
    assert {(r.line, r.field) for r in deals.rejects} == {
        (3, "Associated Company IDs"),
        (4, "Deal Stage"),
    }

    with store.unit_of_work() as uow:
        acme = uow.accounts.find_by_remote_id("9001")
        nordvind = uow.accounts.find_by_remote_id("9002")
        anna = uow.contacts.find_by_remote_id("51")
        per = uow.contacts.find_by_remote_id("52")
        deal = uow.opportunities.find_by_remote_id("701")
    assert isinstance(acme, Account)
    assert isinstance(nordvind, Account)
    assert (acme.name, acme.employees, acme.turnover) == ("Acme AB", 120, Money("2500000", "SEK"))
    assert acme.addresses[0].city == "Göteborg"
    assert acme.addresses[0].country == "SE"
    assert acme.remote_data == {"Lifecycle Stage": "customer", "Favourite colour": "=red"}
    assert acme.created_at.isoformat() == "2024-01-15T09:30:00+00:00"
    # "Norway" is not an ISO code: no address, the cells stay in remote_data.
    assert nordvind.addresses == []
    assert nordvind.remote_data["Country/Region"] == "Norway"
    assert isinstance(anna, Contact)
    assert anna.account_id == acme.id
    # A company that was never imported: no account_id, its HubSpot id kept.
    assert isinstance(per, Contact)
    assert per.account_id is None
    assert per.remote_data["Associated Company IDs"] == "123456"
    assert isinstance(deal, Opportunity)
    assert (deal.account_id, deal.stage_key, deal.stage_probability, deal.amount) == (
        acme.id,
        "contractsent",
        0.9,
        Money("150000", "SEK"),
    )

    # Export back: the same cells in every column HubSpot gave us.
    for name, codec, original in (
        ("companies", companies, HS_COMPANIES),
        ("contacts", HubSpotCodec("contacts"), HS_CONTACTS),
        ("deals", HubSpotCodec("deals"), HS_DEALS[:1]),
    ):
        out = tmp_path / f"{name}_out.csv"
        export_csv(store, out, codec)
        exported = {row["Record ID"]: row for row in _read(out)}
        for row in original:
            for column, cell in row.items():
                assert exported[row["Record ID"]].get(column, "") == cell, (name, column)


SF_ACCOUNTS = [
    {
        "Id": "0015g00000AbCdE",
        "Name": "Acme AB",
        "Industry": "Manufacturing",
        "NumberOfEmployees": "265",
        "AnnualRevenue": "30000000",
        "CurrencyIsoCode": "SEK",
        "BillingCity": "Malmö",
        "BillingCountry": "SE",
        "OwnerId": "0055g000001",
        "CreatedDate": "2024-03-01T09:30:00.000Z",
        "Type": "Customer - Direct",
        "Rating__c": "Hot",
    },
]
SF_CONTACTS = [
    {
        "Id": "0035g00000XyZ",
        "FirstName": "Eva",
        "LastName": "Holm",
        "AccountId": "0015g00000AbCdE",
        "Email": "eva@acme.se",
        "Title": "CEO",
        "HasOptedOutOfEmail": "false",
    },
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
        "Probability": "75",
        "NextStep": "Send quote",
        "Competitor__c": "Globex",
    },
]


def test_salesforce_round_trip_keeps_remote_ids_and_unmapped_columns(
    store: Store, tmp_path: Path
) -> None:
    for name, rows in (
        ("Account", SF_ACCOUNTS),
        ("Contact", SF_CONTACTS),
        ("Opportunity", SF_OPPORTUNITIES),
    ):
        _write(tmp_path / f"{name}.csv", rows)
        report = import_csv(store, tmp_path / f"{name}.csv", SalesforceCodec(name))
        assert report.created == 1, name
    with store.unit_of_work() as uow:
        acme = uow.accounts.find_by_remote_id("0015g00000AbCdE")
        eva = uow.contacts.find_by_remote_id("0035g00000XyZ")
        opp = uow.opportunities.find_by_remote_id("0065g00000Op1")
    assert isinstance(acme, Account)
    assert acme.turnover == Money("30000000", "SEK")
    assert acme.remote_data == {"Type": "Customer - Direct", "Rating__c": "Hot"}
    assert isinstance(eva, Contact)
    assert eva.account_id == acme.id
    assert isinstance(opp, Opportunity)
    assert (opp.stage_key, opp.stage_probability, opp.amount.amount) == (
        "proposal",
        0.75,
        Money("48000.50", "SEK").amount,
    )
    assert opp.remote_data["Competitor__c"] == "Globex"

    for name, rows in (
        ("Account", SF_ACCOUNTS),
        ("Contact", SF_CONTACTS),
        ("Opportunity", SF_OPPORTUNITIES),
    ):
        out = tmp_path / f"{name}_out.csv"
        export_csv(store, out, SalesforceCodec(name))
        exported = {row["Id"]: row for row in _read(out)}
        for row in rows:
            for column, cell in row.items():
                assert exported[row["Id"]].get(column, "") == cell, (name, column)


def test_reimporting_a_vendor_file_updates_instead_of_duplicating(
    store: Store, tmp_path: Path
) -> None:
    _write(tmp_path / "companies.csv", HS_COMPANIES)
    codec = HubSpotCodec("companies", default_currency="SEK")
    import_csv(store, tmp_path / "companies.csv", codec)
    changed = [dict(HS_COMPANIES[0], **{"Company name": "Acme Group"}), HS_COMPANIES[1]]
    _write(tmp_path / "companies.csv", changed)
    report = import_csv(store, tmp_path / "companies.csv", codec)
    assert (report.created, report.updated) == (0, 2)
    with store.unit_of_work() as uow:
        assert uow.accounts.count() == 2
        assert uow.accounts.find_by_remote_id("9001").name == "Acme Group"  # type: ignore[union-attr]


def test_vendor_file_without_its_id_column_is_refused(tmp_path: Path) -> None:
    from crmkit.adapters import open_store
    from crmkit.errors import ValidationError

    _write(tmp_path / "c.csv", [{"Company name": "Acme"}])
    with pytest.raises(ValidationError, match="Record ID"):
        import_csv(open_store("memory://"), tmp_path / "c.csv", HubSpotCodec("companies"))
