"""Schema 2: ``segment`` and ``custom`` columns, back-filled from the documents."""

from __future__ import annotations

from alembic import op

from crmkit.adapters.sql.migrations.legacy import upgrade_1_to_2

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the columns and record schema version 2."""
    connection = op.get_bind()
    upgrade_1_to_2(connection)
    connection.exec_driver_sql("UPDATE crmkit_schema SET version = 2")


def downgrade() -> None:
    """Not supported: restore a backup instead."""
    raise NotImplementedError("crmkit schemas are not downgraded; restore a backup")
