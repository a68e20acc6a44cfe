"""Spreadsheet formula injection ("CSV injection") and how crmkit's CSV writer defuses it.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read as a
formula by Excel, LibreOffice and Google Sheets, so a contact named ``=HYPERLINK(...)`` could
run in the spreadsheet of whoever opens an export. Following the OWASP "CSV Injection" rule,
crmkit prefixes such a cell with a single quote (``'``), which spreadsheets show as text and
do not evaluate; every cell is also written quoted.

Two decisions make the rule reversible and keep numbers usable:

* **Numbers in numeric columns stay as they are.** A value in a column the layout knows is
  numeric (whole numbers, decimals, money amounts) that is a plain number literal such as
  ``-12.50`` or ``+3`` is written unchanged: a spreadsheet reads it as a number and cannot
  execute it. The same text in a text column (``-12.50`` as a name) is prefixed.
* **A leading quote is itself escaped.** A cell that already starts with ``'`` gets one more,
  so :func:`restore` (used by crmkit's CSV reader) strips exactly one leading quote and every
  exported value comes back unchanged.

Examples:
    >>> from crmkit.adapters.files.formula_injection import neutralise, restore
    >>> neutralise("=HYPERLINK(\\"http://evil\\")")
    '\\'=HYPERLINK("http://evil")'
    >>> neutralise("-12.50", numeric=True), neutralise("-12.50")
    ('-12.50', "'-12.50")
    >>> restore(neutralise("@SUM(A1:A9)"))
    '@SUM(A1:A9)'
"""

from __future__ import annotations

import re

__all__ = ["FORMULA_TRIGGERS", "is_dangerous", "neutralise", "restore"]

#: First characters that make a spreadsheet treat a cell as a formula (OWASP).
FORMULA_TRIGGERS: frozenset[str] = frozenset({"=", "+", "-", "@", "\t", "\r"})

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def is_dangerous(cell: str) -> bool:
    """Whether a spreadsheet could evaluate ``cell`` as a formula.

    Examples:
        >>> from crmkit.adapters.files.formula_injection import is_dangerous
        >>> is_dangerous("=1+1"), is_dangerous("\\tx"), is_dangerous("Acme AB")
        (True, True, False)
    """
    return bool(cell) and cell[0] in FORMULA_TRIGGERS


def neutralise(cell: str, *, numeric: bool = False) -> str:
    """Return ``cell`` made safe to open in a spreadsheet.

    Args:
        cell: the text to write.
        numeric: the cell belongs to a numeric column; a plain number literal (``-3``,
            ``+1.5e3``) is then kept as is.

    Examples:
        >>> from crmkit.adapters.files.formula_injection import neutralise
        >>> neutralise("+46 70 123 45 67"), neutralise("'quoted"), neutralise("Acme")
        ("'+46 70 123 45 67", "''quoted", 'Acme')
        >>> neutralise("-1+1", numeric=True)
        "'-1+1"
    """
    if not cell:
        return cell
    if numeric and _NUMBER.fullmatch(cell):
        return cell
    if cell[0] in FORMULA_TRIGGERS or cell[0] == "'":
        return "'" + cell
    return cell


def restore(cell: str) -> str:
    """Undo :func:`neutralise`: strip one leading single quote.

    Examples:
        >>> from crmkit.adapters.files.formula_injection import restore
        >>> restore("'=1+1"), restore("''quoted"), restore("-5")
        ('=1+1', "'quoted", '-5')
    """
    if cell.startswith("'"):
        return cell[1:]
    return cell
