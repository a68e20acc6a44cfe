"""Demo section: store the synthetic company in an SQLite file and read it back.

Examples:
    >>> import tempfile
    >>> from pathlib import Path
    >>> from crmkit.cli._console import Console
    >>> from crmkit.cli._context import DemoContext
    >>> from crmkit.cli._sections.storage import render
    >>> from crmkit.datasets import make_b2b
    >>> out = Path(tempfile.mkdtemp())
    >>> ctx = DemoContext(make_b2b(seed=1, n_accounts=20), Console(plain=True), out, 1)
    >>> render(ctx)  # doctest: +ELLIPSIS
    <BLANKLINE>
    == Persist your CRM ==
    Stored the company in ...crm.db (SQLite, WAL, schema version ...) in one unit of work: ...
    Stored and read back
    aggregate...in memory  in crm.db
    ...
    accounts...20         20
    ...
    >>> (out / "crm.db").exists()
    True
"""

from __future__ import annotations

import time
from collections import Counter
from typing import TYPE_CHECKING, Any

from crmkit.adapters import Query, open_store
from crmkit.adapters.aggregate import aggregate_for, aggregate_names
from crmkit.serde import to_dict

if TYPE_CHECKING:
    from crmkit.cli._context import DemoContext

__all__ = ["render"]


def _copy(aggregate: str, entity: Any) -> Any:
    agg = aggregate_for(aggregate)
    return agg.from_document(agg.to_document(entity))


def render(ctx: DemoContext) -> None:
    """Write ``ctx.data`` to ``ctx.output_dir / "crm.db"``, then query it back.

    Examples:
        >>> from crmkit.cli._sections.storage import render
        >>> callable(render)
        True
    """
    console = ctx.console
    console.heading("Persist your CRM")
    ctx.output_dir.mkdir(parents=True, exist_ok=True)
    path = ctx.output_dir / "crm.db"
    for leftover in (path, path.with_name("crm.db-wal"), path.with_name("crm.db-shm")):
        leftover.unlink(missing_ok=True)
    data = ctx.data
    # the dataset's records of each aggregate (an attribute of another type is left out)
    source: dict[str, list[Any]] = {}
    for name in aggregate_names():
        records = list(getattr(data, name, []))
        if all(isinstance(e, aggregate_for(name).entity) for e in records):
            source[name] = records
    start = time.perf_counter()
    with open_store(f"sqlite:///{path}") as store:
        with store.unit_of_work() as uow:
            for name, entities in source.items():
                uow.repository(name).add_many(_copy(name, e) for e in entities)
        seconds = time.perf_counter() - start
        total = sum(len(v) for v in source.values())
        console.text(
            f"Stored the company in {path} (SQLite, WAL, schema version "
            f"{store.schema_version}) in one unit of work: {total:,} entities in "
            f"{seconds:.2f} s."
        )
        with store.unit_of_work() as uow:
            rows = [[name, len(source[name]), uow.repository(name).count()] for name in source]
            console.table("Stored and read back", ["aggregate", "in memory", "in crm.db"], rows)
            queries: list[list[Any]] = []
            owners = Counter(a.owner_id for a in source["accounts"] if a.owner_id)
            if owners:
                owner, _ = owners.most_common(1)[0]
                names = {u.id: u.name for u in getattr(data, "users", [])}
                queries.append(
                    [
                        f"accounts owned by {names.get(owner, owner)}",
                        uow.accounts.count(Query(owner_id=owner)),
                    ]
                )
            stages = Counter(o.stage_key for o in source["opportunities"] if not o.is_closed)
            if stages:
                stage, _ = stages.most_common(1)[0]
                page = uow.opportunities.by_stage(stage, limit=5)
                example = ", ".join(o.name for o in page.items[:1])
                queries.append(
                    [
                        f"open opportunities in stage {stage!r}",
                        f"{uow.opportunities.count(Query(stage=stage))} (e.g. {example})",
                    ]
                )
            queries.append(["accounts in tier A", uow.accounts.count(Query(segment="A"))])
            if source["cases"]:
                status = source["cases"][0].status
                queries.append(
                    [f"cases with status {status.value!r}", uow.cases.count(Query(status=status))]
                )
            first = next(iter(source["accounts"]), None)
            if first is not None:
                queries.append(
                    [f"orders of {first.name}", uow.orders.count(Query(account_id=first.id))]
                )
                stored = to_dict(uow.accounts.get(first.id))
                original = to_dict(first)
                stored.pop("version")
                original.pop("version")
                queries.append(
                    [f"{first.name} read back equal to the original", str(stored == original)]
                )
            console.table("Queries on crm.db", ["query", "result"], queries)
