"""What every demo section receives: the synthetic company, a console and an output folder.

Examples:
    >>> from pathlib import Path
    >>> from crmkit.cli._console import Console
    >>> from crmkit.cli._context import DemoContext
    >>> ctx = DemoContext(data=None, console=Console(plain=True), output_dir=Path("out"))
    >>> ctx.output_dir.name
    'out'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from crmkit.cli._console import Console

__all__ = ["DemoContext"]


@attrs.define
class DemoContext:
    """Shared state of one ``crmkit demo`` run.

    Args:
        data: the synthetic company (:func:`crmkit.datasets.make_b2b`'s result).
        console: where sections print.
        output_dir: where sections write files (SQLite database, HTML report ...).
        seed: the seed the dataset was made with (sections that simulate more data use it).
    """

    data: Any
    console: Console
    output_dir: Path
    seed: int = 42
