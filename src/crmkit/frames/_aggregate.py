"""One aggregation spec for records and frames: a group-by written once, run by both engines.

An :class:`Aggregation` names the key columns, the aggregations (:class:`Agg`: ``len``,
``count``, ``sum``, ``mean``, ``max``, ``min``, ``n_unique``) and the shares of a column's
total over all groups (:class:`Share`). :meth:`Aggregation.records` evaluates it on values an
analytic has read from its records, keeping the records' number rules; :meth:`Aggregation.frame`
compiles it to one narwhals ``group_by().agg()`` (plus a one-row totals frame cross-joined
for the shares), so lazy frames stay lazy and Dask/Spark stay distributed.

The number rules of the records evaluator (the same as the frame engines' where they can be):

* missing values (``None``) are left out of ``count``/``sum``/``mean``/``max``/``min``
  (an analytic that treats NaN as missing turns it into ``None`` when it reads the value);
* ``sum`` is Python's ``sum(values, start=0)`` in row order: ints stay exact ints, Decimals
  stay Decimals, an empty or all-missing group sums to ``0``;
* ``mean`` is ``float(sum) / n`` over the present values, ``None`` when there are none;
* ``max``/``min`` of the present values (the first of equal ones), ``None`` when none;
* ``len`` counts rows, ``count`` present values, ``n_unique`` distinct values with a
  missing value counting as one (as the engines count it);
* a share is ``float(value) / float(total)``, ``None`` when the total is 0; the total of a
  ``sum`` is summed over every present value in group order, like the groups' own sums.

Input checks (missing columns, values that are not numbers) stay with each analytic: they
name the record (``data[3].total``) on records and the column on frames.

Examples:
    >>> import polars as pl
    >>> from decimal import Decimal
    >>> from crmkit.frames import Agg, Aggregation, Share, from_native
    >>> spec = Aggregation(("segment",), (Agg("size", "len"), Agg("total", "sum", "amount")),
    ...                    (Share("total_share", "total"),))
    >>> spec.records([("A", (Decimal("1.5"),)), ("B", (None,)), ("A", (Decimal("2"),))])
    {'A': {'size': 2, 'total': Decimal('3.5'), 'total_share': 1.0}, 'B': {'size': 1, 'total': 0, 'total_share': 0.0}}
    >>> frame = pl.DataFrame({"segment": ["A", "B", "A"], "amount": [1.5, None, 2.0]})
    >>> spec.frame(from_native(frame)).sort("segment").to_native().rows()
    [('A', 2, 3.5, 1.0), ('B', 1, 0.0, 0.0)]
"""

from __future__ import annotations

import functools
import hashlib
import itertools
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, Literal, get_args

import attrs

from crmkit._codegen import define
from crmkit.errors import ValidationError
from crmkit.frames.native import narwhals

__all__ = ["Agg", "AggKind", "Aggregation", "Share"]

AggKind = Literal["len", "count", "sum", "mean", "max", "min", "n_unique"]
_KINDS: tuple[str, ...] = get_args(AggKind)
_INTEGER_KINDS = frozenset({"len", "count", "n_unique"})


@attrs.frozen
class Agg:
    """One aggregated column: ``name`` = ``kind`` of input ``field`` per group.

    ``field`` is needed by every kind but ``len`` (rows per group).

    Examples:
        >>> from crmkit.frames import Agg
        >>> Agg("revenue_total", "sum", "revenue").field
        'revenue'
    """

    name: str
    kind: AggKind
    field: str | None = None


@attrs.frozen
class Share:
    """Column ``name`` = each group's ``of`` over the total of ``of`` across all groups.

    Examples:
        >>> from crmkit.frames import Share
        >>> Share("size_share", "size").of
        'size'
    """

    name: str
    of: str


# What each kind writes in the generated evaluator; ``c<i>`` is a group's column of field i,
# ``k<i>`` its present (non-missing) values, ``size`` its number of rows.
_WRITTEN = {
    "len": "size",
    "n_unique": "len(set(c{at}))",
    "count": "len(k{at})",
    "sum": "sum(k{at}, 0)",
    "mean": "(float(sum(k{at}, 0)) / len(k{at}) if k{at} else None)",
    "max": "(max(k{at}) if k{at} else None)",
    "min": "(min(k{at}) if k{at} else None)",
}

_UNFILTERED = frozenset({"len", "n_unique"})

_Evaluator = Callable[
    [Mapping[Any, Sequence[Sequence[Any]]]], tuple[dict[Any, dict[str, Any]], dict[int, list[Any]]]
]


