"""Generated Python source, compiled so that tracebacks through it show its lines.

crmkit generates small functions at run time (compiled validation, serde structure and write
functions, the SQL row writers, record functions of the rule language, the aggregation
evaluator). Each goes through :func:`define`, which registers the source with :mod:`linecache`
under a name saying what generated it, so a traceback or a debugger shows the generated line
instead of nothing.
"""

from __future__ import annotations

import linecache
from types import CodeType
from typing import Any

__all__ = ["code", "define"]


def code(source: str, filename: str) -> CodeType:
    """Compile ``source`` under ``filename`` and register its lines with :mod:`linecache`.

    Examples:
        >>> import linecache
        >>> compiled = code("x = 1\\n", "<crmkit example>")
        >>> linecache.getline("<crmkit example>", 1)
        'x = 1\\n'
    """
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return compile(source, filename, "exec")


def define(source: str, filename: str, globs: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run generated ``source`` (registered as by :func:`code`) and return what it defines.

    ``globs`` are the names the source may use; the definitions come back in a new namespace.

    Examples:
        >>> made = define("def twice(x):\\n    return 2 * x\\n", "<crmkit twice>")
        >>> made["twice"](21)
        42
    """
    namespace: dict[str, Any] = {}
    exec(code(source, filename), {} if globs is None else globs, namespace)
    return namespace
