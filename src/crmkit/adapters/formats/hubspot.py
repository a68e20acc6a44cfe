"""HubSpot export files: companies, contacts, deals, owners, tasks, notes, products and quotes,
mapped both ways.

HubSpot's record export (CRM → Export) writes one CSV per object with the properties' labels
as column headers and the record's id as ``Record ID``. crmkit maps the default properties
below; every other column (and a value crmkit cannot carry) is kept in ``remote_data`` and
written back on export.

=================  ==========================  =============================================
object             column                      crmkit field
=================  ==========================  =============================================
companies          Record ID                   ``Account.remote_id``
                   Company name                ``name``
                   Industry                    ``industry``
                   Number of Employees         ``employees``
                   Annual Revenue              ``turnover`` (currency: ``default_currency``)
                   Company Domain Name         ``website``
                   Phone Number                ``phone``
                   Street Address / City /     first of ``addresses`` (``country`` must be
                   Postal Code / State/Region  an ISO code, else they stay in
                   / Country/Region            ``remote_data``)
                   Company owner               ``owner_id``
                   Create Date / Last Modified ``created_at`` / ``updated_at`` (UTC)
                   Date
contacts           Record ID                   ``Contact.remote_id``
                   First Name / Last Name      ``first_name`` / ``last_name``
                   Email / Phone Number        ``email`` / ``phone``
                   Job Title                   ``title``
                   Contact owner               ``owner_id``
                   Associated Company IDs      ``account_id`` (the company's crmkit id,
                                               looked up by its HubSpot id)
                   Create Date / Last Modified ``created_at`` / ``updated_at``
                   Date
deals              Record ID                   ``Opportunity.remote_id``
                   Deal Name                   ``name``
                   Amount + Currency           ``amount``
                   Close Date                  ``close_date``
                   Pipeline                    ``pipeline_id`` ("Sales Pipeline" →
                                               ``default``)
                   Deal Stage                  ``stage_key`` + stage probability, closed,
                                               won (HubSpot's default stages)
                   Deal owner                  ``owner_id``
                   Associated Company IDs      ``account_id``
                   Create Date / Last Modified ``created_at`` / ``updated_at``
                   Date
owners             Owner ID                    ``User.remote_id``
                   First Name + Last Name      ``name`` (joined; split at the last word on
                                               export unless the cells are kept)
                   Email                       ``email``
tasks              Record ID                   ``Task.remote_id``
                   Task Title / Task notes     ``subject`` / ``description``
                   Due date / Completed at     ``due_at`` / ``completed_at``
                   Task Status                 ``status``: Not started, In progress, Waiting
                                               → open; Completed → done; Deferred →
                                               cancelled
                   Priority                    ``priority``: Low, Medium (normal), High
                   Assigned to                 ``assignee_id``
                   Associated Company / Con-   ``links`` to the accounts, contacts and
                   tact / Deal IDs             opportunities imported from them
notes              Record ID                   ``Note.remote_id``
                   Note body / Activity date   ``body`` / ``written_at``
                   Created by                  ``author_id``
                   Associated Company / Con-   ``links``, as for tasks
                   tact / Deal IDs
products           Record ID                   ``Product.remote_id``
                   Name / SKU / Description    ``name`` / ``sku`` / ``description``
                   Unit price + Currency       ``price``
                   Product Type                ``category``
quotes             Record ID                   ``Quote.remote_id`` (imported as a draft;
                                               lines from ``line_items``)
                   Quote number / Currency     ``quote_number`` / ``currency``
                   Expiration Date             ``valid_until``
                   Quote owner                 ``owner_id``
                   Associated Company IDs /    ``account_id`` / ``opportunity_id``
                   Associated Deal IDs
=================  ==========================  =============================================

The owners list (the owners API, or Settings → Users & Teams exported with these headers)
becomes users whose ``remote_id`` is the owner id, the value HubSpot writes in ``Company
owner``, ``Assigned to`` and the other owner columns; those stay ``owner_id`` strings.
The ``line_items`` export is joined to its deals and quotes by
:func:`~crmkit.adapters.formats.lines.import_lines` (``Opportunity.line_items``,
``Quote.lines``). A quote's ``Status`` stays in ``remote_data``.

HubSpot's default deal stages and probabilities: Appointment Scheduled 20 %, Qualified To
Buy 40 %, Presentation Scheduled 60 %, Decision Maker Bought-In 80 %, Contract Sent 90 %,
Closed Won 100 %, Closed Lost 0 % (keys are HubSpot's internal names, e.g. ``closedwon``).
Pass ``stages=StageTable.from_pipeline(my_pipeline)`` for a custom pipeline.

Examples:
    >>> from crmkit.adapters.formats import HubSpotCodec
    >>> codec = HubSpotCodec("companies", default_currency="SEK")
    >>> acme = codec.decode({"Record ID": "9001", "Company name": "Acme AB",
    ...                      "Annual Revenue": "2500000", "Lifecycle Stage": "customer"})
    >>> acme.remote_id, str(acme.turnover.amount), acme.remote_data
    ('9001', '2500000', {'Lifecycle Stage': 'customer'})
"""

