"""File formats: CSV and JSON Lines import and export of every aggregate, with rejects.

Import validates every row, writes each rejected row with its line, field and reason to a
rejects file, and commits all accepted rows or none as the caller chooses
(:class:`ImportPolicy`); re-running an import is idempotent on remote id, on a given ``id``
and on the ``natural_key`` you name. Numbers and dates are read by explicit conventions
(:class:`NumberFormat`, :class:`DateFormat`), never guessed. Export streams and neutralises
spreadsheet formula injection. Every output file is written atomically and never over an
input (:func:`atomic_output`). HubSpot and Salesforce layouts are codecs in
:mod:`crmkit.adapters.formats`.

Examples:
    >>> import pathlib, tempfile
    >>> from crmkit.adapters import open_store
    >>> from crmkit.adapters.files import export_csv, import_csv
    >>> from crmkit.domain import Account
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "accounts.csv"
    >>> export_csv([Account(name="Acme AB", remote_id="hs-1")], path, Account)
    1
    >>> store = open_store("memory://")
    >>> import_csv(store, path, Account).created, import_csv(store, path, Account).updated
    (1, 1)
"""

from crmkit.adapters.files.codec import (
    CrmkitCsvCodec,
    CrmkitJsonCodec,
    NoReferences,
    RecordCodec,
    References,
)
from crmkit.adapters.files.conventions import DateFormat, NumberFormat
from crmkit.adapters.files.exporter import export_csv, export_jsonl
from crmkit.adapters.files.formula_injection import is_dangerous, neutralise, restore
from crmkit.adapters.files.importer import (
    Importer,
    ImportPolicy,
    ImportProgress,
    ImportReport,
    ImportRolledBackError,
    StoreReferences,
    import_csv,
    import_jsonl,
)
from crmkit.adapters.files.layout import Column, ColumnKind, CsvLayout
from crmkit.adapters.files.output import atomic_output, check_output_path, write_output
from crmkit.adapters.files.rejects import Reject, RejectsWriter, read_rejects
from crmkit.adapters.files.source import SourceRow, read_csv, read_jsonl, write_csv, write_jsonl

__all__ = [
    "Column",
    "ColumnKind",
    "CrmkitCsvCodec",
    "CrmkitJsonCodec",
    "CsvLayout",
    "DateFormat",
    "ImportPolicy",
    "ImportProgress",
    "ImportReport",
    "ImportRolledBackError",
    "Importer",
    "NoReferences",
    "NumberFormat",
    "RecordCodec",
    "References",
    "Reject",
    "RejectsWriter",
    "SourceRow",
    "StoreReferences",
    "atomic_output",
    "check_output_path",
    "export_csv",
    "export_jsonl",
    "import_csv",
    "import_jsonl",
    "is_dangerous",
    "neutralise",
    "read_csv",
    "read_jsonl",
    "read_rejects",
    "restore",
    "write_csv",
    "write_jsonl",
    "write_output",
]
