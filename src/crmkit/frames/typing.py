"""Types for the analytics' two inputs: records and dataframes.

Every analytic accepts an iterable of records (attrs objects or mappings) or a dataframe. Its
``typing.overload`` declarations state what comes back for each, the way narwhals types
``from_native``:

* a native dataframe in (pandas, Polars ``DataFrame`` or ``LazyFrame``, PyArrow ``Table``,
  DuckDB relation, Dask, PySpark) — the same frame type out, typed by :data:`FrameT`, when the
  analytic hands back a frame;
* a narwhals ``DataFrame``/``LazyFrame`` in (:class:`SupportsToNative`) — the native frame it
  wraps out, as analytics return native frames;
* :data:`Records` in — a ``list`` of the analytic's row class out (or what is true for the
  analytic: a ``dict`` for a few, the same records for filters, typed with :data:`RecordT`).

Written out for an analytic returning ``list[Row]`` for records::

    @overload
    def analytic(data: SupportsToNative[FrameT], ...) -> FrameT: ...
    @overload
    def analytic(data: FrameT, ...) -> FrameT: ...
    @overload
    def analytic(data: Records, ...) -> list[Row]: ...

:data:`FrameT` is bound to :class:`NativeFrame`, a structural protocol (a ``columns``
attribute and a ``join`` method) that every supported frame type satisfies, rather than to a
union of the libraries' classes: pandas and PyArrow ship no type information, so a type checker
sees their classes as ``Any``, and an ``Any`` in the bound would let a list of records match
the frame overload. The protocol keeps the two overloads apart whichever optional libraries
are installed, and importing this module imports none of them.

Examples:
    >>> from crmkit.frames import FrameT, NativeFrame, Records, SupportsToNative
    >>> FrameT.__bound__ is NativeFrame
    True
    >>> import polars as pl
    >>> isinstance(pl.DataFrame({"a": [1]}), NativeFrame), isinstance([{"a": 1}], NativeFrame)
    (True, False)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol, TypeAlias, TypeVar, runtime_checkable

__all__ = ["FrameT", "NativeFrame", "RecordT", "Records", "SupportsToNative"]


@runtime_checkable
class NativeFrame(Protocol):
    """What every dataframe an analytic accepts has: ``columns`` and ``join``.

    Satisfied by pandas and PyArrow frames, Polars ``DataFrame`` and ``LazyFrame``, DuckDB
    relations, Dask and PySpark frames and narwhals ``DataFrame``/``LazyFrame`` (the same
    structure narwhals' own ``IntoFrame`` describes); not by a list, tuple or generator of
    records.

    Examples:
        >>> import pandas as pd
        >>> from crmkit.frames import NativeFrame
        >>> isinstance(pd.DataFrame({"a": [1]}), NativeFrame), isinstance((), NativeFrame)
        (True, False)
    """

    @property
    def columns(self) -> Any:
        """The frame's columns (names or column objects, depending on the library)."""

    def join(self, *args: Any, **kwargs: Any) -> Any:
        """The library's own join (only its presence matters here)."""


#: A native dataframe; an analytic typed ``(data: FrameT) -> FrameT`` returns the
#: same frame type it was given (eager stays eager, lazy stays lazy).
FrameT = TypeVar("FrameT", bound=NativeFrame)

#: The native frame a narwhals frame wraps.
NativeT_co = TypeVar("NativeT_co", covariant=True)


class SupportsToNative(Protocol[NativeT_co]):
    """A narwhals ``DataFrame`` or ``LazyFrame``: ``to_native()`` gives the frame it wraps.

    Analytics given a narwhals frame return the native frame it wraps (what ``to_native()``
    returns), so ``SupportsToNative[FrameT]`` in types ``FrameT`` out.

    Examples:
        >>> import narwhals as nw
        >>> import polars as pl
        >>> frame: SupportsToNative[pl.DataFrame] = nw.from_native(pl.DataFrame({"a": [1]}))
        >>> type(frame.to_native()).__name__
        'DataFrame'
    """

    def to_native(self) -> NativeT_co:
        """The native frame (pandas, Polars, PyArrow, DuckDB, Dask, PySpark)."""


#: One record, for analytics that hand back the records they were given (filters): their
#: records overload is ``(data: Iterable[RecordT]) -> list[RecordT]``.
RecordT = TypeVar("RecordT")

#: An iterable of records: attrs objects (customers, transactions, …) or mappings of field name
#: to value.
Records: TypeAlias = Iterable[Mapping[str, Any]] | Iterable[object]
