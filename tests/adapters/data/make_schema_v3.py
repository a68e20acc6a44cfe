"""Write ``crm-schema-v3.db``: a SQLite database made by crmkit's schema-3 store (kept as is).

Run once, with the crmkit of commit 23b6d5f (schema version 3), as
``python tests/adapters/data/make_schema_v3.py``; the file it wrote is committed beside it so
the upgrade test opens a database the previous release really made. Do not re-run it with a
newer crmkit: that would write the new schema instead.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from crmkit.adapters import open_store
from crmkit.datasets import make_b2b
from crmkit.domain import KamStage, KeyAccountRelationship

HERE = Path(__file__).parent
TARGET = HERE / "crm-schema-v3.db"


def main() -> None:
    """Write every aggregate of a small synthetic B2B company into ``TARGET``."""
    TARGET.unlink(missing_ok=True)
    data = make_b2b(seed=7, n_accounts=6)
    first = data.accounts[0]
    first.custom = {"fiscal_month": 7}
    first.remote_id = "hs-100"
    kam = KeyAccountRelationship(account_id=first.id, stage=KamStage.BOW_TIE)
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
            "agreements",
            "key_account_relationships",
        ):
            rows = list(getattr(data, name, []) or [])
            if name == "key_account_relationships":
                rows.append(kam)
            uow.repository(name).add_many(rows)
            print(name, len(rows))
    with sqlite3.connect(TARGET) as conn:  # compact the committed file
        conn.execute("VACUUM")


if __name__ == "__main__":
    main()
