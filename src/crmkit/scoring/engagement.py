"""Engagement events → per-lead features that engagement criteria can score.

Lead-scoring criteria read fields of a lead. Engagement lives in events (interactions: e-mails
opened, web visits, webinars, form submissions). :func:`engagement_summary` rolls the events
up per lead — how many, the last one, and how many of each type you name — so the columns
can be joined to the leads and scored (``col("events:webinar") >= 1``, a decay on
``last_event_at``). Records and frames give the same numbers.

Examples:
    >>> from datetime import datetime, UTC
    >>> from crmkit.scoring import engagement_summary
    >>> events = [{"lead_id": "l1", "type": "email", "done_at": datetime(2025, 1, 2, tzinfo=UTC)},
    ...           {"lead_id": "l1", "type": "webinar", "done_at": datetime(2025, 2, 1, tzinfo=UTC)},
    ...           {"lead_id": "l2", "type": "email", "done_at": None}]
    >>> summary = engagement_summary(events, types=["webinar"])
    >>> summary["l1"]["events"], summary["l1"]["events:webinar"], summary["l1"]["last_event_at"].month
    (2, 1, 2)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

from crmkit._deprecation import renamed
from crmkit.errors import ValidationError
from crmkit.frames import (
    Agg,
    Aggregation,
    FrameT,
    Records,
    SupportsToNative,
    from_native,
    is_frame,
    narwhals,
    read_field,
    require_columns,
    to_native,
)

__all__ = ["engagement_summary"]


@overload
def engagement_summary(
    events: SupportsToNative[FrameT],
    *,
    types: Sequence[str] = ...,
    lead: str = ...,
    date_field: str = ...,
    type_field: str = ...,
) -> FrameT: ...
@overload
def engagement_summary(
    events: FrameT,
    *,
    types: Sequence[str] = ...,
    lead: str = ...,
    date_field: str = ...,
    type_field: str = ...,
) -> FrameT: ...
@overload
def engagement_summary(
    events: Records,
    *,
    types: Sequence[str] = ...,
    lead: str = ...,
    date_field: str = ...,
    type_field: str = ...,
) -> dict[Any, dict[str, Any]]: ...


@renamed(at="date_field")
def engagement_summary(
    events: Any,
    *,
    types: Sequence[str] = (),
    lead: str = "lead_id",
    date_field: str = "done_at",
    type_field: str = "type",
) -> Any:
    """Per lead: ``events`` (how many done events), ``last_event_at`` and ``events:<type>``
    for each of ``types``. Events without a lead or without a time (not done yet) are left
    out.

    Records give ``{lead id: {column: value}}``; a frame gives a frame with a ``lead`` column
    and the same columns (lazy stays lazy).

    Examples:
        >>> import polars as pl
        >>> from datetime import date
        >>> from crmkit.scoring import engagement_summary
        >>> df = pl.DataFrame({"lead_id": ["a", "a", "b"], "type": ["email", "visit", "email"],
        ...                    "done_at": [date(2025, 1, 1), date(2025, 1, 9), date(2025, 1, 3)]})
        >>> engagement_summary(df, types=["visit"]).sort("lead_id").rows()
        [('a', 2, datetime.date(2025, 1, 9), 1), ('b', 1, datetime.date(2025, 1, 3), 0)]
    """
    wanted = list(types)
    if len(set(wanted)) != len(wanted):
        raise ValidationError.single("types", wanted, "must not repeat a type")
    spec = Aggregation(
        (lead,),
        (
            Agg("events", "len"),
            Agg("last_event_at", "max", date_field),
            *[Agg(f"events:{t}", "sum", f"__t{i}") for i, t in enumerate(wanted)],
        ),
    )
    if is_frame(events):
        nw = narwhals()
        frame = from_native(events)
        require_columns(frame, [lead, date_field] + ([type_field] if wanted else []), what="events")
        done = frame.filter(~nw.col(lead).is_null() & ~nw.col(date_field).is_null())
        flags = [
            (nw.col(type_field) == t).fill_null(False).cast(nw.Int64()).alias(f"__t{i}")
            for i, t in enumerate(wanted)
        ]
        if flags:  # lazy engines refuse an empty with_columns
            done = done.with_columns(*flags)
        out = spec.frame(done)
        if wanted:
            out = out.with_columns(*[nw.col(f"events:{t}").cast(nw.Int64()) for t in wanted])
        return to_native(out)
    groups: dict[Any, list[tuple[Any, ...]]] = {}
    other = (0,) * len(wanted)  # the type flags of an event of a type not asked for
    type_flags = {t: tuple(int(t == u) for u in wanted) for t in wanted}
    for i, event in enumerate(events):
        who = read_field(event, lead, what=f"events[{i}]", paths=True, custom=True, floats=True)
        when = read_field(
            event, date_field, what=f"events[{i}]", paths=True, custom=True, floats=True
        )
        if who is None or when is None:
            continue
        if wanted:
            kind = read_field(
                event, type_field, what=f"events[{i}]", paths=True, custom=True, floats=True
            )
            try:
                values = (when, *type_flags.get(kind, other))
            except TypeError:  # an unhashable value is none of the types
                values = (when, *other)
        else:
            values = (when,)
        groups.setdefault(who, []).append(values)
    return spec.groups(groups)