@functools.lru_cache(maxsize=128)
def _evaluator(
    names: tuple[str, ...], kinds: tuple[str, ...], ats: tuple[int, ...], width: int, by_row: bool
) -> _Evaluator:
    """The records evaluator of one plan, written out as one Python function.

    A group is its rows (``by_row``: unzipped into columns once) or its columns (one list per
    field; without fields one column of anything, one entry a row). Each column that a
    ``count``/``sum``/``mean``/``max``/``min`` reads loses its missing values once (only when
    it has any); the group's result is one dict display: no dispatch per aggregation and no
    comprehension per group, so it costs what the analytics' own loops cost. It also returns,
    per summed column, the present values of every group (for the totals of shares).
    """
    plan = list(zip(kinds, ats, strict=True))
    kept = sorted({at for kind, at in plan if kind not in _UNFILTERED})
    summed = sorted({at for kind, at in plan if kind == "sum"})
    lines = ["def evaluate(groups):", "    out = {}"]
    lines += [f"    kept{at} = []" for at in summed]
    lines.append("    for key, group in groups.items():")
    unpacked = "".join(f"c{i}, " for i in range(max(width, 1)))
    if by_row:
        lines.append("        size = len(group)")
        if width:
            lines.append(f"        {unpacked}= zip(*group)")
    else:
        lines += [f"        {unpacked}= group", "        size = len(c0)"]
    lines += [
        f"        k{at} = [v for v in c{at} if v is not None] if None in c{at} else c{at}"
        for at in kept
    ]
    lines += [f"        kept{at}.append(k{at})" for at in summed]
    items = ", ".join(
        f"NAMES[{i}]: " + _WRITTEN[kind].format(at=at) for i, (kind, at) in enumerate(plan)
    )
    lines.append("        out[key] = {" + items + "}")
    lines.append("    return out, {" + ", ".join(f"{at}: kept{at}" for at in summed) + "}")
    source = "\n".join(lines) + "\n"
    digest = hashlib.sha1(source.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]
    made = define(source, f"<crmkit aggregation {digest}>", {"NAMES": names})
    function: _Evaluator = made["evaluate"]
    return function


