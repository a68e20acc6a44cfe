"""Result rows that read well: in a notebook, as a table, and as frame input.

Every row an analytic returns (an RFM row, a lead score, a customer value, a segment
summary, ...) derives from :class:`ResultRow`, which adds to the attrs class:

* ``_repr_html_``: Jupyter shows a row as a one-row HTML table (``repr`` stays attrs'
  ``RFMRow(customer_id='c1', ...)``: the class, then every field in order, key first);
* read-only mapping access — ``row["segment"]``, ``dict(row)``, ``list(row)`` (the field
  names), ``row.items()`` — and registration as a :class:`collections.abc.Mapping`, so
  ``pandas.DataFrame(rows)``, ``polars.DataFrame(rows)`` and
  ``pyarrow.Table.from_pylist(rows)`` have one column per field (they expand mappings, not
  attrs objects). The values stay as they are (a :class:`~crmkit.domain.Money` stays
  Money); :func:`crmkit.frames.to_frame` gives plain column values. A row has no ``len``:
  numpy then keeps ``numpy.array(rows)`` an array of rows instead of reading each row as a
  sequence of field names.

Analytics keep returning plain lists; :func:`table` shows a list of rows as one table (HTML
in a notebook, aligned text in a terminal) without any dataframe library.

Examples:
    >>> import attrs
    >>> from crmkit.display import ResultRow, table
    >>> @attrs.frozen
    ... class Row(ResultRow):
    ...     customer_id: str
    ...     value: float
    >>> row = Row("c1", 10.25)
    >>> row["value"], dict(row)
    (10.25, {'customer_id': 'c1', 'value': 10.25})
    >>> print(table([row, Row("c2", 3.0)]))
    customer_id  value
    c1           10.25
    c2               3
"""

from __future__ import annotations

import datetime as dt
import enum
import html
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs

from crmkit.errors import ValidationError

__all__ = ["ResultRow", "Table", "cell", "table"]


