"""Pipeline analytics: weighted pipeline, win rate, stage conversion, time in stage, velocity.

Every function takes opportunities as records (crmkit ``Opportunity`` objects or dicts) or as
a dataframe with the same column names (parameters with the domain's names as defaults).
Grouped results come back as a list of small frozen rows for records and as the same kind of
frame for frames (lazy stays lazy); scalars come back as floats from both engines.

The stage facts (order, closed, won, forecast category) come from the pipeline: pass a
crmkit ``Pipeline`` or any sequence of stages (objects or dicts with ``key``, ``order``,
``is_closed``, ``is_won`` and optionally ``forecast_category``). An opportunity in a stage the
pipeline does not have is an error (:class:`~crmkit.errors.NotFoundError`).

Examples:
    >>> from crmkit.scoring import weighted_pipeline, win_rate
    >>> stages = [{"key": "lead", "order": 1, "is_closed": False, "is_won": False},
    ...           {"key": "won", "order": 2, "is_closed": True, "is_won": True},
    ...           {"key": "lost", "order": 3, "is_closed": True, "is_won": False}]
    >>> opps = [{"stage_key": "lead", "amount": 100.0, "probability": 0.2},
    ...         {"stage_key": "won", "amount": 50.0, "probability": 1.0},
    ...         {"stage_key": "lost", "amount": 80.0, "probability": 0.0}]
    >>> weighted_pipeline(opps, pipeline=stages)
    [PipelineTotal(key='lead', count=1, amount=100.0, weighted_amount=20.0)]
    >>> win_rate(opps, pipeline=stages)
    0.5
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, overload

import attrs

from crmkit._deprecation import renamed
from crmkit.display import ResultRow
from crmkit.errors import NotFoundError, ValidationError
from crmkit.frames import (
    Agg,
    Aggregation,
    FrameT,
    Records,
    RecordT,
    Share,
    SupportsToNative,
    collect,
    column_types,
    day_number,
    day_number_expr,
    from_native,
    in_utc,
    is_frame,
    narwhals,
    read_field,
    require_columns,
    seconds_between_expr,
    to_native,
    utc_date,
    with_year_month,
)
from crmkit.scoring._period import period_label, period_label_expr

__all__ = [
    "LostReason",
    "PipelineTotal",
    "StageConversion",
    "StageInfo",
    "StageTime",
    "Velocity",
    "customers_per_stage",
    "lost_reasons",
    "sales_velocity",
    "stage_change_rows",
    "stage_conversion",
    "stage_table",
    "time_in_stage",
    "velocity",
    "weighted_pipeline",
    "win_back",
    "win_rate",
]


@attrs.frozen
class StageInfo:
    """What the analytics need to know about a stage.

    Examples:
        >>> from crmkit.scoring import StageInfo
        >>> StageInfo("won", 9, True, True, "closed").is_lost
        False
    """

    key: str
    order: int
    is_closed: bool
    is_won: bool
    forecast_category: str | None = None

    @property
    def is_lost(self) -> bool:
        """Closed and not won.

        Examples:
            >>> from crmkit.scoring import StageInfo
            >>> StageInfo("lost", 9, True, False).is_lost
            True
        """
        return self.is_closed and not self.is_won


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def stage_table(pipeline: Any) -> dict[str, StageInfo]:
    """``{stage key: StageInfo}`` from a crmkit ``Pipeline`` or a sequence of stages.

    Examples:
        >>> from crmkit.scoring import stage_table
        >>> stage_table([{"key": "a", "order": 1, "is_closed": False, "is_won": False}])["a"].order
        1
    """
    stages = _get(pipeline, "stages", pipeline)
    out: dict[str, StageInfo] = {}
    for i, stage in enumerate(stages):
        key = _get(stage, "key")
        if not isinstance(key, str) or not key:
            raise ValidationError.single(f"pipeline.stages[{i}].key", key, "must be a stage key")
        category = _get(stage, "forecast_category")
        category = getattr(category, "value", category)
        out[key] = StageInfo(
            key=key,
            order=int(_get(stage, "order", i)),
            is_closed=bool(_get(stage, "is_closed", False)),
            is_won=bool(_get(stage, "is_won", False)),
            forecast_category=None if category is None else str(category),
        )
    return out


def _stage_of(stages: Mapping[str, StageInfo], key: Any) -> StageInfo:
    try:
        return stages[key]
    except KeyError:
        raise NotFoundError(
            f"stage_key: {key!r} is not a stage of the pipeline; known stages are {sorted(stages)}"
        ) from None


def _read(row: Any, name: str, what: str) -> Any:
    """Field ``name`` of one record (dotted paths, custom fields, amounts as floats), errors
    prefixed with ``what``."""
    return read_field(row, name, what=what, paths=True, custom=True, floats=True)


def _stage_at(stages: Mapping[str, StageInfo], opp: Any, stage: str, i: int) -> StageInfo:
    """The stage of ``opportunities[i]``, read from its field ``stage``."""
    return _stage_of(stages, _read(opp, stage, f"opportunities[{i}]"))


def _check_stages_frame(frame: Any, stages: Mapping[str, StageInfo], stage: str) -> None:
    nw = narwhals()
    unknown = (
        frame.select(nw.col(stage))
        .filter(~nw.col(stage).is_in(list(stages)) | nw.col(stage).is_null())
        .unique()
        .head(3)
    )
    unknown = collect(unknown)
    bad = unknown[stage].to_list()
    if bad:
        raise NotFoundError(
            f"{stage}: {bad[0]!r} is not a stage of the pipeline; known stages are {sorted(stages)}"
        )


def _check_probability(value: Any, path: str) -> float:
    if value is None:
        raise ValidationError.single(path, value, "is empty; an open opportunity needs one")
    number = float(value)
    if not 0.0 <= number <= 1.0:
        raise ValidationError.single(path, value, "must be between 0 and 1")
    return number


def _period_key(value: Any, period: str, path: str) -> str:
    if not isinstance(value, date):
        raise ValidationError.single(path, value, "must be a date")
    value = utc_date(value)  # an aware datetime counts by its UTC calendar day
    return period_label(value.year, value.month, period)


_PERIODS = ("month", "quarter", "year")


@attrs.frozen
class PipelineTotal(ResultRow):
    """Open pipeline of one group: number of deals, amount and amount × probability.

    Examples:
        >>> from crmkit.scoring import PipelineTotal
        >>> PipelineTotal("proposal", 2, 300.0, 150.0).weighted_amount
        150.0
    """

    key: str | None
    count: int
    amount: float
    weighted_amount: float


@overload
def weighted_pipeline(
    opportunities: SupportsToNative[FrameT],
    *,
    pipeline: Any = ...,
    by: str = ...,
    period: str = ...,
    stage: str = ...,
    amount: str = ...,
    probability: str = ...,
    close_date: str = ...,
    include_closed: bool = ...,
) -> FrameT: ...
@overload
def weighted_pipeline(
    opportunities: FrameT,
    *,
    pipeline: Any = ...,
    by: str = ...,
    period: str = ...,
    stage: str = ...,
    amount: str = ...,
    probability: str = ...,
    close_date: str = ...,
    include_closed: bool = ...,
) -> FrameT: ...
@overload
def weighted_pipeline(
    opportunities: Records,
    *,
    pipeline: Any = ...,
    by: str = ...,
    period: str = ...,
    stage: str = ...,
    amount: str = ...,
    probability: str = ...,
    close_date: str = ...,
    include_closed: bool = ...,
) -> list[PipelineTotal]: ...


def weighted_pipeline(
    opportunities: Any,
    *,
    pipeline: Any = None,
    by: str = "stage_key",
    period: str = "month",
    stage: str = "stage_key",
    amount: str = "amount",
    probability: str = "probability",
    close_date: str = "close_date",
    include_closed: bool = False,
) -> Any:
    """Weighted pipeline (amount × probability) of open deals, grouped.

    ``by`` is a column (``"stage_key"``, ``"owner_id"`` …), ``"forecast_category"`` (from
    the pipeline's stages) or ``"period"`` (the close date's ``period``: month ``2025-03``,
    quarter ``2025-Q1`` or year). Closed deals are left out unless ``include_closed``; this
    needs the pipeline. Rows are sorted by key. A probability outside [0, 1] is an error.

    Examples:
        >>> import polars as pl
        >>> from datetime import date
        >>> from crmkit.scoring import weighted_pipeline
        >>> df = pl.DataFrame({"stage_key": ["a", "a"], "amount": [100.0, 50.0],
        ...                    "probability": [0.5, 0.1],
        ...                    "close_date": [date(2025, 1, 5), date(2025, 4, 1)]})
        >>> weighted_pipeline(df, by="period", period="quarter").rows()
        [('2025-Q1', 1, 100.0, 50.0), ('2025-Q2', 1, 50.0, 5.0)]
    """
    if period not in _PERIODS:
        raise ValidationError.single("period", period, f"must be one of {list(_PERIODS)}")
    stages = stage_table(pipeline) if pipeline is not None else None
    if by == "forecast_category" and stages is None:
        raise ValidationError.single("pipeline", None, "is needed to group by forecast category")
    if is_frame(opportunities):
        return to_native(
            _weighted_frame(
                from_native(opportunities), stages, by, period, stage, amount, probability,
                close_date, include_closed,
            )
        )  # fmt: skip
    groups: dict[str | None, tuple[list[float], list[float]]] = defaultdict(lambda: ([], []))
    currencies: set[str] = set()
    for i, opp in enumerate(opportunities):
        key_value = _read(opp, stage, f"opportunities[{i}]")
        info = _stage_of(stages, key_value) if stages is not None else None
        if info is not None and info.is_closed and not include_closed:
            continue
        raw_amount = _get(opp, amount)
        currency = getattr(raw_amount, "currency", None)
        if currency is not None:
            currencies.add(currency)
        value = _read(opp, amount, f"opportunities[{i}]")
        p = _check_probability(
            _read(opp, probability, f"opportunities[{i}]"),
            f"opportunities[{i}].{probability}",
        )
        if by == "forecast_category":
            assert info is not None
            key = info.forecast_category
        elif by == "period":
            key = _period_key(
                _read(opp, close_date, f"opportunities[{i}]"),
                period,
                f"opportunities[{i}].{close_date}",
            )
        else:
            raw = _read(opp, by, f"opportunities[{i}]")
            key = None if raw is None else str(raw)
        number = float(value)
        amounts, weighted = groups[key]
        amounts.append(number)
        weighted.append(number * p)
    if len(currencies) > 1:
        raise ValidationError.single(
            f"opportunities.{amount}.currency",
            sorted(currencies),
            "mixes currencies; convert first",
        )
    totals = _WEIGHTED.columns(groups)
    return [
        PipelineTotal(k, c["count"], c["amount"], c["weighted_amount"])
        for k, c in sorted(totals.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
    ]


# The weighted pipeline per group: deals, amount and amount × probability (both floats).
_WEIGHTED = Aggregation(
    ("__key",),
    (
        Agg("count", "len"),
        Agg("amount", "sum", "__amount"),
        Agg("weighted_amount", "sum", "__weighted"),
    ),
)


def _weighted_frame(
    frame: Any,
    stages: Mapping[str, StageInfo] | None,
    by: str,
    period: str,
    stage: str,
    amount: str,
    probability: str,
    close_date: str,
    include_closed: bool,
) -> Any:
    nw = narwhals()
    needed = [stage, amount, probability]
    if by == "period":
        needed.append(close_date)
    elif by != "forecast_category":
        needed.append(by)
    require_columns(frame, needed, what="opportunities")
    p = nw.col(probability)
    bad = frame.filter((p < 0) | (p > 1)).select(p).head(1)
    bad = collect(bad)
    if len(bad):
        raise ValidationError.single(
            f"opportunities.{probability}", bad[probability][0], "must be between 0 and 1"
        )
    if stages is not None:
        _check_stages_frame(frame, stages, stage)
        if not include_closed:
            open_keys = [k for k, s in stages.items() if not s.is_closed]
            frame = frame.filter(nw.col(stage).is_in(open_keys))
    if by == "forecast_category":
        assert stages is not None
        keys = list(stages)
        cats = [stages[k].forecast_category for k in keys]
        key_expr = nw.col(stage).replace_strict(keys, cats, default=None, return_dtype=nw.String())
    elif by == "period":
        schema = column_types(frame)
        if not (isinstance(schema[close_date], nw.Datetime) or schema[close_date] == nw.Date):
            raise ValidationError.single(
                f"opportunities.{close_date}", str(schema[close_date]), "must be a date column"
            )
        frame, schema = in_utc(frame, [close_date], schema)  # aware: the UTC calendar day
        day = day_number_expr(nw.col(close_date), schema[close_date], frame.implementation)
        frame = with_year_month(frame.with_columns(day.alias("__day")), "__day", "__y", "__m")
        key_expr = period_label_expr(nw.col("__y"), nw.col("__m"), period)
    else:
        key_expr = nw.col(by).cast(nw.String())
    amount_f = nw.col(amount).cast(nw.Float64())
    columns = frame.with_columns(
        key_expr.alias("__key"),
        amount_f.alias("__amount"),
        (amount_f * p.cast(nw.Float64())).alias("__weighted"),
    )
    return _WEIGHTED.frame(columns).rename({"__key": "key"}).sort("key", nulls_last=True)


def _closed_counts(opportunities: Any, pipeline: Any, stage: str) -> tuple[int, int]:
    stages = stage_table(pipeline)
    if is_frame(opportunities):
        nw = narwhals()
        frame = from_native(opportunities)
        require_columns(frame, [stage], what="opportunities")
        _check_stages_frame(frame, stages, stage)
        won_keys = [k for k, s in stages.items() if s.is_won]
        lost_keys = [k for k, s in stages.items() if s.is_lost]
        counts = frame.select(
            nw.col(stage).is_in(won_keys).cast(nw.Int64()).sum().alias("won"),
            nw.col(stage).is_in(lost_keys).cast(nw.Int64()).sum().alias("lost"),
        )
        counts = collect(counts)
        return int(counts["won"][0] or 0), int(counts["lost"][0] or 0)
    won = lost = 0
    for i, opp in enumerate(opportunities):
        info = _stage_at(stages, opp, stage, i)
        won += info.is_won
        lost += info.is_lost
    return won, lost


def win_rate(opportunities: Any, *, pipeline: Any, stage: str = "stage_key") -> float:
    """Won ÷ closed (won + lost); ``nan`` when nothing is closed yet.

    Examples:
        >>> from crmkit.scoring import win_rate
        >>> stages = [{"key": "won", "order": 1, "is_closed": True, "is_won": True},
        ...           {"key": "lost", "order": 2, "is_closed": True, "is_won": False}]
        >>> win_rate([{"stage_key": "won"}] + [{"stage_key": "lost"}] * 3, pipeline=stages)
        0.25
    """
    won, lost = _closed_counts(opportunities, pipeline, stage)
    if won + lost == 0:
        return float("nan")
    return won / (won + lost)


@attrs.frozen
class LostReason(ResultRow):
    """A lost reason with how many deals it lost and its share of the lost deals.

    Examples:
        >>> from crmkit.scoring import LostReason
        >>> LostReason("price", 3, 0.75).share
        0.75
    """

    reason: str | None
    count: int
    share: float


@overload
def lost_reasons(
    opportunities: SupportsToNative[FrameT],
    *,
    pipeline: Any = ...,
    stage: str = ...,
    reason: str = ...,
) -> FrameT: ...
@overload
def lost_reasons(
    opportunities: FrameT, *, pipeline: Any = ..., stage: str = ..., reason: str = ...
) -> FrameT: ...
@overload
def lost_reasons(
    opportunities: Records, *, pipeline: Any = ..., stage: str = ..., reason: str = ...
) -> list[LostReason]: ...


def lost_reasons(
    opportunities: Any,
    *,
    pipeline: Any = None,
    stage: str = "stage_key",
    reason: str = "lost_reason",
) -> Any:
    """Rank lost reasons, most frequent first (ties by name); seed 001's loss learning.

    With a pipeline only deals in lost stages count; without one, every row with a reason.

    Examples:
        >>> from crmkit.scoring import lost_reasons
        >>> lost_reasons([{"lost_reason": "price"}, {"lost_reason": "timing"},
        ...               {"lost_reason": "price"}, {"lost_reason": None}])
        [LostReason(reason='price', count=2, share=0.6666666666666666), LostReason(reason='timing', count=1, share=0.3333333333333333)]
    """
    stages = stage_table(pipeline) if pipeline is not None else None
    if is_frame(opportunities):
        nw = narwhals()
        frame = from_native(opportunities)
        require_columns(frame, [reason] + ([stage] if stages else []), what="opportunities")
        if stages is not None:
            _check_stages_frame(frame, stages, stage)
            frame = frame.filter(nw.col(stage).is_in([k for k, s in stages.items() if s.is_lost]))
        frame = frame.filter(~nw.col(reason).is_null())
        out = (
            _reasons(reason)
            .frame(frame)
            .rename({reason: "reason"})
            .sort(["count", "reason"], descending=[True, False])
        )
        return to_native(out)
    counts: dict[str, tuple[list[None]]] = defaultdict(lambda: ([],))
    for i, opp in enumerate(opportunities):
        if stages is not None:
            info = _stage_at(stages, opp, stage, i)
            if not info.is_lost:
                continue
        value = _read(opp, reason, f"opportunities[{i}]")
        if value is not None:
            counts[str(value)][0].append(None)
    ranked = sorted(
        _reasons(reason).columns(counts).items(), key=lambda kv: (-kv[1]["count"], kv[0])
    )
    return [LostReason(r, c["count"], c["share"]) for r, c in ranked]


def _reasons(reason: str) -> Aggregation:
    """Deals per lost reason and their share of the deals with a reason."""
    return Aggregation((reason,), (Agg("count", "len"),), (Share("share", "count"),))


@overload
def win_back(
    opportunities: SupportsToNative[FrameT],
    reason: str | Iterable[str],
    *,
    pipeline: Any = ...,
    stage: str = ...,
    reason_field: str = ...,
) -> FrameT: ...
@overload
def win_back(
    opportunities: FrameT,
    reason: str | Iterable[str],
    *,
    pipeline: Any = ...,
    stage: str = ...,
    reason_field: str = ...,
) -> FrameT: ...
@overload
def win_back(
    opportunities: Iterable[RecordT],
    reason: str | Iterable[str],
    *,
    pipeline: Any = ...,
    stage: str = ...,
    reason_field: str = ...,
) -> list[RecordT]: ...


def win_back(
    opportunities: Any,
    reason: str | Iterable[str],
    *,
    pipeline: Any = None,
    stage: str = "stage_key",
    reason_field: str = "lost_reason",
) -> Any:
    """The win-back segment: lost deals (or leads) whose reason is ``reason`` (seed 001 L532 —
    fix the problem, then contact the lost segment).

    Records give the matching records; a frame gives the filtered frame.

    Examples:
        >>> from crmkit.scoring import win_back
        >>> win_back([{"id": 1, "lost_reason": "price"}, {"id": 2, "lost_reason": "timing"}],
        ...          "price")
        [{'id': 1, 'lost_reason': 'price'}]
    """
    wanted = [reason] if isinstance(reason, str) else list(reason)
    stages = stage_table(pipeline) if pipeline is not None else None
    if is_frame(opportunities):
        nw = narwhals()
        frame = from_native(opportunities)
        require_columns(frame, [reason_field] + ([stage] if stages else []), what="records")
        condition = nw.col(reason_field).is_in(wanted)
        if stages is not None:
            _check_stages_frame(frame, stages, stage)
            lost_keys = [k for k, s in stages.items() if s.is_lost]
            condition = condition & nw.col(stage).is_in(lost_keys)
        return to_native(frame.filter(condition))
    out = []
    for i, opp in enumerate(opportunities):
        if _read(opp, reason_field, f"records[{i}]") not in wanted:
            continue
        if (
            stages is not None
            and not _stage_of(
                stages,
                _read(opp, stage, f"records[{i}]"),
            ).is_lost
        ):
            continue
        out.append(opp)
    return out


@overload
def customers_per_stage(
    opportunities: SupportsToNative[FrameT],
    *,
    pipeline: Any = ...,
    stage: str = ...,
    customer: str = ...,
) -> FrameT: ...
@overload
def customers_per_stage(
    opportunities: FrameT, *, pipeline: Any = ..., stage: str = ..., customer: str = ...
) -> FrameT: ...
@overload
def customers_per_stage(
    opportunities: Records, *, pipeline: Any = ..., stage: str = ..., customer: str = ...
) -> list[tuple[Any, int]]: ...


@renamed(account="customer")
def customers_per_stage(
    opportunities: Any,
    *,
    pipeline: Any = None,
    stage: str = "stage_key",
    customer: str = "account_id",
) -> Any:
    """Distinct customers (accounts) per stage — seed 000's "number of customers in phase
    three". With a pipeline the rows follow stage order (stages without customers give 0);
    without one, stage keys in alphabetical order.

    Examples:
        >>> from crmkit.scoring import customers_per_stage
        >>> customers_per_stage([{"stage_key": "a", "account_id": "x"},
        ...                      {"stage_key": "a", "account_id": "x"},
        ...                      {"stage_key": "b", "account_id": "y"}])
        [('a', 1), ('b', 1)]
    """
    stages = stage_table(pipeline) if pipeline is not None else None
    if is_frame(opportunities):
        nw = narwhals()
        frame = from_native(opportunities)
        require_columns(frame, [stage, customer], what="opportunities")
        if stages is not None:
            _check_stages_frame(frame, stages, stage)
        out = _customers(stage, customer).frame(frame).rename({stage: "stage_key"})
        if stages is not None:
            keys = list(stages)
            orders = [stages[k].order for k in keys]
            out = (
                out.with_columns(
                    nw.col("stage_key").replace_strict(keys, orders, default=None, return_dtype=nw.Int64())
                    .alias("__order")
                )
                .sort("__order")
                .drop("__order")
            )  # fmt: skip
        else:
            out = out.sort("stage_key")
        return to_native(out)
    customers: dict[str, tuple[list[Any]]] = defaultdict(lambda: ([],))
    for i, opp in enumerate(opportunities):
        key = _read(opp, stage, f"opportunities[{i}]")
        if stages is not None:
            _stage_of(stages, key)
        customers[key][0].append(_read(opp, customer, f"opportunities[{i}]"))
    seen = {k: v["customers"] for k, v in _customers(stage, customer).columns(customers).items()}
    if stages is not None:
        ordered = sorted(stages.values(), key=lambda s: s.order)
        return [(s.key, seen.get(s.key, 0)) for s in ordered]
    return sorted(seen.items())


def _customers(stage: str, customer: str) -> Aggregation:
    """Distinct customers per stage (a missing customer counts as one, as on frames)."""
    return Aggregation((stage,), (Agg("customers", "n_unique", customer),))


@attrs.frozen
class StageConversion(ResultRow):
    """How many deals reached a stage and what share of them went further.

    Examples:
        >>> from crmkit.scoring import StageConversion
        >>> StageConversion("qualify", 10, 4, 0.4).rate
        0.4
    """

    stage: str
    reached: int
    advanced: int
    rate: float


def stage_conversion(changes: Any, *, pipeline: Any) -> list[StageConversion]:
    """Stage-to-stage conversion from stage changes (``opportunity_id``, ``stage_key``).

    A deal *reached* every open stage up to the furthest one in its history (a won deal all
    of them, as it went through the whole pipeline); it *advanced* from a stage when it
    reached a later one or was won. Records and frames give the same rows; use
    :func:`crmkit.scoring.stage_change_rows` to get changes from opportunities.

    Examples:
        >>> from crmkit.scoring import stage_conversion
        >>> stages = [{"key": k, "order": i, "is_closed": k in ("won", "lost"),
        ...            "is_won": k == "won"} for i, k in enumerate(["a", "b", "won", "lost"])]
        >>> changes = [{"opportunity_id": 1, "stage_key": "a"},
        ...            {"opportunity_id": 1, "stage_key": "b"},
        ...            {"opportunity_id": 1, "stage_key": "won"},
        ...            {"opportunity_id": 2, "stage_key": "a"},
        ...            {"opportunity_id": 2, "stage_key": "lost"}]
        >>> [(c.stage, c.reached, c.advanced) for c in stage_conversion(changes, pipeline=stages)]
        [('a', 2, 1), ('b', 1, 1)]
    """
    stages = stage_table(pipeline)
    open_stages = sorted((s for s in stages.values() if not s.is_closed), key=lambda s: s.order)
    rank = {s.key: i for i, s in enumerate(open_stages)}
    top = len(open_stages)
    for s in stages.values():
        if s.is_won:
            rank[s.key] = top
    furthest: list[int]
    if is_frame(changes):
        nw = narwhals()
        frame = from_native(changes)
        require_columns(frame, ["opportunity_id", "stage_key"], what="changes")
        _check_stages_frame(frame, stages, "stage_key")
        keys = list(rank)
        per = (
            frame.filter(nw.col("stage_key").is_in(keys))
            .with_columns(
                nw.col("stage_key").replace_strict(keys, [rank[k] for k in keys], default=None,
                                                   return_dtype=nw.Int64()).alias("__rank")
            )
            .group_by("opportunity_id")
            .agg(nw.col("__rank").max())
            .group_by("__rank")
            .agg(nw.len().alias("n"))
        )  # fmt: skip
        per = collect(per)
        histogram = dict(zip(per["__rank"].to_list(), per["n"].to_list(), strict=True))
    else:
        best: dict[Any, int] = {}
        for i, change in enumerate(changes):
            key = _read(change, "stage_key", f"changes[{i}]")
            _stage_of(stages, key)
            opp = _read(change, "opportunity_id", f"changes[{i}]")
            if key in rank:
                best[opp] = max(best.get(opp, -1), rank[key])
        histogram = defaultdict(int)
        for r in best.values():
            histogram[r] += 1
    furthest = [0] * (top + 1)
    for r, n in histogram.items():
        furthest[int(r)] += int(n)
    out: list[StageConversion] = []
    for i, s in enumerate(open_stages):
        reached = sum(furthest[i:])
        advanced = sum(furthest[i + 1 :])
        out.append(
            StageConversion(s.key, reached, advanced, advanced / reached if reached else 0.0)
        )
    return out


@attrs.frozen
class StageTime(ResultRow):
    """Average days deals spent in a stage (completed stays only) and how many stays.

    Examples:
        >>> from crmkit.scoring import StageTime
        >>> StageTime("a", 3, 2.5).average_days
        2.5
    """

    stage: str
    stays: int
    average_days: float


def _with_next_change(frame: Any) -> Any:
    """The stage changes that have a next change of the same deal, with its time ``__next``.

    A window per deal in time order (``shift(-1)``). Engines without an ordered window per
    group (Dask, PyArrow) join each change with the later changes of its deal and keep the
    earliest instead (deals have a handful of changes, with distinct times).
    """
    nw = narwhals()
    nxt = nw.col("entered_at").shift(-1).over("opportunity_id", order_by="entered_at")
    try:
        return frame.with_columns(nxt.alias("__next")).filter(~nw.col("__next").is_null())
    except NotImplementedError:  # no ordered window per group: a self-join per deal
        pass
    later = frame.select("opportunity_id", nw.col("entered_at").alias("__next"))
    nexts = (
        frame.select("opportunity_id", "entered_at")
        .join(later, on="opportunity_id", how="inner")
        .filter(nw.col("__next") > nw.col("entered_at"))
        .group_by("opportunity_id", "entered_at")
        .agg(nw.col("__next").min())
    )
    return frame.join(nexts, on=["opportunity_id", "entered_at"], how="inner")


@overload
def time_in_stage(changes: SupportsToNative[FrameT]) -> FrameT: ...
@overload
def time_in_stage(changes: FrameT) -> FrameT: ...
@overload
def time_in_stage(changes: Records) -> list[StageTime]: ...


def time_in_stage(changes: Any) -> Any:
    """Average time in stage from stage changes (``opportunity_id``, ``stage_key``,
    ``entered_at``): a stay lasts until the deal's next change; the current stage of an open
    deal has no end yet and is not counted. Rows sorted by stage key.

    Examples:
        >>> from datetime import datetime, UTC
        >>> from crmkit.scoring import time_in_stage
        >>> d = lambda day: datetime(2025, 1, day, tzinfo=UTC)
        >>> time_in_stage([{"opportunity_id": 1, "stage_key": "a", "entered_at": d(1)},
        ...                {"opportunity_id": 1, "stage_key": "b", "entered_at": d(4)},
        ...                {"opportunity_id": 2, "stage_key": "a", "entered_at": d(1)},
        ...                {"opportunity_id": 2, "stage_key": "b", "entered_at": d(2)}])
        [StageTime(stage='a', stays=2, average_days=2.0)]
    """
    if is_frame(changes):
        nw = narwhals()
        frame = from_native(changes)
        require_columns(frame, ["opportunity_id", "stage_key", "entered_at"], what="changes")
        implementation = frame.implementation
        out = (
            _with_next_change(frame)
            .with_columns(
                (
                    seconds_between_expr(nw.col("entered_at"), nw.col("__next"), implementation)
                    / 86400.0
                ).alias("__days")
            )
            .pipe(_STAYS.frame)
            .rename({"stage_key": "stage"})
            .sort("stage")
        )
        return to_native(out)
    per_opp: dict[Any, list[tuple[datetime, str]]] = defaultdict(list)
    for i, change in enumerate(changes):
        at = _read(change, "entered_at", f"changes[{i}]")
        if not isinstance(at, datetime):
            raise ValidationError.single(f"changes[{i}].entered_at", at, "must be a datetime")
        per_opp[_read(change, "opportunity_id", f"changes[{i}]")].append(
            (
                at,
                _read(change, "stage_key", f"changes[{i}]"),
            )
        )
    days: dict[str, tuple[list[float]]] = defaultdict(lambda: ([],))
    for rows in per_opp.values():
        rows.sort(key=lambda r: r[0])
        for (start, key), (end, _) in itertools.pairwise(rows):
            days[key][0].append((end - start).total_seconds() / 86400.0)
    stays = _STAYS.columns(days)
    return [StageTime(k, v["stays"], v["average_days"]) for k, v in sorted(stays.items())]


# Stays per stage and their average length in days.
_STAYS = Aggregation(("stage_key",), (Agg("stays", "len"), Agg("average_days", "mean", "__days")))


def sales_velocity(
    open_deals: float, win_rate: float, average_deal: float, cycle_days: float
) -> float:
    """Sales velocity: open deals × win rate × average deal size ÷ cycle length (value per day).

    Examples:
        >>> from crmkit.scoring import sales_velocity
        >>> sales_velocity(40, 0.25, 10_000, 50)
        2000.0
    """
    if not 0.0 <= win_rate <= 1.0:
        raise ValidationError.single("win_rate", win_rate, "must be between 0 and 1")
    if cycle_days <= 0:
        raise ValidationError.single("cycle_days", cycle_days, "must be greater than zero")
    if open_deals < 0 or average_deal < 0:
        raise ValidationError.single(
            "open_deals" if open_deals < 0 else "average_deal",
            min(open_deals, average_deal),
            "must be zero or more",
        )
    return float(open_deals * win_rate * average_deal / cycle_days)


@attrs.frozen
class Velocity(ResultRow):
    """The inputs and result of sales velocity measured on a set of opportunities.

    Examples:
        >>> from crmkit.scoring import Velocity
        >>> Velocity(10, 0.5, 100.0, 20.0).per_day
        25.0
    """

    open_deals: int
    win_rate: float
    average_deal: float
    cycle_days: float

    @property
    def per_day(self) -> float:
        """Expected won value per day.

        Examples:
            >>> from crmkit.scoring import Velocity
            >>> Velocity(0, 0.5, 100.0, 20.0).per_day
            0.0
        """
        return sales_velocity(self.open_deals, self.win_rate, self.average_deal, self.cycle_days)


@renamed(closed="close_date")
def velocity(
    opportunities: Sequence[Any],
    *,
    pipeline: Any,
    stage: str = "stage_key",
    amount: str = "amount",
    created: str = "created_at",
    close_date: str = "close_date",
) -> Velocity:
    """Measure sales velocity on records: open deals, win rate, average won amount and the
    average cycle of won deals (days from ``created`` to ``close_date``).

    Days are calendar days: a datetime counts by its UTC calendar day (the time rule of the
    docs page *Time and boundaries*, ``docs/concepts/time-and-boundaries.md``), whatever its
    time zone.

    Examples:
        >>> from datetime import date, datetime, UTC
        >>> from crmkit.scoring import velocity
        >>> stages = [{"key": "open", "order": 1, "is_closed": False, "is_won": False},
        ...           {"key": "won", "order": 2, "is_closed": True, "is_won": True},
        ...           {"key": "lost", "order": 3, "is_closed": True, "is_won": False}]
        >>> start = datetime(2025, 1, 1, tzinfo=UTC)
        >>> opps = [{"stage_key": "won", "amount": 100.0, "created_at": start,
        ...          "close_date": date(2025, 1, 31)},
        ...         {"stage_key": "lost", "amount": 50.0, "created_at": start,
        ...          "close_date": date(2025, 1, 11)},
        ...         {"stage_key": "open", "amount": 70.0, "created_at": start,
        ...          "close_date": date(2025, 3, 1)}]
        >>> v = velocity(opps, pipeline=stages)
        >>> v, round(v.per_day, 4)
        (Velocity(open_deals=1, win_rate=0.5, average_deal=100.0, cycle_days=30.0), 1.6667)
    """
    stages = stage_table(pipeline)
    open_deals = won = lost = 0
    won_amount = 0.0
    cycle = 0.0
    for i, opp in enumerate(opportunities):
        info = _stage_at(stages, opp, stage, i)
        if not info.is_closed:
            open_deals += 1
            continue
        if not info.is_won:
            lost += 1
            continue
        won += 1
        won_amount += float(_read(opp, amount, f"opportunities[{i}]"))
        start = _read(opp, created, f"opportunities[{i}]")
        end = _read(opp, close_date, f"opportunities[{i}]")
        cycle += _day_of(end, f"opportunities[{i}].{close_date}") - _day_of(
            start, f"opportunities[{i}].{created}"
        )
    if won == 0:
        raise ValidationError.single(
            "opportunities", f"{won} won / {lost} lost", "needs at least one won deal"
        )
    return Velocity(open_deals, won / (won + lost), won_amount / won, max(cycle / won, 1.0))


def _day_of(value: Any, path: str) -> int:
    """The day number of a date or datetime (aware datetimes: their UTC calendar day)."""
    if not isinstance(value, date):
        raise ValidationError.single(path, value, "must be a date or datetime")
    return day_number(value)


def stage_change_rows(opportunities: Iterable[Any]) -> list[dict[str, Any]]:
    """Flatten crmkit opportunities' stage histories into stage-change rows
    (``opportunity_id``, ``stage_key``, ``entered_at``) for :func:`stage_conversion` and
    :func:`time_in_stage` (or to build a frame from).

    Examples:
        >>> from datetime import date, datetime, UTC
        >>> from crmkit.domain import Money, Opportunity, default_pipeline
        >>> from crmkit.scoring import stage_change_rows
        >>> pipe = default_pipeline()
        >>> opp = Opportunity.open("D", account_id="a", amount=Money("1", "SEK"),
        ...                        close_date=date(2025, 2, 1), pipeline=pipe,
        ...                        at=datetime(2025, 1, 1, tzinfo=UTC), id="opp-1")
        >>> opp.move_to("proposal", pipeline=pipe, at=datetime(2025, 1, 5, tzinfo=UTC))
        >>> [(r["stage_key"], r["entered_at"].day) for r in stage_change_rows([opp])]
        [('prospecting', 1), ('proposal', 5)]
    """
    return [
        {"opportunity_id": opp.id, "stage_key": change.to_stage, "entered_at": change.at}
        for opp in opportunities
        for change in opp.stage_history
    ]
