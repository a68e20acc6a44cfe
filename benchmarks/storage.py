"""Storage benchmark: bulk writes, keyset paging, queries and ``store.frame`` of the SQL store,
side by side with the raw driver and SQLAlchemy Core writing and reading the same rows.

Run: ``.venv/bin/python -m benchmarks.storage --full`` (100,000 accounts and 1,000,000 orders
with one line each, what ``docs/performance.md`` reports), without a flag 20,000 accounts and
200,000 orders (what ``make bench`` runs), ``--quick`` 5,000 and 50,000. PostgreSQL is
included when ``CRMKIT_PG_URL`` is set (private schemas, dropped afterwards). Each backend's
tables replace that backend's section of that size in ``benchmarks/results/storage.md``
(``### SQLite (full size)`` …; the file's other sections, the notes of earlier rounds, are
kept: :func:`merge_sections`); ``--writes-only`` times only the bulk writes and prints
their table without writing the file (quick before/after comparisons; the script uses only
crmkit's public API, so it also runs against another checkout's ``src`` on ``PYTHONPATH``).

Per backend, each writer gets its own fresh, identical database (same tables, indexes and
foreign keys, created by crmkit):

- **crmkit** — ``uow.accounts.add_many(...)`` (then ``uow.orders.add_many(...)``) in one unit of
  work, from entities: checking what can change in place, serialisation, typed columns,
  inserts;
- **raw driver** (the peer the targets name) — the same rows, already serialised and already in
  the driver's types, written in one transaction with sqlite3 ``executemany`` of one prepared
  ``INSERT`` (SQLite) or psycopg ``COPY … FROM STDIN`` (PostgreSQL);
- **SQLAlchemy Core** — the same pre-serialised rows through ``connection.execute(table.insert(),
  rows)`` in batches of 1,000.

Before anything is timed, a sample of accounts and orders is written by all three and the
tables are compared row for row (they must be equal). ``store.frame("orders")`` is timed against
the raw driver reading the same columns into the same frame library (pandas and Polars), and
the two frames are compared first.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from crmkit.adapters import Query
from crmkit.adapters.aggregate import aggregate_for
from crmkit.adapters.sql import SqlStore
from crmkit.adapters.sql.schema import entity_row
from crmkit.domain import Account, AccountStatus, Money, Order, OrderLine

RESULTS = Path(__file__).parent / "results" / "storage.md"
T0 = datetime(2024, 1, 1, tzinfo=UTC)
CHUNK = 100_000  # orders are built, written and dropped in chunks (bounded memory)
SIZES = {"quick": (5_000, 50_000), "default": (20_000, 200_000), "full": (100_000, 1_000_000)}


def accounts(n: int, start: int = 0) -> Iterator[Account]:
    statuses = list(AccountStatus)
    for i in range(start, start + n):
        yield Account(
            name=f"Company {i:06d} AB",
            organisation_number=f"55{i:08d}",
            website=f"https://www.company{i}.se",
            owner_id=f"seller-{i % 50}",
            tier="ABC"[i % 3],
            status=statuses[i % len(statuses)],
            custom={"fiscal_month": i % 12 + 1, "vip": i % 97 == 0},
            created_at=T0,
            updated_at=T0 + timedelta(minutes=i),
        )


def orders(n: int, account_ids: list[str], start: int = 0) -> Iterator[Order]:
    price = Money(Decimal("99.50"), "SEK")
    for i in range(start, start + n):
        at = T0 + timedelta(seconds=30 * i)
        yield Order(
            account_id=account_ids[i % len(account_ids)],
            ordered_at=at,
            lines=[OrderLine(product_id=f"P{i % 200}", quantity=1 + i % 5, unit_price=price)],
            created_at=at,
            updated_at=at,
        )


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_time(fn: Callable[[], Any], repeat: int = 7) -> float:
    return statistics.median(timed(fn) for _ in range(repeat))


class Backend:
    """Fresh, identical crmkit databases on one backend (a SQLite file or a PostgreSQL schema)."""

    def __init__(self, label: str, url: str | None, tmp: Path) -> None:
        self.label = label
        self._url = url
        self._tmp = tmp
        self._schemas: list[str] = []

    def fresh(self) -> SqlStore:
        if self._url is None:
            return SqlStore(f"sqlite:///{self._tmp / f'{uuid.uuid4().hex}.db'}")
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        self._schemas.append(schema)
        return SqlStore(self._url, schema=schema)

    def drop_all(self) -> None:
        if self._url is None or not self._schemas:
            return
        import sqlalchemy as sa

        engine = sa.create_engine(self._url)
        with engine.begin() as conn:
            for schema in self._schemas:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        engine.dispose()


def _to_driver(value: Any, dialect: str) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value)
    if dialect != "sqlite":
        return value  # psycopg adapts Decimal, date and aware datetime itself
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(" ", "microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _columns(store: SqlStore, aggregate: str) -> list[str]:
    return [column.name for column in store.table(aggregate).columns]


def driver_rows(store: SqlStore, aggregate: str, entities: list[Any]) -> list[tuple[Any, ...]]:
    """The rows crmkit writes for ``entities``, already in the driver's types (not timed)."""
    agg = aggregate_for(aggregate)
    names = _columns(store, aggregate)
    return [
        tuple(_to_driver(row.get(name), store.dialect) for name in names)
        for row in (entity_row(agg, e, 1) for e in entities)
    ]


