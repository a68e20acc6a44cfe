"""Rule segments: declarative, first-match-wins segment definitions over fields.

A :class:`RuleSegments` is data: an ordered list of :class:`Segment` (a name, a test built
from :mod:`crmkit.frames.expression` — comparisons, membership, ranges, ``&``/``|``/``~``,
dates relative to an as-of date — and optional attributes such as a service level) and a
default segment for rows no rule matches. The same object

* classifies one record (:meth:`RuleSegments.segment_of`) or many
  (:func:`assign_segments` → a list of :class:`SegmentRow`), and
* compiles to one narwhals ``when/then`` expression (:meth:`RuleSegments.expression`) that
  :func:`assign_segments` adds to a frame as a column — the same kind of frame comes back,
  lazy frames stay lazy.

Rules are checked in order; the first whose test is true names the segment. A test on a
missing value is false (see :mod:`crmkit.frames.expression`).

Examples:
    >>> import datetime as dt
    >>> import polars as pl
    >>> from crmkit.frames import as_of, col
    >>> from crmkit.segmentation import RuleSegments, Segment, assign_segments
    >>> rules = RuleSegments([
    ...     Segment("key", (col("revenue") >= 1_000_000) | col("is_key_account")),
    ...     Segment("growth", col("industry").is_in(["it", "telecom"])
    ...             & (col("last_order_at") >= as_of(months=-12))),
    ... ], default="standard")
    >>> accounts = [
    ...     {"id": "a1", "revenue": 2_000_000, "is_key_account": False, "industry": "retail",
    ...      "last_order_at": dt.date(2024, 5, 1)},
    ...     {"id": "a2", "revenue": 10_000, "is_key_account": False, "industry": "it",
    ...      "last_order_at": dt.date(2024, 5, 1)},
    ...     {"id": "a3", "revenue": 10_000, "is_key_account": False, "industry": "it",
    ...      "last_order_at": dt.date(2022, 5, 1)},
    ... ]
    >>> [r.segment for r in assign_segments(accounts, rules, as_of=dt.date(2024, 12, 31))]
    ['key', 'growth', 'standard']
    >>> assign_segments(pl.DataFrame(accounts), rules, as_of=dt.date(2024, 12, 31))[
    ...     "segment"].to_list()
    ['key', 'growth', 'standard']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, overload

import attrs

from crmkit.display import ResultRow
from crmkit.errors import ValidationError
from crmkit.frames import (
    Context,
    Expr,
    FrameT,
    Records,
    SupportsToNative,
    evaluate,
    is_frame,
    read_field,
    when,
    with_columns,
)
from crmkit.frames.expression import Conditional, Constant

__all__ = ["RuleSegments", "Segment", "SegmentRow", "assign_segments"]


def _check_rule(name: str, value: Any) -> None:
    if not isinstance(value, Expr):
        raise ValidationError.single(
            f"segment.{name}.when", value, "must be a rule built with crmkit.frames.col"
        )


def _attributes(value: Mapping[str, Any] | None) -> dict[str, Any]:
    return dict(value or {})


@attrs.frozen
class Segment:
    """One named segment: rows for which ``when`` holds (and no earlier rule matched).

    Args:
        name: the segment's name (the value of the segment column).
        when: the test, an :class:`~crmkit.frames.Expr`.
        description: what the segment means, for people.
        attributes: values that come with the segment (e.g. ``{"service_level": "best"}``),
            added as columns when asked for.

    Examples:
        >>> from crmkit.frames import col
        >>> from crmkit.segmentation import Segment
        >>> Segment("large", col("employees") >= 250).name
        'large'
    """

    name: str
    when: Expr = attrs.field(validator=lambda self, _, value: _check_rule(self.name, value))
    description: str = ""
    attributes: dict[str, Any] = attrs.field(factory=dict, converter=_attributes)


def _segments(value: Iterable[Segment]) -> tuple[Segment, ...]:
    return tuple(value)


@attrs.frozen
class RuleSegments:
    """An ordered, first-match-wins list of segments with a default.

    Args:
        segments: the rules, checked in order.
        default: the segment of rows no rule matches (``None`` leaves them unsegmented).
        default_attributes: attribute values for the default segment.

    Examples:
        >>> from crmkit.frames import col
        >>> from crmkit.segmentation import RuleSegments, Segment
        >>> rules = RuleSegments([Segment("big", col("n") > 10)], default="small")
        >>> rules.segment_of({"n": 3})
        'small'
        >>> rules.names
        ['big', 'small']
    """

    segments: tuple[Segment, ...] = attrs.field(converter=_segments)
    default: str | None = "other"
    default_attributes: dict[str, Any] = attrs.field(factory=dict, converter=_attributes)

    @segments.validator
    def _check_segments(self, attribute: Any, value: tuple[Segment, ...]) -> None:
        names = [s.name for s in value]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValidationError.single(
                "segments", duplicates, "are defined twice; segment names must be unique"
            )

    @property
    def names(self) -> list[str]:
        """Segment names in rule order, then the default.

        Examples:
            >>> from crmkit.frames import col
            >>> from crmkit.segmentation import RuleSegments, Segment
            >>> RuleSegments([Segment("a", col("x") > 1)], default=None).names
            ['a']
        """
        out = [s.name for s in self.segments]
        if self.default is not None and self.default not in out:
            out.append(self.default)
        return out

    def columns(self) -> frozenset[str]:
        """The fields the rules read.

        Examples:
            >>> from crmkit.frames import col
            >>> from crmkit.segmentation import RuleSegments, Segment
            >>> sorted(RuleSegments([Segment("a", col("x") > col("y"))]).columns())
            ['x', 'y']
        """
        return frozenset().union(*(s.when.columns() for s in self.segments))

    def expression(self) -> Expr:
        """The whole rule set as one expression whose value is the segment name.

        Examples:
            >>> from crmkit.frames import col
            >>> from crmkit.segmentation import RuleSegments, Segment
            >>> RuleSegments([Segment("a", col("x") > 1)], default="b").expression()
            when((col('x') > 1)).then('a').otherwise('b')
        """
        return self.attribute_expression(None)

    def attribute_expression(self, attribute: str | None) -> Expr:
        """An expression whose value is ``attribute`` of the matching segment (or its name).

        Examples:
            >>> from crmkit.frames import col
            >>> from crmkit.segmentation import RuleSegments, Segment
            >>> rules = RuleSegments([Segment("a", col("x") > 1, attributes={"level": 1})],
            ...                      default="b", default_attributes={"level": 0})
            >>> rules.attribute_expression("level").evaluate({"x": 0})
            0
        """

        def value(name: str | None, attributes: Mapping[str, Any]) -> Any:
            return name if attribute is None else attributes.get(attribute)

        if not self.segments:
            return Constant(value(self.default, self.default_attributes))
        first, *rest = self.segments
        chain: Conditional = when(first.when).then(value(first.name, first.attributes))
        for segment in rest:
            chain = chain.when(segment.when).then(value(segment.name, segment.attributes))
        fallback = value(self.default, self.default_attributes)
        return chain if fallback is None else chain.otherwise(fallback)

    def segment_of(self, record: Any, as_of: dt.date | None = None) -> str | None:
        """The segment of one record.

        Examples:
            >>> from crmkit.frames import col
            >>> from crmkit.segmentation import RuleSegments, Segment
            >>> RuleSegments([Segment("a", col("x") > 1)]).segment_of({"x": 2})
            'a'
        """
        result: str | None = self.expression().evaluate(record, Context(as_of=as_of))
        return result


@attrs.frozen
class SegmentRow(ResultRow):
    """The segment of one record: its key, the segment and the segment's attributes.

    Examples:
        >>> from crmkit.segmentation import SegmentRow
        >>> SegmentRow("a1", "key").segment
        'key'
    """

    key: Any
    segment: str | None
    attributes: dict[str, Any] = attrs.field(factory=dict)


@overload
def assign_segments(
    data: SupportsToNative[FrameT],
    rules: RuleSegments,
    *,
    key: str = ...,
    as_of: dt.date | None = ...,
    column: str = ...,
    attributes: Sequence[str] = ...,
) -> FrameT: ...
@overload
def assign_segments(
    data: FrameT,
    rules: RuleSegments,
    *,
    key: str = ...,
    as_of: dt.date | None = ...,
    column: str = ...,
    attributes: Sequence[str] = ...,
) -> FrameT: ...
@overload
def assign_segments(
    data: Records,
    rules: RuleSegments,
    *,
    key: str = ...,
    as_of: dt.date | None = ...,
    column: str = ...,
    attributes: Sequence[str] = ...,
) -> list[SegmentRow]: ...


def assign_segments(
    data: Any,
    rules: RuleSegments,
    *,
    key: str = "id",
    as_of: dt.date | None = None,
    column: str = "segment",
    attributes: Sequence[str] = (),
) -> Any:
    """Segment records (→ ``list[SegmentRow]``) or a frame (→ same frame plus ``column``).

    Args:
        data: an iterable of records (attrs objects or dicts) or a dataframe.
        rules: the rule set.
        key: the records' identifying field (records only; frames keep all their columns).
        as_of: the date relative dates in the rules refer to.
        column: the name of the added segment column (frames).
        attributes: segment attributes to add as columns too (frames) or to fill in
            :attr:`SegmentRow.attributes` (records).

    Examples:
        >>> import pandas as pd
        >>> from crmkit.frames import col
        >>> from crmkit.segmentation import RuleSegments, Segment, assign_segments
        >>> rules = RuleSegments([Segment("big", col("n") > 10, attributes={"owner": "KAM"})],
        ...                      default="small", default_attributes={"owner": "telesales"})
        >>> assign_segments([{"id": 1, "n": 20}], rules, attributes=["owner"])
        [SegmentRow(key=1, segment='big', attributes={'owner': 'KAM'})]
        >>> assign_segments(pd.DataFrame({"n": [20, 3]}), rules, attributes=["owner"])[
        ...     "owner"].tolist()
        ['KAM', 'telesales']
    """
    ctx = Context(as_of=as_of)
    if is_frame(data):
        named: dict[str, Expr] = {column: rules.expression()}
        for attribute in attributes:
            named[attribute] = rules.attribute_expression(attribute)
        return with_columns(data, named, ctx, what="data")
    rows = list(data)
    names = evaluate(rules.expression(), rows, ctx)
    by_name = {s.name: s.attributes for s in rules.segments}
    if rules.default is not None:
        by_name.setdefault(rules.default, rules.default_attributes)
    out: list[SegmentRow] = []
    for index, (row, name) in enumerate(zip(rows, names, strict=True)):
        try:
            identity = read_field(row, key)
        except ValidationError as error:
            raise error.prefixed(f"data[{index}]") from None
        values = by_name.get(name, {}) if name is not None else {}
        out.append(SegmentRow(identity, name, {a: values.get(a) for a in attributes}))
    return out
