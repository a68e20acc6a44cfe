"""Any list of result rows as a pandas, Polars or PyArrow frame.

crmkit's results (customer values, segment and score rows, the parameter rows of a fitted
model's :meth:`~crmkit.clv.persistence.PersistentModel.summary`, ...) are attrs classes
deriving from :class:`crmkit.display.ResultRow`, which reads as a mapping, so
``pd.DataFrame(rows)`` expands them too — with the values as they are. :func:`to_frame`
is the documented way for any attrs rows: one column per field, in the class's field order,
values as a dataframe column holds them (see :func:`~crmkit.frames.normalise_value`: a
:class:`~crmkit.domain.Money` becomes its amount, an enum member its value). Rows may also
be mappings (``dict``), in which case the first row's keys are the columns.

Only the chosen library is imported, when called.

Examples:
    >>> import attrs
    >>> from crmkit.frames import to_frame
    >>> @attrs.frozen
    ... class Row:
    ...     customer_id: str
    ...     value: float
    >>> to_frame([Row("c1", 10.5), Row("c2", 3.0)], backend="polars").to_dicts()
    [{'customer_id': 'c1', 'value': 10.5}, {'customer_id': 'c2', 'value': 3.0}]
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import attrs

from crmkit.errors import MissingDependencyError, Problem, ValidationError
from crmkit.frames.records import normalise_value

__all__ = ["Backend", "to_frame"]

Backend = Literal["pandas", "polars", "pyarrow"]
_BACKENDS: tuple[str, ...] = ("pandas", "polars", "pyarrow")


def _field_names(row: Any) -> tuple[str, ...] | None:
    """The column names a row gives, or ``None`` when it is neither attrs nor a mapping."""
    if attrs.has(type(row)):
        return tuple(a.name for a in attrs.fields(type(row)))
    if isinstance(row, Mapping):
        return tuple(row)
    return None


def _library(backend: str) -> Any:
    try:
        return importlib.import_module(backend)
    except ImportError:
        raise MissingDependencyError(
            f"{backend} is required for to_frame(backend={backend!r}); install it with "
            f"pip install {backend}"
        ) from None


def to_frame(rows: Iterable[Any], backend: Backend = "pandas") -> Any:
    """A ``backend`` dataframe with one row per result row and one column per field.

    Args:
        rows: attrs objects of one class (any crmkit result row), or mappings with the
            same keys.
        backend: ``"pandas"``, ``"polars"`` or ``"pyarrow"`` (a ``pyarrow.Table``).

    Raises:
        ValidationError: an unknown ``backend``; a row that is neither an attrs object nor a
            mapping, or whose fields differ from the first row's (the message names
            ``rows[i]``).
        MissingDependencyError: the backend's library is not installed.

    Examples:
        >>> from crmkit.clv import CustomerSummary
        >>> from crmkit.frames import to_frame
        >>> rows = [CustomerSummary("c1", 2, 30.0, 38.0, 22.5), CustomerSummary("c2", 0, 0.0, 38.0)]
        >>> frame = to_frame(rows)
        >>> frame.columns.tolist()
        ['customer_id', 'frequency', 'recency', 'T', 'monetary_value']
        >>> frame["frequency"].tolist()
        [2, 0]
        >>> to_frame(rows, backend="pyarrow").num_rows
        2
        >>> to_frame(rows, backend="excel")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: backend: 'excel' is not one of pandas, polars, pyarrow
    """
    if backend not in _BACKENDS:
        raise ValidationError.single("backend", backend, f"is not one of {', '.join(_BACKENDS)}")
    items = rows if isinstance(rows, list | tuple) else list(rows)
    names: tuple[str, ...] = ()
    row_type = type(items[0]) if items else None
    if items:
        first = _field_names(items[0])
        if first is None:
            raise ValidationError.single(
                "rows[0]", items[0], "is not a result row (an attrs object or a mapping)"
            )
        names = first
    # result rows are mappings too (crmkit.display.ResultRow): read them as attrs objects
    mappings = row_type is not None and not attrs.has(row_type)
    problems: list[Problem] = []
    for i, row in enumerate(items):
        if mappings:
            fields = _field_names(row) if isinstance(row, Mapping) else None
            if fields is not None and len(fields) == len(names) and set(fields) == set(names):
                continue
        elif type(row) is row_type:
            continue
        if mappings or _field_names(row) != names:
            problems.append(
                Problem(f"rows[{i}]", row, f"does not have the first row's fields {list(names)}")
            )
            if len(problems) >= 10:
                break
    if problems:
        raise ValidationError(problems)
    if mappings:
        columns = {n: [normalise_value(row[n]) for row in items] for n in names}
    else:
        columns = {n: [normalise_value(getattr(row, n)) for row in items] for n in names}
    library = _library(backend)
    if backend == "pandas":
        return library.DataFrame(columns)
    if backend == "polars":
        # strict=False: a float column whose first values are whole numbers stays float
        return library.DataFrame(columns, strict=False)
    return library.table(columns)
