"""Write ``crm-schema-v4.db``: a SQLite database made by crmkit's schema-4 store (kept as is).

Run once, with the crmkit of commit 2f59649 (schema version 4, full indexes only), as
``python tests/adapters/data/make_schema_v4.py``; the file it wrote is committed beside it so
the upgrade test opens a database the previous release really made. Do not re-run it with a
newer crmkit: that would write the new schema instead.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from crmkit.adapters import open_store
from crmkit.adapters.aggregate import aggregate_names
from crmkit.datasets import make_b2b
from crmkit.testing.adapter_suite import sample_entity

HERE = Path(__file__).parent
TARGET = HERE / "crm-schema-v4.db"


def main() -> None:
    """Write a small synthetic B2B company and one entity of every other aggregate."""
    TARGET.unlink(missing_ok=True)
    data = make_b2b(seed=11, n_accounts=4)
    first, second = data.accounts[0], data.accounts[1]
    first.custom = {"fiscal_month": 7}
    first.remote_id = "hs-100"
    first.phone = "+46 8 123 45 67"
    second.parent_id = first.id
    with open_store(f"sqlite:///{TARGET}") as store, store.unit_of_work() as uow:
        for name in aggregate_names():
            rows = list(getattr(data, name, []) or [])
            if not rows:
                rows = [sample_entity(name)]
                if hasattr(rows[0], "account_id"):
                    rows[0].account_id = first.id
            uow.repository(name).add_many(rows)
            print(name, len(rows))
    conn = sqlite3.connect(TARGET)
    try:  # compact the committed file: small pages (most tables and indexes hold a few rows)
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA page_size = 512")
        conn.execute("VACUUM")
    finally:
        conn.close()


if __name__ == "__main__":
    main()
