"""HubSpot and Salesforce export formats, mapped both ways to crmkit's aggregates.

Each codec plugs into :func:`crmkit.adapters.files.import_csv` and
:func:`~crmkit.adapters.files.export_csv`. Vendor record ids become ``remote_id`` (so
re-importing updates instead of duplicating); columns crmkit does not map stay in
``remote_data`` and are written back on export.

Line files (Salesforce OpportunityLineItem, QuoteLineItem and PricebookEntry, HubSpot
line_items) are joined to their parents by :func:`import_lines` / :func:`export_lines`
(:mod:`crmkit.adapters.formats.lines`); Salesforce Product2 rows take their price from the
standard price book with :func:`import_salesforce_products`.

Examples:
    >>> from crmkit.adapters.formats import HubSpotCodec, SalesforceCodec
    >>> HubSpotCodec("contacts").record_type.__name__, SalesforceCodec("Account").columns()[0]
    ('Contact', 'Id')
"""

from crmkit.adapters.files.conventions import DateFormat, NumberFormat
from crmkit.adapters.formats.hubspot import (
    HUBSPOT_COMPANIES,
    HUBSPOT_CONTACTS,
    HUBSPOT_DEALS,
    HUBSPOT_DEFAULT_STAGES,
    HUBSPOT_NOTES,
    HUBSPOT_OWNERS,
    HUBSPOT_PRODUCTS,
    HUBSPOT_QUOTES,
    HUBSPOT_TASKS,
    HubSpotCodec,
)
from crmkit.adapters.formats.lines import (
    LINE_MAPPINGS,
    LineCodec,
    LineMapping,
    export_lines,
    import_lines,
)
from crmkit.adapters.formats.mapping import (
    ColumnMapping,
    Conversion,
    FieldMap,
    MappedCodec,
    StageTable,
    VendorCodec,
)
from crmkit.adapters.formats.product_prices import (
    StandardPricedProductCodec,
    import_salesforce_products,
)
from crmkit.adapters.formats.salesforce import (
    SALESFORCE_ACCOUNT,
    SALESFORCE_CONTACT,
    SALESFORCE_DEFAULT_STAGES,
    SALESFORCE_NOTE,
    SALESFORCE_OPPORTUNITY,
    SALESFORCE_PRICEBOOK,
    SALESFORCE_PRODUCT,
    SALESFORCE_QUOTE,
    SALESFORCE_TASK,
    SALESFORCE_USER,
    SalesforceCodec,
)

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
    "LINE_MAPPINGS",
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
    "ColumnMapping",
    "Conversion",
    "DateFormat",
    "FieldMap",
    "HubSpotCodec",
    "LineCodec",
    "LineMapping",
    "MappedCodec",
    "NumberFormat",
    "SalesforceCodec",
    "StageTable",
    "StandardPricedProductCodec",
    "VendorCodec",
    "export_lines",
    "import_lines",
    "import_salesforce_products",
]
