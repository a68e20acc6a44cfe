"""Lazy imports of the optional extras.

crmkit's core needs attrs, cattrs and python-dateutil only. Modules that need an extra call
:func:`require` at the point of use, so ``import crmkit`` stays light and a missing extra
raises :class:`~crmkit.errors.MissingDependencyError` naming what to install.

Examples:
    >>> from crmkit.extras import require
    >>> json = require("json", "core")
    >>> json.dumps([1])
    '[1]'
"""

from __future__ import annotations

import importlib
from types import ModuleType

from crmkit.errors import MissingDependencyError

__all__ = ["EXTRAS", "optional", "require"]

#: Which extra installs which top-level module.
EXTRAS: dict[str, str] = {
    "narwhals": "frames",
    "numpy": "stats",
    "scipy": "stats",
    "sqlalchemy": "sql",
    "psycopg": "postgres",
    "rich": "cli",
}


def require(module: str, extra: str | None = None) -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependencyError` naming the extra.

    Examples:
        >>> from crmkit.extras import require
        >>> require("surely_not_installed_xyz", "stats")
        Traceback (most recent call last):
        ...
        crmkit.errors.MissingDependencyError: surely_not_installed_xyz is required for this feature; install it with pip install 'crmkit[stats]'
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        top = module.split(".", 1)[0]
        raise MissingDependencyError.for_extra(module, extra or EXTRAS.get(top, "all")) from None


def optional(module: str) -> ModuleType | None:
    """Import ``module``, or ``None`` when it is not installed (for optional fast paths).

    Examples:
        >>> from crmkit.extras import optional
        >>> optional("surely_not_installed_xyz") is None
        True
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        return None
