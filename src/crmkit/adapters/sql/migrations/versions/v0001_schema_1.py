"""Schema 1: the first tables (``crm_<aggregate>`` with the JSON document)."""

from __future__ import annotations

from alembic import op

from crmkit.adapters.sql.migrations.legacy import create_version_1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the schema-1 tables."""
    create_version_1(op.get_bind())


def downgrade() -> None:
    """Not supported: restore a backup instead."""
    raise NotImplementedError("crmkit schemas are not downgraded; restore a backup")
