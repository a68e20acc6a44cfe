"""Salesforce export files: Account, Contact, Opportunity, User, Task, Note, Pricebook2, Quote
and Product2, mapped both ways.

Salesforce's Data Export service, Data Loader and ``sf data export bulk`` write CSV with the
fields' API names as headers (``Id``, ``AccountId``, ``StageName`` …) and datetimes in ISO
8601 UTC (``2024-03-01T09:30:00.000Z``). crmkit maps the standard fields below; every other
column — including custom ``__c`` fields — is kept in ``remote_data`` and written back on
export.

=============  =======================================  =======================================
object         column                                   crmkit field
=============  =======================================  =======================================
Account        Id                                       ``Account.remote_id``
               Name, Industry, Website, Phone           ``name``, ``industry``, ``website``,
                                                        ``phone``
               NumberOfEmployees                        ``employees``
               AnnualRevenue + CurrencyIsoCode          ``turnover``
               BillingStreet/City/PostalCode/State/     first of ``addresses``
               Country
               OwnerId                                  ``owner_id``
               CreatedDate, LastModifiedDate            ``created_at``, ``updated_at``
Contact        Id                                       ``Contact.remote_id``
               FirstName, LastName, Email, Phone,       ``first_name``, ``last_name``,
               Title                                    ``email``, ``phone``, ``title``
               AccountId                                ``account_id`` (looked up by the
                                                        account's Salesforce id)
               OwnerId, CreatedDate, LastModifiedDate   as above
Opportunity    Id                                       ``Opportunity.remote_id``
               Name, AccountId                          ``name``, ``account_id``
               Amount + CurrencyIsoCode                 ``amount``
               CloseDate                                ``close_date``
               StageName                                ``stage_key`` + default probability,
                                                        closed, won (Salesforce's default
                                                        stages, :func:`default_pipeline`)
               NextStep, OwnerId                        ``next_step``, ``owner_id``
               CreatedDate, LastModifiedDate            as above
User           Id, Name, Email, Title                   ``User.remote_id``, ``name``,
                                                        ``email``, ``title``
               IsActive                                 ``active``
Task           Id, Subject, Description                 ``Task.remote_id``, ``subject``,
                                                        ``description``
               ActivityDate                             ``due_at`` (midnight UTC of the day)
               Status                                   ``status``: Not Started, In Progress,
                                                        Waiting on someone else → open;
                                                        Completed → done; Deferred →
                                                        cancelled
               Priority                                 ``priority``: High, Normal, Low
               CompletedDateTime                        ``completed_at``
               OwnerId                                  ``assignee_id``
               WhatId / WhoId                           ``links`` to the account, opportunity
                                                        or case / the contact or lead
Note           Id, Body, OwnerId                        ``Note.remote_id``, ``body``,
                                                        ``author_id``
               ParentId                                 ``links`` to the record it is on
Pricebook2     Id, Name, Description                    ``PriceBook.remote_id``, ``name``,
                                                        ``description``
               IsActive, CurrencyIsoCode                ``active``, ``currency``
Quote          Id, QuoteNumber                          ``Quote.remote_id`` (imported as a
                                                        draft), ``quote_number``
               AccountId, OpportunityId, ContactId,     ``account_id``, ``opportunity_id``,
               Pricebook2Id                             ``contact_id``, ``price_book_id``
               ExpirationDate, CurrencyIsoCode          ``valid_until``, ``currency``
Product2       Id, Name, ProductCode, Description       ``Product.remote_id``, ``name``,
                                                        ``sku``, ``description``
               Family, IsActive, QuantityUnitOfMeasure  ``category``, ``active``, ``unit``
               (the standard price book's entry)        ``price``
=============  =======================================  =======================================

A Note's ``Title`` and a Quote's ``Name`` and ``Status`` stay in ``remote_data``. The line
objects live inside crmkit's aggregates and are joined to their parents by
:mod:`crmkit.adapters.formats.lines` (OpportunityLineItem → ``Opportunity.line_items``,
QuoteLineItem → ``Quote.lines``, PricebookEntry → ``PriceBook.entries``). A Product2 row has
no price: :func:`~crmkit.adapters.formats.product_prices.import_salesforce_products` reads it
with the standard price book's PricebookEntry file.

``Probability`` is Salesforce's record probability (stage default unless edited); it stays in
``remote_data`` while crmkit takes the stage default from the pipeline.

Examples:
    >>> from crmkit.adapters.formats import SalesforceCodec
    >>> codec = SalesforceCodec("Contact")
    >>> anna = codec.decode({"Id": "003X", "FirstName": "Anna", "LastName": "Lind",
    ...                      "Email": "anna@lind.se", "Level__c": "Primary"})
    >>> anna.remote_id, anna.email, anna.remote_data
    ('003X', 'anna@lind.se', {'Level__c': 'Primary'})
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from crmkit.adapters.formats.mapping import (
    ColumnMapping,
    Conversion,
    FieldMap,
    StageTable,
    VendorCodec,
)
from crmkit.domain.account import Account
from crmkit.domain.activity import Note, Task
from crmkit.domain.contact import Contact
from crmkit.domain.opportunity import Opportunity
from crmkit.domain.pipeline import default_pipeline
from crmkit.domain.product import Product
from crmkit.domain.quote import PriceBook, Quote
from crmkit.domain.user import User
from crmkit.errors import ValidationError

__all__ = [
    "SALESFORCE_ACCOUNT",
    "SALESFORCE_CONTACT",
    "SALESFORCE_DEFAULT_STAGES",
    "SALESFORCE_NOTE",
    "SALESFORCE_OPPORTUNITY",
    "SALESFORCE_PRICEBOOK",
    "SALESFORCE_PRODUCT",
    "SALESFORCE_QUOTE",
    "SALESFORCE_TASK",
    "SALESFORCE_USER",
    "SalesforceCodec",
    "SalesforceObject",
]

#: The Salesforce objects crmkit maps.
SalesforceObject = Literal[
    "Account", "Contact", "Opportunity", "User", "Task", "Note", "Pricebook2", "Quote", "Product2"
]

_T = Conversion
_COMMON = (
    FieldMap("OwnerId", "owner_id"),
    FieldMap("CreatedDate", "created_at", _T.DATETIME),
    FieldMap("LastModifiedDate", "updated_at", _T.DATETIME),
)

#: Salesforce Account ↔ :class:`~crmkit.domain.Account`.
SALESFORCE_ACCOUNT = ColumnMapping(
    vendor="Salesforce",
    vendor_object="Account",
    record_type=Account,
    id_column="Id",
    fields=(
        FieldMap("Name", "name"),
        FieldMap("Industry", "industry"),
        FieldMap("NumberOfEmployees", "employees", _T.INTEGER),
        FieldMap("AnnualRevenue", "turnover", _T.MONEY),
        FieldMap("Website", "website"),
        FieldMap("Phone", "phone"),
        FieldMap("BillingStreet", "street", _T.ADDRESS),
        FieldMap("BillingCity", "city", _T.ADDRESS),
        FieldMap("BillingPostalCode", "postal_code", _T.ADDRESS),
        FieldMap("BillingState", "region", _T.ADDRESS),
        FieldMap("BillingCountry", "country", _T.ADDRESS),
        *_COMMON,
    ),
    currency_column="CurrencyIsoCode",
    datetime_format="iso",
    default_columns=("Type", "AccountNumber"),
)

#: Salesforce Contact ↔ :class:`~crmkit.domain.Contact`.
SALESFORCE_CONTACT = ColumnMapping(
    vendor="Salesforce",
    vendor_object="Contact",
    record_type=Contact,
    id_column="Id",
    fields=(
        FieldMap("FirstName", "first_name"),
        FieldMap("LastName", "last_name"),
        FieldMap("AccountId", "account_id", _T.REFERENCE, "accounts"),
        FieldMap("Email", "email"),
        FieldMap("Phone", "phone"),
        FieldMap("Title", "title"),
        *_COMMON,
    ),
    datetime_format="iso",
    default_columns=("HasOptedOutOfEmail",),
)

#: Salesforce Opportunity ↔ :class:`~crmkit.domain.Opportunity`.
SALESFORCE_OPPORTUNITY = ColumnMapping(
    vendor="Salesforce",
    vendor_object="Opportunity",
    record_type=Opportunity,
    id_column="Id",
    fields=(
        FieldMap("Name", "name"),
        FieldMap("AccountId", "account_id", _T.REFERENCE, "accounts"),
        FieldMap("Amount", "amount", _T.MONEY),
        FieldMap("CloseDate", "close_date", _T.DATE),
        FieldMap("StageName", "stage_key", _T.STAGE),
        FieldMap("NextStep", "next_step"),
        *_COMMON,
    ),
    currency_column="CurrencyIsoCode",
    datetime_format="iso",
    default_columns=("Probability", "Type", "LeadSource", "ForecastCategoryName"),
)

_TIMES = _COMMON[1:]

#: Salesforce User ↔ :class:`~crmkit.domain.User`.
SALESFORCE_USER = ColumnMapping(
    vendor="Salesforce",
    vendor_object="User",
    record_type=User,
    id_column="Id",
    fields=(
        FieldMap("Name", "name"),
        FieldMap("Email", "email"),
        FieldMap("Title", "title"),
        FieldMap("IsActive", "active", _T.BOOLEAN),
        *_TIMES,
    ),
    datetime_format="iso",
    default_columns=("Username", "UserRoleId", "ProfileId"),
)

#: Salesforce Task ↔ :class:`~crmkit.domain.Task`.
SALESFORCE_TASK = ColumnMapping(
    vendor="Salesforce",
    vendor_object="Task",
    record_type=Task,
    id_column="Id",
    fields=(
        FieldMap("Subject", "subject"),
        FieldMap("ActivityDate", "due_at", _T.DAY),
        FieldMap(
            "Status",
            "status",
            _T.CHOICE,
            choices=(
                ("Not Started", "open"),
                ("In Progress", "open"),
                ("Waiting on someone else", "open"),
                ("Completed", "done"),
                ("Deferred", "cancelled"),
            ),
        ),
        FieldMap(
            "Priority",
            "priority",
            _T.CHOICE,
            choices=(("Normal", "normal"), ("High", "high"), ("Low", "low")),
        ),
        FieldMap("CompletedDateTime", "completed_at", _T.DATETIME),
        FieldMap("OwnerId", "assignee_id"),
        FieldMap("Description", "description"),
        FieldMap("WhatId", "account|opportunity|case", _T.LINK, "accounts|opportunities|cases"),
        FieldMap("WhoId", "contact|lead", _T.LINK, "contacts|leads"),
        *_TIMES,
    ),
    datetime_format="iso",
    default_columns=("TaskSubtype",),
)

#: Salesforce Note ↔ :class:`~crmkit.domain.Note`.
SALESFORCE_NOTE = ColumnMapping(
    vendor="Salesforce",
    vendor_object="Note",
    record_type=Note,
    id_column="Id",
    fields=(
        FieldMap("Body", "body"),
        FieldMap("OwnerId", "author_id"),
        FieldMap(
            "ParentId",
            "account|contact|lead|opportunity|case",
            _T.LINK,
            "accounts|contacts|leads|opportunities|cases",
        ),
        *_TIMES,
    ),
    datetime_format="iso",
    default_columns=("Title",),
)

#: Salesforce Pricebook2 ↔ :class:`~crmkit.domain.PriceBook` (without its entries).
SALESFORCE_PRICEBOOK = ColumnMapping(
    vendor="Salesforce",
    vendor_object="Pricebook2",
    record_type=PriceBook,
    id_column="Id",
    fields=(
        FieldMap("Name", "name"),
        FieldMap("CurrencyIsoCode", "currency"),
        FieldMap("IsActive", "active", _T.BOOLEAN),
        FieldMap("Description", "description"),
        *_TIMES,
    ),
    datetime_format="iso",
    default_columns=("IsStandard",),
)

#: Salesforce Quote ↔ :class:`~crmkit.domain.Quote` (the quote, imported as a draft).
SALESFORCE_QUOTE = ColumnMapping(
    vendor="Salesforce",
    vendor_object="Quote",
    record_type=Quote,
    id_column="Id",
    fields=(
        FieldMap("QuoteNumber", "quote_number"),
        FieldMap("AccountId", "account_id", _T.REFERENCE, "accounts"),
        FieldMap("OpportunityId", "opportunity_id", _T.REFERENCE, "opportunities"),
        FieldMap("ContactId", "contact_id", _T.REFERENCE, "contacts"),
        FieldMap("Pricebook2Id", "price_book_id", _T.REFERENCE, "price_books"),
        FieldMap("ExpirationDate", "valid_until", _T.DATE),
        FieldMap("CurrencyIsoCode", "currency"),
        *_COMMON,
    ),
    datetime_format="iso",
    default_columns=("Name", "Status"),
)

#: Salesforce Product2 ↔ :class:`~crmkit.domain.Product`. A Product2 row has no price: import
#: it with :func:`~crmkit.adapters.formats.product_prices.import_salesforce_products`, which
#: takes the price from the standard price book's PricebookEntry. Export writes these columns.
SALESFORCE_PRODUCT = ColumnMapping(
    vendor="Salesforce",
    vendor_object="Product2",
    record_type=Product,
    id_column="Id",
    fields=(
        FieldMap("Name", "name"),
        FieldMap("ProductCode", "sku"),
        FieldMap("Description", "description"),
        FieldMap("Family", "category"),
        FieldMap("IsActive", "active", _T.BOOLEAN),
        FieldMap("QuantityUnitOfMeasure", "unit"),
        *_TIMES,
    ),
    datetime_format="iso",
    default_columns=("StockKeepingUnit",),
)

#: Salesforce's default opportunity stages (crmkit's :func:`~crmkit.domain.default_pipeline`).
SALESFORCE_DEFAULT_STAGES = StageTable.from_pipeline(default_pipeline())

_MAPPINGS: dict[str, ColumnMapping] = {
    "Account": SALESFORCE_ACCOUNT,
    "Contact": SALESFORCE_CONTACT,
    "Opportunity": SALESFORCE_OPPORTUNITY,
    "User": SALESFORCE_USER,
    "Task": SALESFORCE_TASK,
    "Note": SALESFORCE_NOTE,
    "Pricebook2": SALESFORCE_PRICEBOOK,
    "Quote": SALESFORCE_QUOTE,
    "Product2": SALESFORCE_PRODUCT,
}


class SalesforceCodec(VendorCodec):
    """Reads and writes one Salesforce object export (``"Account"``, ``"Contact"``,
    ``"Opportunity"``, ``"User"``, ``"Task"``, ``"Note"``, ``"Pricebook2"``, ``"Quote"``,
    ``"Product2"``).

    Args:
        object: which object.
        default_currency: currency of amounts when the file has no ``CurrencyIsoCode``
            column (single-currency orgs do not export it).
        stages: the opportunity stages (default: Salesforce's default stage picklist).
        extra_columns: further columns to write on export from ``remote_data``.
        number_format: how the file writes numbers (default
            :class:`~crmkit.adapters.files.NumberFormat` ``()``: a decimal point, no digit
            grouping — what Salesforce's export writes). A file saved by a spreadsheet in a
            decimal-comma locale needs ``NumberFormat(decimal=",", grouping=" ")`` or
            similar; a cell that does not fit is rejected, never read as another amount.
        date_format: how the file writes dates (default ISO 8601 only; pass
            ``DateFormat(order="day_first")`` or ``"month_first"`` for ``03/04/2025``).

    Examples:
        >>> from crmkit.adapters.formats import SalesforceCodec
        >>> SalesforceCodec("Opportunity").columns()[:4]
        ['Id', 'Name', 'AccountId', 'Amount']
    """

    MAPPINGS = _MAPPINGS
    DEFAULT_STAGES = SALESFORCE_DEFAULT_STAGES
    KIND = "Salesforce object"

    def check_header(self, header: Sequence[str]) -> None:
        """The id column must be present; a Product2 file is refused (it has no price — see
        :func:`~crmkit.adapters.formats.product_prices.import_salesforce_products`).

        Examples:
            >>> from crmkit.adapters.formats import SalesforceCodec
            >>> SalesforceCodec("Product2").check_header(["Id", "Name"])
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: object: 'Product2' has no price column; import it with import_salesforce_products(), which prices each product by its standard PricebookEntry
        """
        if self.mapping is SALESFORCE_PRODUCT:
            raise ValidationError.single(
                "object",
                "Product2",
                "has no price column; import it with import_salesforce_products(), which "
                "prices each product by its standard PricebookEntry",
            )
        super().check_header(header)