from __future__ import annotations

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
from crmkit.domain.product import Product
from crmkit.domain.quote import Quote
from crmkit.domain.user import User

__all__ = [
    "HUBSPOT_COMPANIES",
    "HUBSPOT_CONTACTS",
    "HUBSPOT_DEALS",
    "HUBSPOT_DEFAULT_STAGES",
    "HUBSPOT_NOTES",
    "HUBSPOT_OWNERS",
    "HUBSPOT_PRODUCTS",
    "HUBSPOT_QUOTES",
    "HUBSPOT_TASKS",
    "HubSpotCodec",
    "HubSpotObject",
]

#: The object names of a HubSpot export.
HubSpotObject = Literal[
    "companies", "contacts", "deals", "owners", "tasks", "notes", "products", "quotes"
]

_T = Conversion
_TIMES = (
    FieldMap("Create Date", "created_at", _T.DATETIME),
    FieldMap("Last Modified Date", "updated_at", _T.DATETIME),
)

#: HubSpot companies ↔ :class:`~crmkit.domain.Account`.
HUBSPOT_COMPANIES = ColumnMapping(
    vendor="HubSpot",
    vendor_object="companies",
    record_type=Account,
    id_column="Record ID",
    fields=(
        FieldMap("Company name", "name"),
        FieldMap("Company Domain Name", "website"),
        FieldMap("Industry", "industry"),
        FieldMap("Number of Employees", "employees", _T.INTEGER),
        FieldMap("Annual Revenue", "turnover", _T.MONEY),
        FieldMap("Phone Number", "phone"),
        FieldMap("Street Address", "street", _T.ADDRESS),
        FieldMap("City", "city", _T.ADDRESS),
        FieldMap("Postal Code", "postal_code", _T.ADDRESS),
        FieldMap("State/Region", "region", _T.ADDRESS),
        FieldMap("Country/Region", "country", _T.ADDRESS),
        FieldMap("Company owner", "owner_id"),
        *_TIMES,
    ),
    default_columns=("Lifecycle Stage",),
)

#: HubSpot contacts ↔ :class:`~crmkit.domain.Contact`.
HUBSPOT_CONTACTS = ColumnMapping(
    vendor="HubSpot",
    vendor_object="contacts",
    record_type=Contact,
    id_column="Record ID",
    fields=(
        FieldMap("First Name", "first_name"),
        FieldMap("Last Name", "last_name"),
        FieldMap("Email", "email"),
        FieldMap("Phone Number", "phone"),
        FieldMap("Job Title", "title"),
        FieldMap("Contact owner", "owner_id"),
        FieldMap("Associated Company IDs", "account_id", _T.REFERENCE, "accounts"),
        *_TIMES,
    ),
    default_columns=("Lifecycle Stage", "Lead Status"),
)

#: HubSpot deals ↔ :class:`~crmkit.domain.Opportunity`.
HUBSPOT_DEALS = ColumnMapping(
    vendor="HubSpot",
    vendor_object="deals",
    record_type=Opportunity,
    id_column="Record ID",
    fields=(
        FieldMap("Deal Name", "name"),
        FieldMap("Amount", "amount", _T.MONEY),
        FieldMap("Close Date", "close_date", _T.DATE),
        FieldMap("Pipeline", "pipeline_id", _T.PIPELINE),
        FieldMap("Deal Stage", "stage_key", _T.STAGE),
        FieldMap("Deal owner", "owner_id"),
        FieldMap("Associated Company IDs", "account_id", _T.REFERENCE, "accounts"),
        *_TIMES,
    ),
    currency_column="Currency",
    default_columns=("Deal Type",),
)

_LINKS = (
    FieldMap("Associated Company IDs", "account", _T.LINK, "accounts"),
    FieldMap("Associated Contact IDs", "contact", _T.LINK, "contacts"),
    FieldMap("Associated Deal IDs", "opportunity", _T.LINK, "opportunities"),
)

#: HubSpot owners ↔ :class:`~crmkit.domain.User`.
HUBSPOT_OWNERS = ColumnMapping(
    vendor="HubSpot",
    vendor_object="owners",
    record_type=User,
    id_column="Owner ID",
    fields=(
        FieldMap("First Name", "first", _T.NAME_PART),
        FieldMap("Last Name", "last", _T.NAME_PART),
        FieldMap("Email", "email"),
    ),
    default_columns=("User ID", "Teams", "Archived"),
)

#: HubSpot tasks ↔ :class:`~crmkit.domain.Task`.
HUBSPOT_TASKS = ColumnMapping(
    vendor="HubSpot",
    vendor_object="tasks",
    record_type=Task,
    id_column="Record ID",
    fields=(
        FieldMap("Task Title", "subject"),
        FieldMap("Due date", "due_at", _T.DATETIME),
        FieldMap(
            "Task Status",
            "status",
            _T.CHOICE,
            choices=(
                ("Not started", "open"),
                ("In progress", "open"),
                ("Waiting", "open"),
                ("Completed", "done"),
                ("Deferred", "cancelled"),
            ),
        ),
        FieldMap(
            "Priority",
            "priority",
            _T.CHOICE,
            choices=(("Low", "low"), ("Medium", "normal"), ("High", "high")),
        ),
        FieldMap("Completed at", "completed_at", _T.DATETIME),
        FieldMap("Assigned to", "assignee_id"),
        FieldMap("Task notes", "description"),
        *_LINKS,
        *_TIMES,
    ),
    default_columns=("Task Type",),
)

