"""Ports and adapters: stores for CRM data, the plugin registry and the storage contract.

``open_store(url)`` opens a store by URL — ``memory://`` (in-memory, for tests),
``sqlite:///crm.db`` (the embedded default) or ``postgresql+psycopg://…`` (shared) — or any
adapter a plugin registers in the ``crmkit.adapters`` entry-point group. A store opens units
of work; a unit of work holds one repository per aggregate (see :mod:`crmkit.adapters.ports`). File formats
(CSV, JSON Lines, HubSpot, Salesforce), inbound ports (web form → lead, social message → case)
and the outbound message port are re-exported here too.

Examples:
    >>> from crmkit.adapters import Query, open_store
    >>> from crmkit.domain import Account
    >>> with open_store("memory://") as store:
    ...     with store.unit_of_work() as uow:
    ...         _ = uow.accounts.add(Account(name="Acme AB", owner_id="anna"))
    ...     with store.unit_of_work() as uow:
    ...         [a.name for a in uow.accounts.find(Query(owner_id="anna"))]
    ['Acme AB']
"""

from crmkit.adapters.files import (
    ImportPolicy,
    ImportProgress,
    ImportReport,
    ImportRolledBackError,
    RecordCodec,
    export_csv,
    export_jsonl,
    import_csv,
    import_jsonl,
)
from crmkit.adapters.formats import HubSpotCodec, SalesforceCodec
from crmkit.adapters.inbound import (
    FormReading,
    InboundDesk,
    InterestForm,
    SocialMessage,
    case_from_message,
    lead_from_form,
    read_form,
)
from crmkit.adapters.merge import MergeRecord, merge_accounts, merge_contacts
from crmkit.adapters.outbound import (
    ConsentRequiredError,
    InMemoryMessageSender,
    Message,
    MessageChannel,
    MessageSender,
)
from crmkit.adapters.ports import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    Entity,
    Page,
    Query,
    Repository,
    RepositoryQueries,
    Store,
    UnitOfWork,
    UnitOfWorkState,
    UpsertKey,
    UpsertResult,
)
from crmkit.adapters.privacy import ErasureReport, erase_subject, export_subject
from crmkit.adapters.registry import (
    ENTRY_POINT_GROUP,
    available_adapters,
    open_store,
    register_adapter,
)

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "ENTRY_POINT_GROUP",
    "MAX_PAGE_SIZE",
    "ConsentRequiredError",
    "Entity",
    "ErasureReport",
    "FormReading",
    "HubSpotCodec",
    "ImportPolicy",
    "ImportProgress",
    "ImportReport",
    "ImportRolledBackError",
    "InMemoryMessageSender",
    "InboundDesk",
    "InterestForm",
    "MergeRecord",
    "Message",
    "MessageChannel",
    "MessageSender",
    "Page",
    "Query",
    "RecordCodec",
    "Repository",
    "RepositoryQueries",
    "SalesforceCodec",
    "SocialMessage",
    "Store",
    "UnitOfWork",
    "UnitOfWorkState",
    "UpsertKey",
    "UpsertResult",
    "available_adapters",
    "case_from_message",
    "erase_subject",
    "export_csv",
    "export_jsonl",
    "export_subject",
    "import_csv",
    "import_jsonl",
    "lead_from_form",
    "merge_accounts",
    "merge_contacts",
    "open_store",
    "read_form",
    "register_adapter",
]