@attrs.frozen
class Aggregation:
    """A group-by: key columns ``by``, aggregations ``aggs`` and shares of the total ``shares``.

    A bad spec (an unknown kind, a missing field, a share of a column that is not one of the
    aggregations, a name used twice) is a :class:`~crmkit.errors.ValidationError` naming the
    spec's field, e.g. ``aggs[1].kind``.

    Examples:
        >>> from crmkit.frames import Agg, Aggregation
        >>> spec = Aggregation(("lead_id",), (Agg("events", "len"), Agg("last", "max", "at")))
        >>> spec.fields
        ('at',)
        >>> Aggregation(("k",), (Agg("x", "median", "v"),))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: aggs[0].kind: 'median' must be one of [...]
    """

    by: tuple[str, ...]
    aggs: tuple[Agg, ...]
    shares: tuple[Share, ...] = ()
    fields: tuple[str, ...] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        if not self.by:
            raise ValidationError.single("by", list(self.by), "needs at least one key column")
        names: set[str] = set()
        for i, agg in enumerate(self.aggs):
            if agg.kind not in _KINDS:
                raise ValidationError.single(
                    f"aggs[{i}].kind", agg.kind, f"must be one of {list(_KINDS)}"
                )
            if agg.kind != "len" and not agg.field:
                raise ValidationError.single(
                    f"aggs[{i}].field", agg.field, f"is needed by {agg.kind!r}"
                )
            if agg.name in names:
                raise ValidationError.single(f"aggs[{i}].name", agg.name, "is used twice")
            names.add(agg.name)
        aggregated = {agg.name for agg in self.aggs}
        for i, share in enumerate(self.shares):
            if share.of not in aggregated:
                raise ValidationError.single(
                    f"shares[{i}].of",
                    share.of,
                    f"is not one of the aggregations {sorted(aggregated)}",
                )
            if share.name in names:
                raise ValidationError.single(f"shares[{i}].name", share.name, "is used twice")
            names.add(share.name)
        fields = dict.fromkeys(agg.field for agg in self.aggs if agg.field is not None)
        object.__setattr__(self, "fields", tuple(fields))

    def records(self, rows: Iterable[tuple[Hashable, Sequence[Any]]]) -> dict[Any, dict[str, Any]]:
        """Evaluate on records: ``rows`` are ``(key, values)`` pairs, the values of
        :attr:`fields` in that order (already read and checked by the analytic). Gives
        ``{key: {column: value}}`` with the groups in first-seen order and the columns in the
        order of ``aggs`` then ``shares`` (see the module's number rules).

        Examples:
            >>> from crmkit.frames import Agg, Aggregation
            >>> spec = Aggregation(("k",), (Agg("n", "len"), Agg("top", "max", "v"),
            ...                            Agg("distinct", "n_unique", "v")))
            >>> spec.records([("a", (3,)), ("a", (None,)), ("b", (1,)), ("a", (3,))])
            {'a': {'n': 3, 'top': 3, 'distinct': 2}, 'b': {'n': 1, 'top': 1, 'distinct': 1}}
        """
        groups: dict[Any, list[Sequence[Any]]] = {}
        for key, values in rows:
            groups.setdefault(key, []).append(values)
        return self.groups(groups)

    def groups(self, groups: Mapping[Any, Sequence[Sequence[Any]]]) -> dict[Any, dict[str, Any]]:
        """Evaluate on records already grouped by row: ``{key: [values, ...]}`` (each
        ``values`` the values of :attr:`fields` in that order) — what :meth:`records` does
        after grouping, for analytics that group while they read. Same result as
        :meth:`records`.

        Examples:
            >>> from decimal import Decimal
            >>> from crmkit.frames import Agg, Aggregation
            >>> spec = Aggregation(("k",), (Agg("total", "sum", "v"), Agg("avg", "mean", "v")))
            >>> spec.groups({"a": [(Decimal("0.1"),), (Decimal("0.2"),), (None,)], "b": [(2,)]})
            {'a': {'total': Decimal('0.3'), 'avg': 0.15}, 'b': {'total': 2, 'avg': 2.0}}
        """
        return self._evaluate(groups, by_row=True)

    def columns(self, groups: Mapping[Any, Sequence[Sequence[Any]]]) -> dict[Any, dict[str, Any]]:
        """Evaluate on records already grouped by column: ``{key: (column, ...)}``, one list of
        values per field of :attr:`fields` (a spec without fields: one list with an entry per
        row). The fastest form for a large input: appending to a group's columns allocates
        nothing per row. Same result as :meth:`records`.

        Examples:
            >>> from crmkit.frames import Agg, Aggregation
            >>> spec = Aggregation(("k",), (Agg("n", "len"), Agg("total", "sum", "v")))
            >>> spec.columns({"a": ([1.5, None, 2.0],), "b": ([4.0],)})
            {'a': {'n': 3, 'total': 3.5}, 'b': {'n': 1, 'total': 4.0}}
        """
        return self._evaluate(groups, by_row=False)

    def _evaluate(
        self, groups: Mapping[Any, Sequence[Sequence[Any]]], by_row: bool
    ) -> dict[Any, dict[str, Any]]:
        position = {field: i for i, field in enumerate(self.fields)}
        evaluate = _evaluator(
            tuple(agg.name for agg in self.aggs),
            tuple(agg.kind for agg in self.aggs),
            tuple(-1 if agg.field is None else position[agg.field] for agg in self.aggs),
            len(self.fields),
            by_row,
        )
        out, kept = evaluate(groups)
        sums = {
            agg.name: position[agg.field] for agg in self.aggs if agg.kind == "sum" and agg.field
        }
        for share in self.shares:
            if share.of in sums:  # the total of a sum: every present value, in group order
                at = sums[share.of]
                total: Any = sum(itertools.chain.from_iterable(kept[at]), start=0)
            else:
                total = sum((r[share.of] for r in out.values() if r[share.of] is not None), start=0)
            for result in out.values():
                value = result[share.of]
                result[share.name] = (
                    float(value) / float(total) if total and value is not None else None
                )
        return out

    def frame(self, frame: Any) -> Any:
        """Compile to a narwhals frame (eager or lazy): ``group_by(*by).agg(...)``, the
        ``len``/``count``/``n_unique`` columns as Int64, and each share as the column over its
        total (a one-row frame of totals, cross-joined; null when the total is 0). Columns:
        ``by``, ``aggs``, ``shares``; row order unspecified.

        Examples:
            >>> import polars as pl
            >>> from crmkit.frames import Agg, Aggregation, Share, from_native
            >>> spec = Aggregation(("k",), (Agg("n", "len"),), (Share("n_share", "n"),))
            >>> out = spec.frame(from_native(pl.DataFrame({"k": ["a", "b", "a", "a"]})))
            >>> out.sort("k").to_native().rows()
            [('a', 3, 0.75), ('b', 1, 0.25)]
        """
        nw = narwhals()
        exprs = []
        for agg in self.aggs:
            expr = nw.len() if agg.kind == "len" else getattr(nw.col(agg.field), agg.kind)()
            exprs.append(expr.alias(agg.name))
        grouped = frame.group_by(*self.by).agg(*exprs)
        integers = [nw.col(a.name).cast(nw.Int64()) for a in self.aggs if a.kind in _INTEGER_KINDS]
        if integers:
            grouped = grouped.with_columns(*integers)
        if not self.shares:
            return grouped
        totals = {share.of: f"__crmkit_total_{share.of}" for share in self.shares}
        grouped = grouped.join(
            grouped.select(*[nw.col(of).sum().alias(name) for of, name in totals.items()]),
            how="cross",
        )
        shares = []
        for share in self.shares:
            total = nw.col(totals[share.of])
            shares.append(nw.when(total != 0).then(nw.col(share.of) / total).alias(share.name))
        return grouped.with_columns(*shares).drop(*totals.values())