def driver_write(store: SqlStore, aggregate: str, rows: list[tuple[Any, ...]]) -> None:
    """The raw-driver peer: one transaction, sqlite3 executemany or psycopg COPY."""
    names = _columns(store, aggregate)
    columns = ", ".join(f'"{name}"' for name in names)
    table = store.table(aggregate).name
    raw = store.engine.raw_connection()
    try:
        driver: Any = raw.driver_connection
        if store.dialect == "sqlite":
            marks = ", ".join("?" * len(names))
            driver.execute("BEGIN")
            driver.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
        else:
            statement = f"COPY {table} ({columns}) FROM STDIN"
            with driver.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        driver.commit()
    finally:
        raw.close()


def core_write(store: SqlStore, aggregate: str, rows: list[dict[str, Any]]) -> None:
    """The SQLAlchemy Core peer: the same rows (dicts) in batches of 1,000, one transaction."""
    table = store.table(aggregate)
    with store.engine.begin() as conn:
        for start in range(0, len(rows), 1000):
            conn.execute(table.insert(), rows[start : start + 1000])


def crmkit_write(store: SqlStore, aggregate: str, entities: list[Any]) -> None:
    with store.unit_of_work() as uow:
        uow.repository(aggregate).add_many(entities)


def table_rows(store: SqlStore, aggregate: str) -> list[tuple[Any, ...]]:
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(f"SELECT * FROM {store.table(aggregate).name} ORDER BY id")
        return [tuple(row) for row in cursor.fetchall()]
    finally:
        raw.close()


def check_writers_agree(backend: Backend) -> None:
    """Write a sample with all three writers into fresh databases; the tables must be equal."""
    import copy

    sample = list(accounts(500))
    sample_orders = list(orders(1000, [a.id for a in sample]))
    stores = [backend.fresh() for _ in range(3)]
    try:
        crmkit_write(stores[0], "accounts", copy.deepcopy(sample))
        crmkit_write(stores[0], "orders", copy.deepcopy(sample_orders))
        for aggregate, entities in (("accounts", sample), ("orders", sample_orders)):
            driver_write(stores[1], aggregate, driver_rows(stores[1], aggregate, entities))
            agg = aggregate_for(aggregate)
            core_write(stores[2], aggregate, [entity_row(agg, e, 1) for e in entities])
        for aggregate in ("accounts", "orders"):
            ours, driver, core = (table_rows(s, aggregate) for s in stores)
            assert ours == driver, f"{backend.label}: crmkit and the driver wrote different rows"
            assert [r[0] for r in core] == [r[0] for r in ours]
    finally:
        for store in stores:
            store.close()


def driver_frame(store: SqlStore, backend: str) -> Any:
    """The raw-driver peer of ``store.frame("orders")``: the same columns into the library."""
    from crmkit.adapters.sql.views import view_columns

    columns = ", ".join(column for column, _ in view_columns("orders"))
    names = [shown for _, shown in view_columns("orders")]
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(f"SELECT {columns} FROM crm_orders ORDER BY id")
        rows = cursor.fetchall()
    finally:
        raw.close()
    if backend == "pandas":
        import pandas as pd

        return pd.DataFrame.from_records(rows, columns=names)
    import polars as pl

    return pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)


