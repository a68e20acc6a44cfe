"""Answers to several items, one column per item: the input of reliability, construct
scores and correlation matrices.

An :class:`ItemTable` is built from a mapping of columns, from respondent records
(:class:`~crmkit.survey.Response` objects or dicts) or from a dataframe (through
:mod:`crmkit.frames`, extra ``frames``). Missing answers are ``None``.

Examples:
    >>> from crmkit.survey import ItemTable
    >>> t = ItemTable.from_rows([{"a": 1, "b": 2}, {"a": 3}], items=["a", "b"])
    >>> t.columns["b"]
    (2.0, None)
    >>> t.complete_rows()
    [0]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from crmkit.errors import ValidationError
from crmkit.survey._number import finite_number, is_missing

__all__ = ["ItemData", "ItemTable", "as_item_table"]


def _cell(value: object, path: str) -> float | None:
    if is_missing(value):
        return None
    return finite_number(value, path, "is not a numeric answer")


@attrs.frozen
class ItemTable:
    """Answers per item (columns of equal length; ``None`` = missing).

    Examples:
        >>> from crmkit.survey import ItemTable
        >>> ItemTable.from_columns({"q1": [1, 2], "q2": [3, None]}).n_rows
        2
    """

    columns: dict[str, tuple[float | None, ...]]

    @property
    def items(self) -> list[str]:
        """Item keys in column order."""
        return list(self.columns)

    @property
    def n_rows(self) -> int:
        """Number of respondents (rows)."""
        return len(next(iter(self.columns.values()))) if self.columns else 0

    @classmethod
    def from_columns(cls, columns: Mapping[str, Sequence[float | int | None]]) -> ItemTable:
        """Build from ``{item: answers}``; every column must have the same length.

        Examples:
            >>> from crmkit.survey import ItemTable
            >>> ItemTable.from_columns({"a": [1], "b": [1, 2]})
            Traceback (most recent call last):
            ...
            crmkit.errors.ValidationError: columns.b: 2 answers but the first column has 1
        """
        converted: dict[str, tuple[float | None, ...]] = {}
        length: int | None = None
        problems: list[ValidationError] = []
        for item, values in columns.items():
            if isinstance(values, str | bytes):
                problems.append(
                    ValidationError.single(f"columns.{item}", values, "is not a column")
                )
                continue
            column = []
            for i, v in enumerate(values):
                try:
                    column.append(_cell(v, f"columns.{item}[{i}]"))
                except ValidationError as err:
                    problems.append(err)
            if length is None:
                length = len(column)
            elif len(column) != length:
                problems.append(
                    ValidationError.single(
                        f"columns.{item}",
                        message=f"{len(column)} answers but the first column has {length}",
                    )
                )
            converted[str(item)] = tuple(column)
        if problems:
            raise ValidationError.collect(problems)
        return cls(converted)

    @classmethod
    def from_rows(cls, rows: Iterable[Any], items: Sequence[str]) -> ItemTable:
        """Build from respondent records: objects with an ``answers`` mapping (such as
        :class:`~crmkit.survey.Response`) or plain mappings. Absent answers are missing.

        Examples:
            >>> from crmkit.survey import ItemTable
            >>> ItemTable.from_rows([{"q": 4}, {"q": None}], items=["q"]).columns
            {'q': (4.0, None)}
        """
        if not items:
            raise ValidationError.single("items", list(items), "must name at least one item")
        columns: dict[str, list[float | None]] = {item: [] for item in items}
        problems: list[ValidationError] = []
        for r, row in enumerate(rows):
            answers = getattr(row, "answers", row)
            if not isinstance(answers, Mapping):
                raise ValidationError.single(
                    f"rows[{r}]", row, "is neither a response nor a mapping of answers"
                )
            for item in items:
                try:
                    columns[item].append(_cell(answers.get(item), f"rows[{r}].{item}"))
                except ValidationError as err:
                    problems.append(err)
                    columns[item].append(None)
        if problems:
            raise ValidationError.collect(problems)
        return cls({k: tuple(v) for k, v in columns.items()})

    @classmethod
    def from_frame(cls, frame: Any, items: Sequence[str] | None = None) -> ItemTable:
        """Build from a dataframe of any engine narwhals supports (extra ``frames``).

        The item columns come back to the driver (lazy frames, Dask and PySpark included, are
        collected): a survey has one row per respondent, small by construction, and the item
        statistics need every answer. ``items`` defaults to every column.

        Examples:
            >>> import pandas as pd
            >>> from crmkit.survey import ItemTable
            >>> ItemTable.from_frame(pd.DataFrame({"q": [1.0, None]})).columns
            {'q': (1.0, None)}
        """
        from crmkit.frames import column_names, from_native, is_lazy, require_columns

        nw_frame = from_native(frame)
        wanted = list(items) if items is not None else column_names(nw_frame)
        require_columns(nw_frame, wanted, what="survey frame")
        selected = nw_frame.select(wanted)
        if is_lazy(selected):
            selected = selected.collect()
        return cls.from_columns({name: selected.get_column(name).to_list() for name in wanted})

    def select(self, items: Sequence[str]) -> ItemTable:
        """The table restricted to ``items`` (in that order).

        Examples:
            >>> from crmkit.survey import ItemTable
            >>> ItemTable.from_columns({"a": [1], "b": [2]}).select(["b"]).items
            ['b']
        """
        missing = [i for i in items if i not in self.columns]
        if missing:
            raise ValidationError.single("items", missing[0], "is not a column of the table")
        return ItemTable({i: self.columns[i] for i in items})

    def complete_rows(self) -> list[int]:
        """Indices of rows with an answer to every item (listwise deletion).

        Examples:
            >>> from crmkit.survey import ItemTable
            >>> ItemTable.from_columns({"a": [1, None, 3]}).complete_rows()
            [0, 2]
        """
        cols = list(self.columns.values())
        return [i for i in range(self.n_rows) if all(c[i] is not None for c in cols)]

    def listwise(self) -> dict[str, list[float]]:
        """Columns restricted to complete rows, as plain floats.

        Examples:
            >>> from crmkit.survey import ItemTable
            >>> ItemTable.from_columns({"a": [1, None], "b": [2, 5]}).listwise()
            {'a': [1.0], 'b': [2.0]}
        """
        rows = self.complete_rows()
        out: dict[str, list[float]] = {}
        for item, col in self.columns.items():
            out[item] = [float(col[i]) for i in rows]  # type: ignore[arg-type]
        return out


ItemData = ItemTable | Mapping[str, Sequence[float | int | None]] | Any


def as_item_table(data: ItemData, items: Sequence[str] | None = None) -> ItemTable:
    """Turn an :class:`ItemTable`, a mapping of columns, a dataframe or respondent records
    (then ``items`` is required) into an :class:`ItemTable`.

    Examples:
        >>> from crmkit.survey import as_item_table
        >>> as_item_table({"a": [1, 2], "b": [2, 3]}, items=["b"]).items
        ['b']
    """
    if isinstance(data, ItemTable):
        table = data
    elif isinstance(data, Mapping):
        table = ItemTable.from_columns(data)
    else:
        from crmkit.frames import is_frame

        if is_frame(data):
            return ItemTable.from_frame(data, items)
        if items is None:
            raise ValidationError.single(
                "items", None, "must be given when the data are respondent records"
            )
        return ItemTable.from_rows(data, items)
    return table.select(items) if items is not None else table
