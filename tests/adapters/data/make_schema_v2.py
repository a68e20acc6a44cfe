"""Write ``crm-schema-v2.db``: a SQLite database made by crmkit's schema-2 store (kept as is).

Run once, with the crmkit of commit 12110e9 (schema version 2), as
``python tests/adapters/data/make_schema_v2.py``; the file it wrote is committed beside it so
the upgrade test opens a database the previous release really made. Do not re-run it with a
newer crmkit: that would write the new schema instead.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from crmkit.adapters import open_store
from crmkit.datasets import make_b2b

HERE = Path(__file__).parent
TARGET = HERE / "crm-schema-v2.db"


def main() -> None:
    """Write every aggregate of a small synthetic B2B company into ``TARGET``."""
    TARGET.unlink(missing_ok=True)
    data = make_b2b(seed=7, n_accounts=6)
    with open_store(f"sqlite:///{TARGET}") as store, store.unit_of_work() as uow:
        for name in (
            "accounts",
            "contacts",
            "leads",
            "opportunities",
            "interactions",
            "cases",
            "orders",
            "campaigns",
            "products",
        ):
            rows = list(getattr(data, name, []) or [])
            uow.repository(name).add_many(rows)
            print(name, len(rows))
    with sqlite3.connect(TARGET) as conn:  # compact the committed file
        conn.execute("VACUUM")


if __name__ == "__main__":
    main()
