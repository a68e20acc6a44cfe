"""The data subcommands of ``crmkit``: ``dataset``, ``import``, ``export``, ``rfm`` and
``segment``.

They are thin shells over the library: files go through :mod:`crmkit.adapters.files` (with the
HubSpot and Salesforce codecs of :mod:`crmkit.adapters.formats`), analytics through
:mod:`crmkit.segmentation`. Transactions come from a CSV/Parquet file (``--input``) or from the
store: its orders (``--from orders``, cancelled ones left out) or its won deals
(``--from deals``: the close date and amount of every won opportunity).

Examples:
    >>> import argparse
    >>> from crmkit.cli._data_commands import add_parsers
    >>> parser = argparse.ArgumentParser(prog="crmkit")
    >>> add_parsers(parser.add_subparsers(dest="command"))
    >>> args = parser.parse_args(["import", "companies.csv", "--format", "hubspot",
    ...                           "--object", "companies", "--currency", "SEK"])
    >>> args.store, args.object, args.policy
    ('sqlite:///crm.db', 'companies', 'all_or_nothing')
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from crmkit.cli._common import (
    TABLE_FORMATS,
    add_output_arguments,
    add_progress_argument,
    add_store_argument,
    as_rows,
    command_progress,
    count,
    existing_store,
    output_format,
    parse_amount,
    parse_day,
    read_table,
    require_columns,
    store_file,
    wants_progress,
    write_rows,
)
from crmkit.cli._console import Console
from crmkit.cli.guard import reading
from crmkit.errors import CrmkitError, Problem, ValidationError
from crmkit.progress import CALLS, Progress

__all__ = [
    "FORMATS",
    "OBJECTS",
    "SEGMENTATIONS",
    "Transactions",
    "add_parsers",
    "add_transaction_arguments",
    "load_transactions",
    "run_dataset",
    "run_export",
    "run_import",
    "run_rfm",
    "run_segment",
]

#: File formats of ``import`` / ``export``.
FORMATS = ("crmkit", "hubspot", "salesforce")
#: The ``--object`` choices of each format.
OBJECTS: dict[str, tuple[str, ...]] = {
    "crmkit": (
        "accounts",
        "contacts",
        "leads",
        "opportunities",
        "interactions",
        "cases",
        "orders",
        "campaigns",
        "products",
    ),
    "hubspot": ("companies", "contacts", "deals"),
    "salesforce": ("Account", "Contact", "Opportunity"),
}
#: What ``crmkit segment --by`` can segment on.
SEGMENTATIONS = ("rfm", "abc", "status")
_SOURCES = ("orders", "deals")
_POLICIES = ("all_or_nothing", "keep_accepted", "batched")


def _codec(fmt: str, obj: str, currency: str | None) -> Any:
    """The record codec of ``--format`` / ``--object`` (a crmkit entity class or a codec)."""
    if obj not in OBJECTS[fmt]:
        raise ValidationError.single(
            "--object", obj, f"is not a {fmt} object; choose one of {', '.join(OBJECTS[fmt])}"
        )
    if fmt == "hubspot":
        from crmkit.adapters.formats import HubSpotCodec

        return HubSpotCodec(obj, default_currency=currency)
    if fmt == "salesforce":
        from crmkit.adapters.formats import SalesforceCodec

        return SalesforceCodec(obj, default_currency=currency)
    from crmkit.adapters.aggregate import aggregate_for

    return aggregate_for(obj).entity


def _is_jsonl(path: Path, fmt: str) -> bool:
    jsonl = path.suffix.lower() in (".jsonl", ".ndjson")
    if jsonl and fmt != "crmkit":
        raise ValidationError.single(
            str(path), message=f"{fmt} files are CSV; JSON Lines is crmkit's own format only"
        )
    return jsonl


# ------------------------------------------------------------------------------ import
def _rows_in(path: Path, jsonl: bool) -> int:
    """The rows of a CSV (lines after the header) or JSON Lines file, counted quickly.

    A quoted CSV cell with a line break counts twice: progress then ends a little early.
    """
    lines = 0
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            lines += chunk.count(b"\n")
    return lines if jsonl else max(0, lines - 1)


def run_import(args: argparse.Namespace) -> int:
    """Import a CSV / JSON Lines file into the store; print the report and the first rejects.

    Examples:
        >>> import argparse, contextlib, io, pathlib, tempfile
        >>> from crmkit.cli._data_commands import run_import
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (folder / "accounts.csv").write_text("name,remote_id\\nAcme AB,a-1\\n")
        >>> args = argparse.Namespace(file=folder / "accounts.csv", format="crmkit",
        ...     object="accounts", currency=None, store=f"sqlite:///{folder}/crm.db",
        ...     policy="all_or_nothing", rejects=None, quiet=True)
        >>> run_import(args)  # doctest: +ELLIPSIS
        /...accounts.csv → accounts: 1 rows, 1 accepted (1 created, 0 updated), 0 rejected, committed
        0
    """
    from crmkit.adapters import open_store
    from crmkit.adapters.files import (
        ImportPolicy,
        ImportProgress,
        ImportRolledBackError,
        import_csv,
        import_jsonl,
    )
    from crmkit.adapters.files.output import check_output_path

    path = Path(args.file)
    codec = _codec(args.format, args.object, args.currency)
    importer = import_jsonl if _is_jsonl(path, args.format) else import_csv
    if not path.exists():
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", str(path))
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "Is a directory", str(path))
    if args.rejects is not None:
        check_output_path(args.rejects, inputs=[path, store_file(args.store)])

    rows = 0
    if wants_progress(args) is not False:
        with reading(path):
            rows = _rows_in(path, importer is import_jsonl)
    counter = Progress(command_progress(args, path.name, rows), rows, path.name)

    def progress(p: ImportProgress) -> None:
        counter.update(p.rows)

    encoding = getattr(args, "encoding", None)
    options = {} if encoding is None else {"encoding": encoding}
    with open_store(args.store) as store, reading(path), counter:
        try:
            report = importer(
                store,
                path,
                codec,
                policy=ImportPolicy(args.policy),
                rejects_path=args.rejects,
                progress=progress if counter.enabled else None,
                progress_every=max(1, rows // CALLS),
                **options,
            )
        except ImportRolledBackError as exc:
            for reject in exc.report.rejects[:10]:
                print(f"  {path}: {reject}")
            if exc.report.rejected > 10:
                print(f"  ... {exc.report.rejected - 10} more rejected rows")
            raise
    print(report.summary())
    for reject in report.rejects[:10]:
        print(f"  {path}: {reject}")
    if report.rejects_path:
        print(f"Rejected rows: {report.rejects_path}")
    return 0


# ------------------------------------------------------------------------------ export
def run_export(args: argparse.Namespace) -> int:
    """Export one kind of entity from the store to a CSV or JSON Lines file.

    Examples:
        >>> import argparse, pathlib, tempfile
        >>> from crmkit.cli._data_commands import run_export
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> run_export(argparse.Namespace(file=folder / "a.csv", format="crmkit",
        ...            object="accounts", currency=None, store="memory://"))
        Exported 0 accounts to /...a.csv
        0
    """
    from crmkit.adapters.files import export_csv, export_jsonl
    from crmkit.adapters.files.output import check_output_path

    path = Path(args.file)
    codec = _codec(args.format, args.object, args.currency)
    jsonl = _is_jsonl(path, args.format)
    check_output_path(path, inputs=[store_file(args.store)])
    with existing_store(args.store) as store:
        size = 0
        if wants_progress(args) is not False:
            record_type = codec if isinstance(codec, type) else codec.record_type
            with store.unit_of_work() as uow:
                size = uow.repository(record_type).count()
        progress = command_progress(args, path.name, size)
        count = (export_jsonl if jsonl else export_csv)(store, path, codec, progress=progress)
    print(f"Exported {count} {args.object} to {path}")
    return 0


# ------------------------------------------------------------------------------ dataset
def _hubspot_dataset(data: Any, folder: Path) -> list[tuple[Path, int]]:
    """The synthetic company's companies and deals as HubSpot exports; every order is a
    Closed Won deal (as in a HubSpot portal that records each order as a deal)."""
    from crmkit.adapters import open_store
    from crmkit.adapters.files import export_csv
    from crmkit.adapters.formats import HubSpotCodec
    from crmkit.domain import Opportunity

    accounts = [attrs.evolve(a, remote_id=str(9_000_001 + i)) for i, a in enumerate(data.accounts)]
    deals = []
    for i, order in enumerate(data.purchases()):
        day = order.ordered_at.date()
        moment = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
        deals.append(
            Opportunity(
                name=f"Order {order.order_number or i + 1}",
                account_id=order.account_id,
                amount=order.total,
                close_date=day,
                pipeline_id="default",
                stage_key="closedwon",
                stage_probability=1.0,
                is_closed=True,
                is_won=True,
                remote_id=str(20_000_001 + i),
                created_at=moment,
                updated_at=moment,
            )
        )
    store = open_store("memory://")
    with store.unit_of_work() as uow:
        uow.accounts.add_many(accounts)
        uow.opportunities.add_many(deals)
    written = []
    for name in ("companies", "deals"):
        path = folder / f"hubspot-{name}.csv"
        written.append((path, export_csv(store, path, HubSpotCodec(name))))
    return written


def _crmkit_dataset(data: Any, folder: Path) -> list[tuple[Path, int]]:
    from crmkit.adapters.aggregate import aggregate_for
    from crmkit.adapters.files import export_csv

    written = []
    for name in OBJECTS["crmkit"]:
        path = folder / f"{name}.csv"
        written.append((path, export_csv(getattr(data, name), path, aggregate_for(name).entity)))
    return written


def run_dataset(args: argparse.Namespace) -> int:
    """Write the synthetic B2B company (:func:`crmkit.datasets.make_b2b`) as files to import.

    Examples:
        >>> import argparse, pathlib, tempfile
        >>> from crmkit.cli._data_commands import run_dataset
        >>> folder = pathlib.Path(tempfile.mkdtemp()) / "data"
        >>> run_dataset(argparse.Namespace(output=folder, format="hubspot", accounts=20,
        ...                                seed=1))  # doctest: +ELLIPSIS
        Wrote /...hubspot-companies.csv (20 rows)
        Wrote /...hubspot-deals.csv (... rows)
        0
    """
    from crmkit.datasets import make_b2b

    folder = Path(args.output)
    if folder.exists() and not folder.is_dir():
        raise CrmkitError(f"{folder}: is a file; --output names a folder")
    folder.mkdir(parents=True, exist_ok=True)
    data = make_b2b(seed=args.seed, n_accounts=args.accounts)
    writer = _hubspot_dataset if args.format == "hubspot" else _crmkit_dataset
    for path, rows in writer(data, folder):
        print(f"Wrote {path} ({rows} rows)")
    return 0


# ------------------------------------------------------------------------------ transactions
@attrs.frozen
class Transactions:
    """Purchases to analyse, as records ``{"account_id", "ordered_at", "total"}``.

    Args:
        records: the purchases.
        inputs: the files they were read from (outputs may not overwrite them).
        source: where they came from, for headings.
        accounts: for a store, each customer's account name and remote id (a HubSpot or
            Salesforce id after an import).
    """

    records: list[dict[str, Any]]
    inputs: tuple[Path, ...]
    source: str
    accounts: dict[Any, tuple[str, str | None]] = attrs.field(factory=dict)

    def columns(self, columns: Sequence[str]) -> list[str]:
        """``columns`` with ``account`` and ``remote_id`` after ``customer_id`` when the
        transactions come from a store.

        Examples:
            >>> from crmkit.cli._data_commands import Transactions
            >>> Transactions([], (), "x", {"a": ("Acme", "1")}).columns(["customer_id", "x"])
            ['customer_id', 'account', 'remote_id', 'x']
        """
        if not self.accounts:
            return list(columns)
        out = list(columns)
        at = out.index("customer_id") + 1
        return [*out[:at], "account", "remote_id", *out[at:]]

    def named(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``rows`` with the ``account`` and ``remote_id`` of their ``customer_id`` added.

        Examples:
            >>> from crmkit.cli._data_commands import Transactions
            >>> Transactions([], (), "x", {"a": ("Acme", "1")}).named([{"customer_id": "a"}])
            [{'customer_id': 'a', 'account': 'Acme', 'remote_id': '1'}]
        """
        if not self.accounts:
            return rows
        for row in rows:
            name, remote = self.accounts.get(row["customer_id"], ("", None))
            row["account"], row["remote_id"] = name, remote
        return rows

    def last_day(self) -> dt.date:
        """The day of the latest purchase (the default as-of date).

        Examples:
            >>> import datetime as dt
            >>> from crmkit.cli._data_commands import Transactions
            >>> Transactions([{"ordered_at": dt.date(2024, 5, 1)}], (), "x").last_day()
            datetime.date(2024, 5, 1)
        """
        if not self.records:
            raise CrmkitError(f"{self.source}: no purchases to analyse")
        days = [
            r["ordered_at"].astimezone(dt.UTC).date()
            if isinstance(r["ordered_at"], dt.datetime) and r["ordered_at"].tzinfo
            else r["ordered_at"].date()
            if isinstance(r["ordered_at"], dt.datetime)
            else r["ordered_at"]
            for r in self.records
        ]
        return max(days)