def check_frames_agree(store: SqlStore) -> None:
    """``store.frame`` and the driver read the same orders (ids, accounts, totals)."""
    for backend in ("pandas", "polars"):
        ours, peer = store.frame("orders", backend=backend), driver_frame(store, backend)
        assert list(ours["id"]) == list(peer["id"]), backend
        assert list(ours["account_id"]) == list(peer["account_id"]), backend
        assert [float(t) for t in ours["total"]] == [float(t) for t in peer["total"]], backend


def keyset_pages(store: SqlStore, expected: int) -> None:
    """Walk every account id a page of 1,000 at a time, as ``find`` pages: ``id > cursor``."""
    table = store.table("accounts").name
    mark = "?" if store.dialect == "sqlite" else "%s"
    statement = f"SELECT id FROM {table} WHERE id > {mark} ORDER BY id LIMIT 1000"
    raw = store.engine.raw_connection()
    try:
        cursor = raw.cursor()
        seen, last = 0, ""
        while True:
            cursor.execute(statement, (last,))
            ids = [row[0] for row in cursor.fetchall()]
            if not ids:
                break
            seen, last = seen + len(ids), ids[-1]
    finally:
        raw.close()
    assert seen == expected, (seen, expected)


def bench_backend(
    backend: Backend, n_accounts: int, n_orders: int, *, writes_only: bool = False
) -> dict[str, Any]:
    out: dict[str, Any] = {"backend": backend.label}
    check_writers_agree(backend)
    ours, driver, core = backend.fresh(), backend.fresh(), backend.fresh()
    acc = list(accounts(n_accounts))
    ids = [a.id for a in acc]
    rows = driver_rows(driver, "accounts", acc)
    out["accounts_driver"] = timed(lambda: driver_write(driver, "accounts", rows))
    agg = aggregate_for("accounts")
    dict_rows = [entity_row(agg, a, 1) for a in acc]
    out["accounts_core"] = timed(lambda: core_write(core, "accounts", dict_rows))
    rows, dict_rows = [], []
    out["accounts_crmkit"] = timed(lambda: crmkit_write(ours, "accounts", acc))
    acc = []
    core.close()
    out["orders_crmkit"] = out["orders_driver"] = 0.0
    with ours.unit_of_work() as uow:
        for start in range(0, n_orders, CHUNK):
            chunk = list(orders(min(CHUNK, n_orders - start), ids, start))
            out["orders_crmkit"] += timed(lambda chunk=chunk: uow.orders.add_many(chunk))
            rows = driver_rows(driver, "orders", chunk)
            out["orders_driver"] += timed(lambda rows=rows: driver_write(driver, "orders", rows))
        out["orders_crmkit"] += timed(uow.commit)
    if writes_only:
        ours.close()
        driver.close()
        return out
    check_frames_agree(ours)  # also the warm-up read
    for library in ("pandas", "polars"):
        out[f"frame_{library}"] = timed(lambda lib=library: ours.frame("orders", backend=lib))
        out[f"frame_{library}_driver"] = timed(lambda lib=library: driver_frame(ours, lib))
    out["page_keys"] = timed(lambda: keyset_pages(ours, n_accounts))
    with ours.unit_of_work() as uow:
        out["page_all_accounts"] = timed(lambda: sum(1 for _ in uow.accounts.iter_all(batch=1000)))
    target = ids[len(ids) // 2]
    since = T0 + timedelta(seconds=30 * (n_orders - 2880))
    queries: dict[str, Callable[[Any], Any]] = {
        "page of 100 by owner": lambda uow: uow.accounts.by_owner("seller-7", limit=100),
        "name search (1 hit)": lambda uow: uow.accounts.search_name(
            f"company {n_accounts // 2:06d}"
        ),
        "custom property (vip)": lambda uow: uow.accounts.by_custom("vip", True, limit=100),
        "count by status": lambda uow: uow.accounts.count(Query(status="existing")),
        "lookup by organisation number": lambda uow: uow.accounts.find_by_org_number(
            f"55{n_accounts // 3:08d}"
        ),
        "lookup by domain": lambda uow: uow.accounts.find_by_domain(f"company{n_accounts // 4}.se"),
        "one account's orders": lambda uow: uow.orders.by_account(target, limit=1000),
        "orders updated in last day": lambda uow: uow.orders.updated_since(since, limit=5000),
    }
    out["queries"] = {}
    with ours.unit_of_work() as uow:
        assert len(uow.accounts.find_by_org_number(f"55{n_accounts // 3:08d}")) == 1
        for name, q in queries.items():
            out["queries"][name] = median_time(lambda q=q: q(uow))
    ours.close()
    driver.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="5k accounts, 50k orders")
    size.add_argument("--full", action="store_true", help="100k accounts, 1M orders")
    parser.add_argument(
        "--backend",
        choices=("all", "sqlite", "postgresql"),
        default="all",
        help="which backends to run (PostgreSQL needs CRMKIT_PG_URL)",
    )
    parser.add_argument(
        "--writes-only",
        action="store_true",
        help="time only the bulk writes; print their table, do not write the results file",
    )
    args = parser.parse_args()
    size = "quick" if args.quick else "full" if args.full else "default"
    n_acc, n_ord = SIZES[size]
    load_start = os.getloadavg()[0]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        if args.backend in ("all", "sqlite"):
            print(f"SQLite: {n_acc:,} accounts, {n_ord:,} orders …", flush=True)
            sqlite = Backend("SQLite (file, WAL)", None, Path(tmp))
            results.append(bench_backend(sqlite, n_acc, n_ord, writes_only=args.writes_only))
        pg = os.environ.get("CRMKIT_PG_URL")
        if pg and args.backend in ("all", "postgresql"):
            print(f"PostgreSQL: {n_acc:,} accounts, {n_ord:,} orders …", flush=True)
            backend = Backend("PostgreSQL", pg, Path(tmp))
            try:
                results.append(bench_backend(backend, n_acc, n_ord, writes_only=args.writes_only))
            finally:
                backend.drop_all()
    flags = ["--quick" if args.quick else "--full" if args.full else ""]
    flags += [f"--backend {args.backend}"] if args.backend != "all" else []
    flags += ["--writes-only"] if args.writes_only else []
    load = (load_start, os.getloadavg()[0])
    sections = {
        section_title(r["backend"], size): render(
            [r], n_acc, n_ord, " ".join(f for f in flags if f), load
        )
        for r in results
    }
    for title, text in sections.items():
        print(f"{title}\n\n{text}")
    if args.writes_only:
        return
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    previous = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    RESULTS.write_text(merge_sections(previous, sections), encoding="utf-8")


