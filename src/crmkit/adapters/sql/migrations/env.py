"""Alembic's environment for crmkit: migrate the connection the store hands over.

Imported outside an Alembic run (documentation tools, test collection) it does nothing.
"""

from __future__ import annotations

from alembic import context

from crmkit.adapters.sql.migrations import VERSION_TABLE


def run() -> None:
    """Run the pending revisions on the connection in the Alembic config's attributes."""
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, version_table=VERSION_TABLE)
    with context.begin_transaction():
        context.run_migrations()


if getattr(context, "config", None) is not None:
    run()
