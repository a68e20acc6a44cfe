"""``python -m crmkit`` runs the ``crmkit`` command."""

from crmkit.cli import main

raise SystemExit(main())
