"""Schema 5: the indexes of columns that can be empty leave the empty rows out (partial
indexes, ``WHERE column IS NOT NULL``); tables and rows are kept as they are."""

from __future__ import annotations

from alembic import op

from crmkit.adapters.sql.migrations.indexes import make_partial

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Recreate those indexes as partial ones in place and record schema version 5."""
    connection = op.get_bind()
    make_partial(connection)
    connection.exec_driver_sql("UPDATE crmkit_schema SET version = 5")


def downgrade() -> None:
    """Not supported: restore a backup instead."""
    raise NotImplementedError("crmkit schemas are not downgraded; restore a backup")