def section_title(backend: str, size: str) -> str:
    """The results file's heading of one backend's tables at one size, e.g.
    ``### SQLite (full size)``."""
    return f"### {backend.split(' (')[0]} ({size} size)"


def merge_sections(previous: str, sections: dict[str, str]) -> str:
    r"""The results file with each of ``sections`` (heading → body) in place of the section of
    that heading in ``previous``; a new heading goes after the last table section, before the
    notes. Everything else in ``previous`` (the introduction, the notes of earlier rounds) is
    kept as it is, so a run of one backend or size replaces only its own tables.

    Examples:
        >>> text = "## Storage\n\nIntro.\n\n### SQLite (full size)\n\nold\n\n### Notes\n\nkept\n"
        >>> print(merge_sections(text, {"### SQLite (full size)": "new\n"}))
        ## Storage
        <BLANKLINE>
        Intro.
        <BLANKLINE>
        ### SQLite (full size)
        <BLANKLINE>
        new
        <BLANKLINE>
        ### Notes
        <BLANKLINE>
        kept
        <BLANKLINE>
    """
    head, *chunks = ("\n" + previous).split("\n### ")
    head = head.strip("\n") or "## Storage"
    blocks = [("### " + chunk.split("\n", 1)[0], chunk.split("\n", 1)[1:]) for chunk in chunks]
    out = [(title, rest[0].strip("\n") if rest else "") for title, rest in blocks]
    titles = [title for title, _ in out]
    for title, body in sections.items():
        if title in titles:
            out[titles.index(title)] = (title, body.strip("\n"))
            continue
        tables = [i for i, t in enumerate(titles) if t.endswith(" size)")]
        at = tables[-1] + 1 if tables else 0
        out.insert(at, (title, body.strip("\n")))
        titles.insert(at, title)
    return "\n\n".join([head, *(f"{title}\n\n{body}" for title, body in out)]) + "\n"


