"""Readable terminal output for the ``crmkit`` command: headings, tables and text.

Uses :mod:`rich` (extra ``cli``) when installed and plain aligned text otherwise.

Examples:
    >>> from crmkit.cli._console import Console
    >>> Console(plain=True).table("Sizes", ["tier", "accounts"], [["A", 3], ["B", 12]])
    Sizes
    tier  accounts
    ----  --------
    A            3
    B           12
    <BLANKLINE>
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from typing import Any

__all__ = ["Console", "printable"]


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: control characters (escape sequences that could
    move the cursor, clear the screen or retitle the window; line breaks inside a cell) are
    shown as ``\\x..`` escapes instead of being sent to the terminal.

    Examples:
        >>> from crmkit.cli._console import printable
        >>> printable("Acme\\x1b[2J AB"), printable("Åhléns")
        ('Acme\\\\x1b[2J AB', 'Åhléns')
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _cell(value: Any, significant: bool = False) -> str:
    if isinstance(value, float):
        return f"{value:#.4g}" if significant else f"{value:,.2f}"
    return printable(str(value))


def _markup(text: str) -> str:
    import rich.markup

    return str(rich.markup.escape(text))


class Console:
    """Prints headings, tables and text; ``plain=True`` forces plain text (used in tests).

    Examples:
        >>> from crmkit.cli._console import Console
        >>> Console(plain=True).heading("Dataset")
        <BLANKLINE>
        == Dataset ==
    """

    def __init__(self, *, plain: bool = False) -> None:
        self._rich: Any = None
        if not plain and importlib.util.find_spec("rich") is not None:
            import rich.console

            self._rich = rich.console.Console(width=120)

    def heading(self, title: str) -> None:
        """Print a section heading."""
        title = printable(title)
        if self._rich is not None:
            self._rich.rule(f"[bold]{_markup(title)}")
        else:
            print(f"\n== {title} ==")

    def text(self, message: str) -> None:
        """Print a line of text."""
        message = "\n".join(printable(line) for line in message.split("\n"))
        if self._rich is not None:
            self._rich.print(message, highlight=False, markup=False)
        else:
            print(message)

    def table(
        self,
        title: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        *,
        significant: bool = False,
    ) -> None:
        """Print a table; numbers are right-aligned, floats get two decimals (four significant
        digits with ``significant=True``, for estimates such as 0.0004321 or 1.003e+07).

        Examples:
            >>> from crmkit.cli._console import Console
            >>> Console(plain=True).table("Fit", ["parameter", "value"],
            ...                           [["r", 0.243], ["v", 0.000432]], significant=True)
            <BLANKLINE>
            Fit
            parameter      value
            ---------  ---------
            r             0.2430
            v          0.0004320
        """
        cells = [[_cell(v, significant) for v in row] for row in rows]
        numeric = [
            all(isinstance(row[i], int | float) for row in rows) if rows else False
            for i in range(len(columns))
        ]
        if self._rich is not None:
            import rich.table

            table = rich.table.Table(title=_markup(printable(title)), title_justify="left")
            for name, is_num in zip(columns, numeric, strict=True):
                table.add_column(_markup(name), justify="right" if is_num else "left")
            for row in cells:
                table.add_row(*(_markup(cell) for cell in row))
            self._rich.print(table)
            return
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]

        def line(values: Sequence[str]) -> str:
            parts = [
                v.rjust(w) if is_num else v.ljust(w)
                for v, w, is_num in zip(values, widths, numeric, strict=True)
            ]
            return "  ".join(parts).rstrip()

        print(printable(title))
        print(line(list(columns)))
        print("  ".join("-" * w for w in widths))
        for row in cells:
            print(line(row))
        print()
