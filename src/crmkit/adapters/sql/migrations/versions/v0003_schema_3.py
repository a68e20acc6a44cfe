"""Schema 3: typed columns, foreign keys with delete policies and the BI views."""

from __future__ import annotations

from alembic import op

from crmkit.adapters.sql.migrations.rebuild import rebuild_to_3

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Rebuild every table from its stored documents and record schema version 3."""
    connection = op.get_bind()
    rebuild_to_3(connection)
    connection.exec_driver_sql("UPDATE crmkit_schema SET version = 3")


def downgrade() -> None:
    """Not supported: restore a backup instead."""
    raise NotImplementedError("crmkit schemas are not downgraded; restore a backup")