def render(
    results: list[dict[str, Any]],
    n_acc: int,
    n_ord: int,
    flag: str,
    load: tuple[float, float] | None = None,
) -> str:
    command = ".venv/bin/python -m benchmarks.storage" + (f" {flag}" if flag else "")
    head = " | ".join(r["backend"] for r in results)
    loaded = (
        f"load average {load[0]:.1f} at the start, {load[1]:.1f} at the end"
        if load is not None
        else "loaded while this ran"
    )
    lines = [
        f"Command: `{command}` — {n_acc:,} accounts, {n_ord:,} orders (one line each), each "
        "writer into its own fresh, identical database; rows compared before timing.",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs shared with other jobs "
        f"({loaded}), Python {platform.python_version()}; PostgreSQL on the same machine.",
        "",
        f"| bulk write (one transaction) | {head} |",
        "|---|" + "---:|" * len(results),
    ]

    def rate(n: int, seconds: float) -> str:
        return f"{seconds:.1f} s ({n / seconds:,.0f}/s)"

    def row(label: str, cell: Callable[[dict[str, Any]], str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(r) for r in results) + " |")

    row(f"crmkit `add_many`: {n_acc:,} accounts", lambda r: rate(n_acc, r["accounts_crmkit"]))
    row(
        "raw driver, same rows pre-serialised (sqlite3 `executemany` / psycopg `COPY`)",
        lambda r: rate(n_acc, r["accounts_driver"]),
    )
    row(
        "SQLAlchemy Core `executemany`, same rows pre-serialised",
        lambda r: rate(n_acc, r["accounts_core"]),
    )
    row(
        "**ratio crmkit / raw driver** (accounts)",
        lambda r: f"**{r['accounts_crmkit'] / r['accounts_driver']:.1f}×**",
    )
    row(
        "ratio crmkit / Core (accounts)",
        lambda r: f"{r['accounts_crmkit'] / r['accounts_core']:.1f}×",
    )
    row(f"crmkit `add_many`: {n_ord:,} orders", lambda r: rate(n_ord, r["orders_crmkit"]))
    row("raw driver: same orders", lambda r: rate(n_ord, r["orders_driver"]))
    row(
        "**ratio crmkit / raw driver** (orders)",
        lambda r: f"**{r['orders_crmkit'] / r['orders_driver']:.1f}×**",
    )
    if "frame_pandas" not in results[0]:  # --writes-only
        return "\n".join(lines) + "\n"
    lines += ["", f"| read (after a warm-up read) | {head} |", "|---|" + "---:|" * len(results)]
    for library in ("pandas", "polars"):
        row(
            f'`store.frame("orders", backend="{library}")`, {n_ord:,} orders',
            lambda r, lib=library: f"{r[f'frame_{lib}']:.2f} s",
        )
        row(
            f"raw driver rows into {library}, same columns",
            lambda r, lib=library: f"{r[f'frame_{lib}_driver']:.2f} s",
        )
        row(
            f"**ratio crmkit / raw driver** ({library})",
            lambda r, lib=library: f"**{r[f'frame_{lib}'] / r[f'frame_{lib}_driver']:.1f}×**",
        )
    row(
        f"keyset paging, SQL only: every {n_acc:,} account id, 1,000 a page",
        lambda r: f"{r['page_keys']:.2f} s",
    )
    row(
        f"keyset paging with entities: `iter_all` through {n_acc:,} accounts, 1,000 a page",
        lambda r: f"{r['page_all_accounts']:.2f} s",
    )
    lines += ["", f"| query (median of 7) | {head} |", "|---|" + "---:|" * len(results)]
    for name in results[0]["queries"]:
        row(name, lambda r, name=name: f"{r['queries'][name] * 1000:.2f} ms")
    lines += [
        "",
        "crmkit's extra time over the driver is per entity, in Python, in one generated pass",
        "per aggregate: re-running the validators of the fields that can change in place",
        "(dicts, lists), writing its document and JSON columns as text straight from the",
        "entity (generated writers, the standard library's text byte for byte) and computing",
        "its typed columns; the insert itself is the driver's (one prepared statement per",
        "batch, `COPY` on PostgreSQL).",
        "`store.frame` reads through the driver into Arrow (`COPY … TO STDOUT` as CSV on",
        "PostgreSQL), so no row becomes an entity. Paging is keyset on the primary key",
        "(`id > cursor ORDER BY id`), never `OFFSET`: the SQL walk is linear; `iter_all` adds",
        "reading each stored document (orjson, the strict reader when in doubt) and building",
        "its entity (`from_dict`'s generated function, each value checked once), which is",
        "most of its time.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