def cell(value: Any) -> str:
    """A value as a table cell: numbers to six significant digits, dates ISO, enums by value.

    Examples:
        >>> from crmkit.display import cell
        >>> cell(0.7266432), cell(1234567.0), cell(None), cell(3), cell(True)
        ('0.726643', '1.23457e+06', '', '3', 'True')
    """
    if value is None:
        return ""
    if isinstance(value, bool | int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def _numeric(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _numeric_column(values: list[Any]) -> bool:
    """Numbers (missing values aside) align right."""
    present = [v for v in values if v is not None]
    return bool(present) and all(_numeric(v) for v in present)


class Table:
    """Rows of one class shown as a table: ``_repr_html_`` in Jupyter, aligned text in ``str``.

    Args:
        columns: the column names.
        rows: the rows' values, in column order.
        caption: a title (HTML caption, first text line).
        footer: a closing note (HTML table footer, last text line).
        row_headers: whether each row's first cell names the row (an HTML ``<th>``).

    Examples:
        >>> from crmkit.display import Table
        >>> print(Table(["segment", "customers"], [["Champions", 12], ["At risk", 3]]))
        segment    customers
        Champions         12
        At risk            3
        >>> Table(["a"], [[1]], caption="Toy")._repr_html_()
        '<table><caption>Toy</caption><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>'
    """

    __slots__ = ("caption", "columns", "footer", "row_headers", "rows")

    def __init__(
        self,
        columns: Iterable[str],
        rows: Iterable[Iterable[Any]],
        caption: str | None = None,
        *,
        footer: str | None = None,
        row_headers: bool = False,
    ) -> None:
        self.columns = list(columns)
        self.rows = [list(row) for row in rows]
        self.caption = caption
        self.footer = footer
        self.row_headers = row_headers

    def __str__(self) -> str:
        cells = [[cell(v) for v in row] for row in self.rows]
        widths = [
            max([len(name), *(len(row[i]) for row in cells)]) for i, name in enumerate(self.columns)
        ]
        right = [_numeric_column([row[i] for row in self.rows]) for i in range(len(widths))]
        lines = [] if self.caption is None else [self.caption]
        for row in [self.columns, *cells]:
            parts = [
                text.rjust(width) if align else text.ljust(width)
                for text, width, align in zip(row, widths, right, strict=True)
            ]
            lines.append("  ".join(parts).rstrip())
        if self.footer is not None:
            lines.append(self.footer)
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>"
            + "".join(
                f"<{tag}>{html.escape(cell(v))}</{tag}>"
                for tag, v in zip(self._tags(len(row)), row, strict=True)
            )
            + "</tr>"
            for row in self.rows
        )
        caption = "" if self.caption is None else f"<caption>{html.escape(self.caption)}</caption>"
        foot = ""
        if self.footer is not None:
            foot = (
                f"<tfoot><tr><td colspan='{len(self.columns)}'>{html.escape(self.footer)}"
                "</td></tr></tfoot>"
            )
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody>{foot}</table>"

    def _tags(self, width: int) -> list[str]:
        first = "th" if self.row_headers else "td"
        return [first, *["td"] * (width - 1)] if width else []


def _names(row: Any) -> tuple[str, ...]:
    return tuple(a.name for a in attrs.fields(type(row)))


def table(rows: Iterable[Any], *, limit: int | None = None) -> Table:
    """A list of result rows (or any attrs objects of one class) as one :class:`Table`.

    Args:
        rows: the rows; the first row's fields are the columns.
        limit: show only the first ``limit`` rows (the caption then says how many there are).

    Raises:
        ValidationError: a row that is not an attrs object, or of another class than the
            first (the message names ``rows[i]``).

    Examples:
        >>> from crmkit.clv import CustomerSummary
        >>> from crmkit.display import table
        >>> rows = [CustomerSummary("c1", 2, 30.0, 38.0, 22.5), CustomerSummary("c2", 0, 0.0, 38.0)]
        >>> print(table(rows, limit=1))
        first 1 of 2 rows
        customer_id  frequency  recency   T  monetary_value
        c1                   2       30  38            22.5
    """
    items = list(rows)
    if not items:
        return Table([], [])
    first = type(items[0])
    if not attrs.has(first):
        raise ValidationError.single("rows[0]", items[0], "is not a result row (an attrs object)")
    for i, row in enumerate(items):
        if type(row) is not first:
            raise ValidationError.single(f"rows[{i}]", row, f"is not a {first.__name__}")
    names = _names(items[0])
    shown = items if limit is None else items[:limit]
    caption = None if len(shown) == len(items) else f"first {len(shown)} of {len(items)} rows"
    return Table(names, ([getattr(row, n) for n in names] for row in shown), caption)


class ResultRow:
    """Mixin of every analytics result row: HTML display and read-only mapping access.

    Derive an attrs class from it (``@attrs.frozen class Row(ResultRow): ...``); it adds no
    state (``__slots__ = ()``), keeps attrs' ``repr``, equality and hashing, and makes the
    class a virtual :class:`collections.abc.Mapping` from field name to value (without
    ``len``, see :mod:`crmkit.display`).

    Examples:
        >>> from crmkit.clv import CustomerSummary
        >>> row = CustomerSummary("c1", 2, 30.0, 38.0)
        >>> list(row), row["frequency"], "T" in row, row.get("nope", 0)
        (['customer_id', 'frequency', 'recency', 'T', 'monetary_value'], 2, True, 0)
        >>> row["nope"]
        Traceback (most recent call last):
        ...
        KeyError: 'nope'
        >>> row._repr_html_()[:60]
        '<table><thead><tr><th>customer_id</th><th>frequency</th><th>'
    """

    __slots__ = ()

    def keys(self) -> tuple[str, ...]:
        """The field names, in the class's order."""
        return _names(self)

    def values(self) -> list[Any]:
        """The field values, in the class's order."""
        return [getattr(self, n) for n in _names(self)]

    def items(self) -> list[tuple[str, Any]]:
        """``(name, value)`` pairs, in the class's order."""
        return [(n, getattr(self, n)) for n in _names(self)]

    def get(self, name: str, default: Any = None) -> Any:
        """The field ``name``'s value, or ``default`` when there is no such field."""
        return getattr(self, name) if name in _names(self) else default

    def __getitem__(self, name: str) -> Any:
        if not isinstance(name, str) or name not in _names(self):
            raise KeyError(name)
        return getattr(self, name)

    def __iter__(self) -> Iterator[str]:
        return iter(_names(self))

    def __contains__(self, name: object) -> bool:
        return name in _names(self)

    def _repr_html_(self) -> str:
        """The row as a one-row HTML table (Jupyter shows it)."""
        return Table(_names(self), [self.values()])._repr_html_()


Mapping.register(ResultRow)