def add_transaction_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options that choose the transactions (file or store) and the as-of date."""
    add_store_argument(parser)
    parser.add_argument(
        "--input",
        "-i",
        type=Path,
        default=None,
        metavar="FILE",
        help="read transactions from this CSV or Parquet file instead of the store",
    )
    parser.add_argument(
        "--from",
        dest="source",
        choices=_SOURCES,
        default="orders",
        help="transactions in the store: orders (cancelled ones left out) or won deals "
        "(close date and amount); default orders",
    )
    parser.add_argument(
        "--customer", default="account_id", help="customer column of --input (account_id)"
    )
    parser.add_argument(
        "--date-field",
        "--at",  # the old name, as the analytics' date_field was called at
        dest="at",
        default="ordered_at",
        metavar="COLUMN",
        help="date column of --input (ordered_at; --at is the old name)",
    )
    parser.add_argument("--amount", default="total", help="amount column of --input (total)")
    parser.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="analysis date (default: the day of the latest transaction)",
    )


def _from_file(args: argparse.Namespace) -> Transactions:
    path = Path(args.input)
    columns, rows = read_table(path, file_format=None)
    require_columns(path, columns, [args.customer, args.at, args.amount])
    records: list[dict[str, Any]] = []
    problems: list[Problem] = []
    parquet = path.suffix.lower() in (".parquet", ".pq")
    for line, row in enumerate(rows, start=2):
        where = f"{path}: row {line - 1}" if parquet else f"{path}:{line}"
        customer = row[args.customer]
        try:
            if customer is None or str(customer).strip() == "":
                raise ValidationError.single(f"{where}: {args.customer}", customer, "is empty")
            records.append(
                {
                    "account_id": str(customer),
                    "ordered_at": parse_day(row[args.at], f"{where}: {args.at}"),
                    "total": parse_amount(row[args.amount], f"{where}: {args.amount}"),
                }
            )
        except ValidationError as exc:
            problems.extend(exc.problems)
            if len(problems) >= 20:
                break
    if problems:
        raise ValidationError(problems)
    return Transactions(records, (path,), str(path))


def _from_store(args: argparse.Namespace) -> Transactions:
    from crmkit.adapters.files.exporter import iter_repository

    records: list[dict[str, Any]] = []
    accounts: dict[Any, tuple[str, str | None]] = {}
    with existing_store(args.store) as store, store.unit_of_work() as uow:
        for account in iter_repository(uow.accounts):
            accounts[account.id] = (account.name, account.remote_id)
        if args.source == "deals":
            for deal in iter_repository(uow.opportunities):
                if deal.is_won:
                    records.append(
                        {
                            "account_id": deal.account_id,
                            "ordered_at": deal.close_date,
                            "total": deal.amount.amount,
                        }
                    )
        else:
            for order in iter_repository(uow.orders):
                if getattr(order.status, "counts_as_purchase", True):
                    records.append(
                        {
                            "account_id": order.account_id,
                            "ordered_at": order.ordered_at,
                            "total": order.total.amount,
                        }
                    )
    source = f"{'won deals' if args.source == 'deals' else 'orders'} in {args.store}"
    path = store_file(args.store)
    return Transactions(records, (path,) if path else (), source, accounts)


def load_transactions(args: argparse.Namespace) -> Transactions:
    """The transactions the options name (``--input`` file, else the store's ``--from``).

    Examples:
        >>> import argparse, pathlib, tempfile
        >>> from crmkit.cli._data_commands import load_transactions
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = path.write_text("account_id,ordered_at,total\\na,2024-05-01,10\\n")
        >>> t = load_transactions(argparse.Namespace(input=path, customer="account_id",
        ...                       at="ordered_at", amount="total"))
        >>> t.records
        [{'account_id': 'a', 'ordered_at': datetime.date(2024, 5, 1), 'total': Decimal('10')}]
    """
    transactions = _from_file(args) if args.input is not None else _from_store(args)
    if not transactions.records:
        raise CrmkitError(f"{transactions.source}: no purchases to analyse")
    return transactions


# ------------------------------------------------------------------------------ rfm / segment
_RFM_COLUMNS = (
    "customer_id",
    "recency_days",
    "frequency",
    "monetary",
    "r_score",
    "f_score",
    "m_score",
    "segment",
)


def run_rfm(args: argparse.Namespace) -> int:
    """RFM values, scores and segment of every customer (:func:`crmkit.segmentation.rfm`).

    Examples:
        >>> import argparse, pathlib, tempfile
        >>> from crmkit.cli._data_commands import run_rfm
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = path.write_text("account_id,ordered_at,total\\na,2024-05-01,10\\n"
        ...                     "b,2024-01-01,99\\n")
        >>> run_rfm(argparse.Namespace(input=path, customer="account_id", at="ordered_at",
        ...         amount="total", as_of=None, bins=5, output=None, format=None, limit=20))
        RFM as of 2024-05-01 (2 customers, /...t.csv)
        customer_id  recency_days  frequency  monetary  r_score  f_score  m_score  segment
        -----------  ------------  ---------  --------  -------  -------  -------  --------------
        a                       0          1     10.00        3        1        1  about_to_sleep
        b                     121          1     99.00        1        1        3  lost
        <BLANKLINE>
        0
    """
    from crmkit.segmentation import RFMSpec, rfm

    fmt = output_format(args)
    transactions = load_transactions(args)
    as_of = args.as_of or transactions.last_day()
    rows = as_rows(rfm(transactions.records, as_of=as_of, spec=RFMSpec(bins=args.bins)))
    write_rows(
        transactions.named(rows),
        transactions.columns(_RFM_COLUMNS),
        fmt=fmt,
        output=args.output,
        inputs=transactions.inputs,
        title=f"RFM as of {as_of} ({len(rows)} customers, {transactions.source})",
        console=Console(plain=True),
        limit=args.limit,
    )
    if args.output is not None:
        print(f"Wrote {len(rows)} customers to {args.output}")
    return 0


def _segments(by: str, records: list[dict[str, Any]], as_of: dt.date) -> list[dict[str, Any]]:
    from crmkit.segmentation import abc_classes, customer_status, rfm

    if by == "rfm":
        return [
            {"customer_id": r.customer_id, "segment": r.segment, "value": r.monetary}
            for r in rfm(records, as_of=as_of)
        ]
    value: dict[Any, Any] = {}
    for record in records:
        value[record["account_id"]] = value.get(record["account_id"], 0) + record["total"]
    if by == "abc":
        return [
            {"customer_id": r.customer_id, "segment": r.abc_class, "value": r.value}
            for r in abc_classes(records)
        ]
    return [
        {"customer_id": r.customer_id, "segment": r.status, "value": value.get(r.customer_id)}
        for r in customer_status(records, as_of=as_of)
    ]


def run_segment(args: argparse.Namespace) -> int:
    """Segment customers (RFM segment, ABC class or active/passive status); print the size and
    value of each segment and write the customers' segments with ``--output``.

    Examples:
        >>> import argparse, pathlib, tempfile
        >>> from crmkit.cli._data_commands import run_segment
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
        >>> _ = path.write_text("account_id,ordered_at,total\\na,2024-05-01,10\\n"
        ...                     "b,2024-01-01,90\\n")
        >>> run_segment(argparse.Namespace(input=path, customer="account_id", at="ordered_at",
        ...             amount="total", as_of=None, by="abc", output=None, format=None))
        ABC segments as of 2024-05-01 (2 customers, /...t.csv)
        segment  customers  share   value  value share
        -------  ---------  ------  -----  -----------
        A                1  50.0 %  90.00  90.0 %
        B                1  50.0 %  10.00  10.0 %
        <BLANKLINE>
        0
    """
    from crmkit.segmentation import segment_summary

    fmt = output_format(args)
    transactions = load_transactions(args)
    as_of = args.as_of or transactions.last_day()
    rows = _segments(args.by, transactions.records, as_of)
    summary = sorted(segment_summary(rows, amount="value"), key=lambda s: (-s.size, str(s.segment)))
    Console(plain=True).table(
        f"{args.by.upper() if args.by != 'status' else 'Status'} segments as of {as_of} "
        f"({len(rows)} customers, {transactions.source})",
        ["segment", "customers", "share", "value", "value share"],
        [
            [
                str(s.segment),
                s.size,
                _percent(s.size_share),
                float(s.value_total or 0),
                _percent(s.value_share),
            ]
            for s in summary
        ],
    )
    if args.output is not None:
        write_rows(
            transactions.named(rows),
            transactions.columns(("customer_id", "segment", "value")),
            fmt=fmt,
            output=args.output,
            inputs=transactions.inputs,
        )
        print(f"Wrote {len(rows)} customers to {args.output}")
    return 0


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{100 * share:.1f} %"


# ------------------------------------------------------------------------------ parsers
def _object_help() -> str:
    return "what the file holds: " + "; ".join(
        f"{fmt}: {', '.join(objs)}" for fmt, objs in OBJECTS.items()
    )


def _add_file_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="crmkit",
        help="file layout: crmkit's own (CSV or .jsonl), a HubSpot export or a Salesforce "
        "export (default crmkit)",
    )
    parser.add_argument("--object", required=True, metavar="OBJECT", help=_object_help())
    parser.add_argument(
        "--currency",
        default=None,
        metavar="CODE",
        help="ISO currency of amounts when a HubSpot/Salesforce file has no currency column",
    )
    add_store_argument(parser)


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``dataset``, ``import``, ``export``, ``rfm`` and ``segment``.

    Each parser sets ``handler`` (a function taking the parsed args, returning the exit code).
    """
    ds = subparsers.add_parser(
        "dataset",
        help="write a synthetic B2B company as files to import",
        description="Write the synthetic B2B company of crmkit.datasets.make_b2b as import "
        "files: HubSpot exports (hubspot-companies.csv, hubspot-deals.csv; every order a "
        "Closed Won deal) or crmkit CSV files (one per aggregate).",
    )
    ds.add_argument(
        "--output", "-o", type=Path, required=True, metavar="FOLDER", help="folder to write"
    )
    ds.add_argument(
        "--format",
        choices=("hubspot", "crmkit"),
        default="hubspot",
        help="HubSpot exports or crmkit CSV files (default hubspot)",
    )
    ds.add_argument("--accounts", type=int, default=200, help="number of accounts (200)")
    ds.add_argument("--seed", type=int, default=42, help="random seed (42)")
    ds.set_defaults(handler=run_dataset)

    imp = subparsers.add_parser(
        "import",
        help="import a CSV/JSON Lines file (crmkit, HubSpot, Salesforce) into the store",
        description="Import a file into the store. Every row is validated; rejected rows are "
        "listed (and written with --rejects). Re-running an import updates instead of "
        "duplicating (rows are matched on their remote id).",
    )
    imp.add_argument("file", type=Path, help="the CSV or .jsonl file")
    _add_file_format(imp)
    imp.add_argument(
        "--policy",
        choices=_POLICIES,
        default="all_or_nothing",
        help="when some rows are rejected: store nothing (all_or_nothing, default), store the "
        "accepted rows (keep_accepted), or commit batch by batch (batched)",
    )
    imp.add_argument(
        "--rejects", type=Path, default=None, metavar="FILE", help="write rejected rows here"
    )
    imp.add_argument(
        "--encoding",
        default=None,
        metavar="NAME",
        help="text encoding of the file (default UTF-8, a byte-order mark accepted; e.g. "
        "cp1252 for a file saved by Excel on Windows)",
    )
    add_progress_argument(imp)
    imp.add_argument("--quiet", "-q", action="store_true", help="no progress (--no-progress)")
    imp.set_defaults(handler=run_import)

    exp = subparsers.add_parser(
        "export",
        help="export entities from the store to CSV/JSON Lines (crmkit, HubSpot, Salesforce)",
        description="Export every entity of one kind from the store. Cells a spreadsheet "
        "would run as a formula are neutralised.",
    )
    exp.add_argument("file", type=Path, help="the CSV or .jsonl file to write")
    _add_file_format(exp)
    add_progress_argument(exp)
    exp.set_defaults(handler=run_export)

    rfm_p = subparsers.add_parser(
        "rfm",
        help="RFM recency, frequency, monetary value, scores and segment per customer",
        description="RFM per customer from transactions in a file or in the store. Output "
        f"formats: {', '.join(TABLE_FORMATS)}.",
    )
    add_transaction_arguments(rfm_p)
    rfm_p.add_argument("--bins", type=int, default=5, help="quantile bins per score (5)")
    add_output_arguments(rfm_p)
    rfm_p.add_argument(
        "--limit", type=count, default=20, help="rows to print as a table (20; --output has all)"
    )
    rfm_p.set_defaults(handler=run_rfm)

    seg = subparsers.add_parser(
        "segment",
        help="segment customers by RFM segment, ABC class or status; sizes and values",
        description="Segment customers and print each segment's size and value; --output "
        "writes every customer's segment.",
    )
    add_transaction_arguments(seg)
    seg.add_argument(
        "--by",
        choices=SEGMENTATIONS,
        default="rfm",
        help="rfm: RFM segments; abc: ABC classes by revenue (80/15/5 %%); status: active or "
        "passive (12-month window). Default rfm",
    )
    add_output_arguments(seg)
    seg.set_defaults(handler=run_segment)