#: HubSpot notes ↔ :class:`~crmkit.domain.Note`.
HUBSPOT_NOTES = ColumnMapping(
    vendor="HubSpot",
    vendor_object="notes",
    record_type=Note,
    id_column="Record ID",
    fields=(
        FieldMap("Note body", "body"),
        FieldMap("Activity date", "written_at", _T.DATETIME),
        FieldMap("Created by", "author_id"),
        *_LINKS,
        *_TIMES,
    ),
)

#: HubSpot products ↔ :class:`~crmkit.domain.Product`.
HUBSPOT_PRODUCTS = ColumnMapping(
    vendor="HubSpot",
    vendor_object="products",
    record_type=Product,
    id_column="Record ID",
    fields=(
        FieldMap("Name", "name"),
        FieldMap("SKU", "sku"),
        FieldMap("Unit price", "price", _T.MONEY),
        FieldMap("Description", "description"),
        FieldMap("Product Type", "category"),
        *_TIMES,
    ),
    currency_column="Currency",
)

#: HubSpot quotes ↔ :class:`~crmkit.domain.Quote` (the quote, imported as a draft).
HUBSPOT_QUOTES = ColumnMapping(
    vendor="HubSpot",
    vendor_object="quotes",
    record_type=Quote,
    id_column="Record ID",
    fields=(
        FieldMap("Quote number", "quote_number"),
        FieldMap("Currency", "currency"),
        FieldMap("Expiration Date", "valid_until", _T.DATE),
        FieldMap("Quote owner", "owner_id"),
        FieldMap("Associated Company IDs", "account_id", _T.REFERENCE, "accounts"),
        FieldMap("Associated Deal IDs", "opportunity_id", _T.REFERENCE, "opportunities"),
        *_TIMES,
    ),
    default_columns=("Quote Name", "Status"),
)

#: HubSpot's default sales pipeline: (label, internal key, probability, closed, won).
HUBSPOT_DEFAULT_STAGES = StageTable(
    pipeline_id="default",
    pipeline_label="Sales Pipeline",
    stages=(
        ("Appointment Scheduled", "appointmentscheduled", 0.2, False, False),
        ("Qualified To Buy", "qualifiedtobuy", 0.4, False, False),
        ("Presentation Scheduled", "presentationscheduled", 0.6, False, False),
        ("Decision Maker Bought-In", "decisionmakerboughtin", 0.8, False, False),
        ("Contract Sent", "contractsent", 0.9, False, False),
        ("Closed Won", "closedwon", 1.0, True, True),
        ("Closed Lost", "closedlost", 0.0, True, False),
    ),
)

_MAPPINGS: dict[str, ColumnMapping] = {
    "companies": HUBSPOT_COMPANIES,
    "contacts": HUBSPOT_CONTACTS,
    "deals": HUBSPOT_DEALS,
    "owners": HUBSPOT_OWNERS,
    "tasks": HUBSPOT_TASKS,
    "notes": HUBSPOT_NOTES,
    "products": HUBSPOT_PRODUCTS,
    "quotes": HUBSPOT_QUOTES,
}


class HubSpotCodec(VendorCodec):
    """Reads and writes one HubSpot export object (``"companies"``, ``"contacts"``,
    ``"deals"``, ``"owners"``, ``"tasks"``, ``"notes"``, ``"products"``, ``"quotes"``).

    Args:
        object: which export.
        default_currency: currency of amounts when the file has no ``Currency`` column
            (HubSpot writes amounts in the portal's company currency).
        stages: the deal pipeline (default: HubSpot's default sales pipeline).
        extra_columns: further columns to write on export from ``remote_data``.
        number_format: how the file writes numbers (default
            :class:`~crmkit.adapters.files.NumberFormat` ``()``: a decimal point, no digit
            grouping — what HubSpot's export writes). A file saved by a spreadsheet in a
            decimal-comma locale needs ``NumberFormat(decimal=",", grouping=" ")`` or
            similar; a cell that does not fit is rejected, never read as another amount.
        date_format: how the file writes dates (default ISO 8601 only; pass
            ``DateFormat(order="day_first")`` or ``"month_first"`` for ``03/04/2025``).

    Examples:
        >>> from crmkit.adapters.formats import HubSpotCodec
        >>> HubSpotCodec("deals").columns()[:4]
        ['Record ID', 'Deal Name', 'Amount', 'Close Date']
        >>> HubSpotCodec("tickets")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: object: 'tickets' is not a HubSpot export crmkit maps (companies, contacts, deals, owners, tasks, notes, products, quotes)
    """

    MAPPINGS = _MAPPINGS
    DEFAULT_STAGES = HUBSPOT_DEFAULT_STAGES
    KIND = "HubSpot export"
