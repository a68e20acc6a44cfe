"""Schema 4: the object-model tables (users, teams, territories, owner changes, tasks, notes,
price books, quotes), ``crm_exchange_rates``, the audit trail and an account's ``parent_id``,
added in place."""

from __future__ import annotations

from alembic import op

from crmkit.adapters.sql.migrations.additions import add_missing

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the tables and columns schema 3 lacks (existing rows are kept), record version 4."""
    connection = op.get_bind()
    add_missing(connection)
    connection.exec_driver_sql("UPDATE crmkit_schema SET version = 4")


def downgrade() -> None:
    """Not supported: restore a backup instead."""
    raise NotImplementedError("crmkit schemas are not downgraded; restore a backup")
