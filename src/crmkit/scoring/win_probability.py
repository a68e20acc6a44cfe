"""Learned win probability: naive Bayes over won/lost frequencies, in the manner of Odoo.

The recipe follows Odoo's predictive lead scoring (``references: anchors.md`` A.3), re-derived
rather than copied:

1. Fit on *closed* opportunities. For every variable — the stage and the team are always
   used, plus the fields you choose — count how many won and how many lost opportunities had
   each value, and add the additive smoothing ``0.1`` to every count so that an unseen
   combination never multiplies the product by zero.
2. The stage is special: an opportunity counts in every stage it went through. A won one went
   through every open stage; a lost one through the stages up to the one it was lost in. The
   stage shares are therefore divided by the number of won (lost) opportunities, not by the sum
   over stages, so the first stage has share 1.
3. For an open opportunity, ``S_won = P(won) · Π P(value | won)`` and
   ``S_lost = P(lost) · Π P(value | lost)`` over the variables whose value was seen in
   training (an unseen value is skipped, as Odoo does), and the probability is
   ``S_won / (S_won + S_lost)``.
4. The result is clamped to ``[0.0001, 0.9999]`` (Odoo's 0.01 %–99.99 %), so a computed
   probability can never be mistaken for a won (1) or lost (0) deal. A deal in a closed stage
   gets exactly 1 or 0.

Probabilities are fractions in ``[0, 1]``. :meth:`WinProbabilityModel.explain` breaks a
prediction down per field (the likelihood ratio each value contributes).

Examples:
    >>> from crmkit.scoring import WinProbabilityModel
    >>> history = [
    ...     {"stage_key": "proposal", "team": "north", "won": True},
    ...     {"stage_key": "qualify", "team": "north", "won": False},
    ...     {"stage_key": "proposal", "team": "south", "won": False},
    ...     {"stage_key": "proposal", "team": "north", "won": True},
    ... ]
    >>> model = WinProbabilityModel.fit(history, stages=["qualify", "proposal"])
    >>> round(model.predict_one({"stage_key": "proposal", "team": "north"}), 4)
    0.7847
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, overload

import attrs

from crmkit.display import ResultRow
from crmkit.errors import NotFoundError, Problem, ValidationError
from crmkit.frames import (
    FrameT,
    Records,
    SupportsToNative,
    collect,
    from_native,
    is_frame,
    narwhals,
    read_field,
    require_columns,
    to_native,
)

__all__ = [
    "FieldContribution",
    "WinProbability",
    "WinProbabilityModel",
    "closed_opportunity_rows",
    "fill_automated_probability",
    "fit_opportunities",
]

#: Odoo's clamp: 0.01 % and 99.99 %, as fractions.
DEFAULT_BOUNDS: tuple[float, float] = (0.0001, 0.9999)


@attrs.frozen
class FieldContribution(ResultRow):
    """How one field's value moved a prediction.

    ``won_share`` is P(value | won) and ``lost_share`` P(value | lost) (both smoothed).
    ``ratio`` above 1 pushes the probability up. ``used`` is False when the value was never
    seen in training (or is empty) and the field was skipped.

    Examples:
        >>> from crmkit.scoring import FieldContribution
        >>> FieldContribution("team", "north", 0.5, 0.25, True).ratio
        2.0
    """

    field: str
    value: Any
    won_share: float
    lost_share: float
    used: bool

    @property
    def ratio(self) -> float:
        """The likelihood ratio ``won_share / lost_share`` (1.0 when the field was skipped).

        Examples:
            >>> from crmkit.scoring import FieldContribution
            >>> FieldContribution("team", None, 1.0, 1.0, False).ratio
            1.0
        """
        if not self.used:
            return 1.0
        return self.won_share / self.lost_share


@attrs.frozen
class WinProbability(ResultRow):
    """A prediction with its explanation.

    Examples:
        >>> from crmkit.scoring import WinProbability
        >>> WinProbability(0.75, 0.5, ()).percent
        75.0
    """

    probability: float
    prior: float
    contributions: tuple[FieldContribution, ...]
    closed: bool = False

    @property
    def percent(self) -> float:
        """The probability in percent, rounded to two decimals as CRMs show it.

        Examples:
            >>> from crmkit.scoring import WinProbability
            >>> WinProbability(0.123456, 0.5, ()).percent
            12.35
        """
        return round(self.probability * 100, 2)


def _check_bounds(_: Any, attribute: attrs.Attribute[Any], value: tuple[float, float]) -> None:
    low, high = value
    if not (0.0 <= low < high <= 1.0):
        raise ValidationError.single(
            attribute.name, value, "must be two probabilities 0 <= low < high <= 1"
        )


def _check_smoothing(_: Any, attribute: attrs.Attribute[Any], value: float) -> None:
    if not value > 0:
        raise ValidationError.single(attribute.name, value, "must be greater than zero")


def _freeze_table(
    table: Mapping[str, Mapping[Any, tuple[float, float]]],
) -> dict[str, dict[Any, tuple[float, float]]]:
    return {field: dict(values) for field, values in table.items()}


@attrs.frozen
class WinProbabilityModel:
    """A fitted naive-Bayes win-probability model (build it with :meth:`fit`).

    Attributes:
        stage_field: the field holding the stage key.
        team_field: the field holding the sales team (or owner); always used.
        fields: the extra fields used.
        stages: the open stages in pipeline order (empty when fitted without an order).
        won_stages / lost_stages: closed stage keys (predict exactly 1 / 0).
        n_won / n_lost: the number of won / lost training opportunities.
        counts: ``{field: {value: (won_count, lost_count)}}`` before smoothing.
        smoothing: added to every count (Odoo: 0.1).
        bounds: the clamp of computed probabilities.

    Examples:
        >>> from crmkit.scoring import WinProbabilityModel
        >>> model = WinProbabilityModel.fit(
        ...     [{"stage_key": "a", "team": "t", "won": True},
        ...      {"stage_key": "a", "team": "t", "won": False}], stages=["a"])
        >>> model.n_won, model.n_lost
        (1, 1)
    """

    stage_field: str
    team_field: str
    fields: tuple[str, ...]
    stages: tuple[str, ...]
    n_won: int
    n_lost: int
    counts: dict[str, dict[Any, tuple[float, float]]] = attrs.field(converter=_freeze_table)
    won_stages: frozenset[str] = frozenset()
    lost_stages: frozenset[str] = frozenset()
    smoothing: float = attrs.field(default=0.1, validator=_check_smoothing)
    bounds: tuple[float, float] = attrs.field(default=DEFAULT_BOUNDS, validator=_check_bounds)

    # ------------------------------------------------------------------ fitting
    @classmethod
    def fit(
        cls,
        data: Any,
        *,
        stages: Sequence[str] | None = None,
        won_stages: Iterable[str] = (),
        lost_stages: Iterable[str] = (),
        fields: Sequence[str] = (),
        stage_field: str = "stage_key",
        team_field: str = "team",
        won_field: str = "won",
        smoothing: float = 0.1,
        bounds: tuple[float, float] = DEFAULT_BOUNDS,
    ) -> WinProbabilityModel:
        """Fit on closed opportunities: records (dicts/objects) or a dataframe.

        Each row gives the stage it was in when it closed (the last *open* stage it reached),
        its team, the chosen ``fields`` and ``won`` (True/False; on a frame a boolean column
        without missing values, checked on every engine — see the docs page *Time and
        boundaries*). With ``stages`` (the open
        stages in pipeline order) a row counts in every stage up to the one it reached — all of
        them when won. :func:`crmkit.scoring.closed_opportunity_rows` turns domain
        opportunities with their stage history into such rows.

        Examples:
            >>> from crmkit.scoring import WinProbabilityModel
            >>> m = WinProbabilityModel.fit(
            ...     [{"stage_key": "b", "team": "t", "won": False},
            ...      {"stage_key": "b", "team": "t", "won": True}], stages=["a", "b"])
            >>> m.counts["stage_key"]
            {'a': (1.0, 1.0), 'b': (1.0, 1.0)}
        """
        order = tuple(stages or ())
        if len(set(order)) != len(order):
            raise ValidationError.single("stages", list(order), "must not repeat a stage")
        variables = (stage_field, team_field, *fields)
        if len(set(variables)) != len(variables):
            raise ValidationError.single("fields", list(fields), "must not repeat a field")
        if is_frame(data):
            raw = _frame_counts(data, variables, won_field)
        else:
            raw = _record_counts(data, variables, won_field)
        won_total, lost_total, tables = raw
        if won_total == 0 or lost_total == 0:
            raise ValidationError.single(
                won_field,
                f"{won_total} won / {lost_total} lost",
                "needs at least one won and one lost opportunity to learn from",
            )
        tables[stage_field] = _stage_counts(tables[stage_field], order, stage_field)
        return cls(
            stage_field=stage_field,
            team_field=team_field,
            fields=tuple(fields),
            stages=order,
            n_won=won_total,
            n_lost=lost_total,
            counts=tables,
            won_stages=frozenset(won_stages),
            lost_stages=frozenset(lost_stages),
            smoothing=smoothing,
            bounds=bounds,
        )

    # ------------------------------------------------------------- prediction
    @property
    def variables(self) -> tuple[str, ...]:
        """Every field the model reads: stage, team, then the chosen fields.

        Examples:
            >>> from crmkit.scoring import WinProbabilityModel
            >>> WinProbabilityModel.fit([{"stage_key": "a", "team": "t", "won": w}
            ...                          for w in (True, False)]).variables
            ('stage_key', 'team')
        """
        return (self.stage_field, self.team_field, *self.fields)

    @property
    def prior(self) -> float:
        """P(won) in the training data.

        Examples:
            >>> from crmkit.scoring import WinProbabilityModel
            >>> WinProbabilityModel.fit([{"stage_key": "a", "team": "t", "won": w}
            ...                          for w in (True, False, False)]).prior
            0.3333333333333333
        """
        return self.n_won / (self.n_won + self.n_lost)

    def shares(self, field: str) -> dict[Any, tuple[float, float]]:
        """``{value: (P(value | won), P(value | lost))}`` of one variable, smoothed.

        Examples:
            >>> from crmkit.scoring import WinProbabilityModel
            >>> m = WinProbabilityModel.fit([{"stage_key": "a", "team": t, "won": w}
            ...                              for t, w in (("x", True), ("y", False))])
            >>> {v: (round(w, 4), round(lo, 4)) for v, (w, lo) in m.shares("team").items()}
            {'x': (0.9167, 0.0833), 'y': (0.0833, 0.9167)}
        """
        if field not in self.counts:
            raise NotFoundError(f"the model has no variable {field!r}; it uses {self.variables}")
        table = self.counts[field]
        s = self.smoothing
        if field == self.stage_field:
            won_den = self.n_won + s
            lost_den = self.n_lost + s
        else:
            won_den = sum(w for w, _ in table.values()) + s * len(table)
            lost_den = sum(lo for _, lo in table.values()) + s * len(table)
        return {v: ((w + s) / won_den, (lo + s) / lost_den) for v, (w, lo) in table.items()}

    def _check_stage(self, stage: Any) -> None:
        known = set(self.stages) | self.won_stages | self.lost_stages
        if self.stages and stage is not None and stage not in known:
            raise NotFoundError(
                f"{self.stage_field}: {stage!r} is not a stage of the pipeline; "
                f"known stages are {sorted(known)}"
            )

    def explain(self, record: Any) -> WinProbability:
        """Predict one open opportunity and say how much each field contributed.

        Examples:
            >>> from crmkit.scoring import WinProbabilityModel
            >>> m = WinProbabilityModel.fit([{"stage_key": "a", "team": t, "won": w}
            ...                              for t, w in (("x", True), ("y", False))])
            >>> why = m.explain({"stage_key": "a", "team": "x"})
            >>> [(c.field, round(c.ratio, 2)) for c in why.contributions]
            [('stage_key', 1.0), ('team', 11.0)]
        """
        values = {
            f: read_field(record, f, what="opportunity", paths=True, custom=True, floats=True)
            for f in self.variables
        }
        stage = values[self.stage_field]
        self._check_stage(stage)
        if stage in self.won_stages or stage in self.lost_stages:
            won = stage in self.won_stages
            return WinProbability(1.0 if won else 0.0, self.prior, (), closed=True)
        s_won = self.prior
        s_lost = 1.0 - self.prior
        contributions: list[FieldContribution] = []
        for field in self.variables:
            value = values[field]
            shares = self.shares(field)
            if value is None or value not in shares:
                contributions.append(FieldContribution(field, value, 1.0, 1.0, False))
                continue
            won_share, lost_share = shares[value]
            s_won *= won_share
            s_lost *= lost_share
            contributions.append(FieldContribution(field, value, won_share, lost_share, True))
        low, high = self.bounds
        probability = min(max(s_won / (s_won + s_lost), low), high)
        return WinProbability(probability, self.prior, tuple(contributions))

    def predict_one(self, record: Any) -> float:
        """The win probability (a fraction) of one opportunity.

        Examples:
            >>> from crmkit.scoring import WinProbabilityModel
            >>> m = WinProbabilityModel.fit([{"stage_key": "a", "team": "t", "won": w}
            ...                              for w in (True, False)], won_stages=["won"])
            >>> m.predict_one({"stage_key": "won", "team": "t"})
            1.0
        """
        return self.explain(record).probability

    @overload
    def predict(self, data: SupportsToNative[FrameT], *, column: str = ...) -> FrameT: ...
    @overload
    def predict(self, data: FrameT, *, column: str = ...) -> FrameT: ...
    @overload
    def predict(self, data: Records, *, column: str = ...) -> list[float]: ...

    def predict(self, data: Any, *, column: str = "win_probability") -> Any:
        """Predict many opportunities: records give a list of floats; a frame gets ``column``.

        A frame comes back as the same kind of frame (lazy stays lazy) with the probability
        column added; the records and frame engines give the same numbers.

        Examples:
            >>> import polars as pl
            >>> from crmkit.scoring import WinProbabilityModel
            >>> m = WinProbabilityModel.fit([{"stage_key": "a", "team": t, "won": w}
            ...                              for t, w in (("x", True), ("y", False))])
            >>> df = pl.DataFrame({"stage_key": ["a", "a"], "team": ["x", "z"]})
            >>> m.predict(df)["win_probability"].round(4).to_list()
            [0.9167, 0.5]
        """
        if not is_frame(data):
            return [self.predict_one(r) for r in data]
        return to_native(self.predict_frame(from_native(data), column=column))

    def predict_frame(self, frame: Any, *, column: str = "win_probability") -> Any:
        """The frames engine of :meth:`predict` on a narwhals frame (returns narwhals).

        Examples:
            >>> import polars as pl
            >>> from crmkit.frames import from_native
            >>> from crmkit.scoring import WinProbabilityModel
            >>> m = WinProbabilityModel.fit([{"stage_key": "a", "team": t, "won": w}
            ...                              for t, w in (("x", True), ("y", False))])
            >>> m.predict_frame(from_native(pl.DataFrame({"stage_key": ["a"], "team": ["y"]})))[
            ...     "win_probability"].round(4).to_list()
            [0.0833]
        """
        nw = narwhals()
        require_columns(frame, self.variables, what="opportunities")
        if self.stages:
            known = list(set(self.stages) | self.won_stages | self.lost_stages)
            unknown = (
                frame.select(nw.col(self.stage_field))
                .filter(
                    ~nw.col(self.stage_field).is_in(known) & ~nw.col(self.stage_field).is_null()
                )
                .unique()
                .head(5)
            )
            unknown = collect(unknown)
            bad = unknown[self.stage_field].to_list()
            if bad:
                raise NotFoundError(
                    f"{self.stage_field}: {bad[0]!r} is not a stage of the pipeline; "
                    f"known stages are {sorted(known)}"
                )
        logit: Any = nw.lit(math.log(self.prior) - math.log(1.0 - self.prior))
        for field in self.variables:
            shares = self.shares(field)
            if not shares:
                continue
            old = list(shares)
            new = [math.log(w) - math.log(lo) for w, lo in shares.values()]
            term = (
                nw.col(field)
                .replace_strict(old, new, default=0.0, return_dtype=nw.Float64())
                .fill_null(0.0)
            )
            logit = logit + term
        low, high = self.bounds
        probability = (1.0 / (1.0 + (-logit).exp())).clip(low, high)
        stage = nw.col(self.stage_field)
        if self.won_stages:
            probability = (
                nw.when(stage.is_in(list(self.won_stages))).then(nw.lit(1.0)).otherwise(probability)
            )
        if self.lost_stages:
            probability = (
                nw.when(stage.is_in(list(self.lost_stages)))
                .then(nw.lit(0.0))
                .otherwise(probability)
            )
        return frame.with_columns(probability.cast(nw.Float64()).alias(column))


def _as_won(value: Any, index: int, won_field: str) -> bool:
    if isinstance(value, bool):
        return value
    raise ValidationError.single(f"[{index}].{won_field}", value, "must be True or False")


def _record_counts(
    records: Iterable[Any], variables: Sequence[str], won_field: str
) -> tuple[int, int, dict[str, dict[Any, tuple[float, float]]]]:
    tables: dict[str, dict[Any, list[float]]] = {v: {} for v in variables}
    won_total = lost_total = 0
    problems: list[Problem] = []
    for i, record in enumerate(records):
        try:
            won = _as_won(
                read_field(record, won_field, what=f"[{i}]", paths=True, custom=True, floats=True),
                i,
                won_field,
            )
            values = [
                read_field(record, v, what=f"[{i}]", paths=True, custom=True, floats=True)
                for v in variables
            ]
        except ValidationError as err:
            problems.extend(err.problems)
            continue
        if won:
            won_total += 1
        else:
            lost_total += 1
        for field, value in zip(variables, values, strict=True):
            if value is None:
                continue
            cell = tables[field].setdefault(value, [0.0, 0.0])
            cell[0 if won else 1] += 1.0
    if problems:
        raise ValidationError(problems[:20])
    frozen = {f: {v: (c[0], c[1]) for v, c in t.items()} for f, t in tables.items()}
    return won_total, lost_total, frozen


def _frame_counts(
    native: Any, variables: Sequence[str], won_field: str
) -> tuple[int, int, dict[str, dict[Any, tuple[float, float]]]]:
    nw = narwhals()
    frame = from_native(native)
    schema = frame.collect_schema()
    require_columns(frame, [*variables, won_field], what="opportunities", schema=schema)
    if schema[won_field] != nw.Boolean:  # the records engine takes True / False only
        raise ValidationError.single(
            f"opportunities.{won_field}",
            str(schema[won_field]),
            "must be a boolean column (True or False in every row)",
        )
    frame = frame.with_columns(nw.col(won_field).cast(nw.Int64()).alias("__won"))
    tables: dict[str, dict[Any, tuple[float, float]]] = {}
    totals = frame.select(
        nw.col("__won").sum().alias("won"),
        nw.len().alias("n"),
        nw.col(won_field).is_null().cast(nw.Int64).sum().alias("missing"),
    )  # (fitting computes the frame anyway, so lazy frames are checked too)
    totals = collect(totals)
    if int(totals["missing"][0] or 0):
        raise ValidationError.single(
            f"opportunities.{won_field}",
            message="has missing values; every row must be True or False",
        )
    won_total = int(totals["won"][0] or 0)
    lost_total = int(totals["n"][0]) - won_total
    for field in variables:
        grouped = (
            frame.filter(~nw.col(field).is_null())
            .group_by(field)
            .agg(nw.col("__won").sum().alias("__won"), nw.len().alias("__n"))
        )
        grouped = collect(grouped)
        rows = zip(
            grouped[field].to_list(),
            grouped["__won"].to_list(),
            grouped["__n"].to_list(),
            strict=True,
        )
        tables[field] = {v: (float(w), float(n - w)) for v, w, n in rows}
    return won_total, lost_total, tables


def _stage_counts(
    table: dict[Any, tuple[float, float]], order: Sequence[str], stage_field: str
) -> dict[Any, tuple[float, float]]:
    """Spread each row over the stages it went through (Odoo's stage counting)."""
    if not order:
        return table
    position = {s: i for i, s in enumerate(order)}
    unknown = [s for s in table if s not in position]
    if unknown:
        raise NotFoundError(
            f"{stage_field}: {unknown[0]!r} is not an open stage of the pipeline; "
            f"the open stages are {list(order)}"
        )
    won_all = sum(w for w, _ in table.values())
    counts: dict[Any, tuple[float, float]] = {}
    for i, stage in enumerate(order):
        lost_here_or_later = sum(lo for s, (_, lo) in table.items() if position[s] >= i)
        counts[stage] = (won_all, lost_here_or_later)
    return counts


def closed_opportunity_rows(
    opportunities: Iterable[Any],
    *,
    pipeline: Any,
    fields: Sequence[str] = (),
    team_field: str = "owner_id",
) -> list[dict[str, Any]]:
    """Training rows from closed crmkit opportunities: the last open stage each reached
    (from its stage history), its team, the chosen fields and whether it was won.

    Open opportunities are skipped. Feed the rows to :meth:`WinProbabilityModel.fit` with
    ``stages=pipeline.keys()`` of the open stages and ``team_field``.

    Examples:
        >>> from datetime import date, datetime, UTC
        >>> from crmkit.domain import Money, Opportunity, default_pipeline
        >>> from crmkit.scoring import closed_opportunity_rows
        >>> pipe = default_pipeline()
        >>> opp = Opportunity.open("D", account_id="a", amount=Money("1", "SEK"),
        ...                        close_date=date(2025, 2, 1), pipeline=pipe,
        ...                        at=datetime(2025, 1, 1, tzinfo=UTC), owner_id="ann")
        >>> opp.move_to("proposal", pipeline=pipe, at=datetime(2025, 1, 5, tzinfo=UTC))
        >>> opp.close_lost(pipeline=pipe, at=datetime(2025, 1, 9, tzinfo=UTC))
        >>> closed_opportunity_rows([opp], pipeline=pipe)
        [{'stage_key': 'proposal', 'owner_id': 'ann', 'won': False}]
    """
    open_keys = {s.key for s in pipeline.stages if not s.is_closed}
    first = pipeline.first_stage.key
    rows: list[dict[str, Any]] = []
    for i, opp in enumerate(opportunities):
        if not opp.is_closed:
            continue
        reached = first
        for change in opp.stage_history:
            if change.to_stage in open_keys:
                reached = change.to_stage
        row: dict[str, Any] = {"stage_key": reached}
        row[team_field] = read_field(
            opp, team_field, what=f"opportunities[{i}]", paths=True, custom=True, floats=True
        )
        for name in fields:
            row[name] = read_field(
                opp, name, what=f"opportunities[{i}]", paths=True, custom=True, floats=True
            )
        row["won"] = bool(opp.is_won)
        rows.append(row)
    return rows


def fit_opportunities(
    opportunities: Iterable[Any],
    *,
    pipeline: Any,
    fields: Sequence[str] = (),
    team_field: str = "owner_id",
    smoothing: float = 0.1,
    bounds: tuple[float, float] = DEFAULT_BOUNDS,
) -> WinProbabilityModel:
    """Fit a :class:`WinProbabilityModel` on crmkit opportunities and their pipeline.

    Examples:
        >>> from datetime import date, datetime, UTC
        >>> from crmkit.domain import Money, Opportunity, default_pipeline
        >>> from crmkit.scoring import fit_opportunities
        >>> pipe = default_pipeline()
        >>> opps = []
        >>> for owner, won in [("ann", True), ("bo", False)]:
        ...     o = Opportunity.open("D", account_id="a", amount=Money("1", "SEK"),
        ...                          close_date=date(2025, 2, 1), pipeline=pipe,
        ...                          at=datetime(2025, 1, 1, tzinfo=UTC), owner_id=owner)
        ...     (o.close_won if won else o.close_lost)(pipeline=pipe,
        ...                                            at=datetime(2025, 1, 9, tzinfo=UTC))
        ...     opps.append(o)
        >>> model = fit_opportunities(opps, pipeline=pipe)
        >>> model.team_field, model.n_won, model.n_lost
        ('owner_id', 1, 1)
    """
    rows = closed_opportunity_rows(
        opportunities, pipeline=pipeline, fields=fields, team_field=team_field
    )
    return WinProbabilityModel.fit(
        rows,
        stages=[s.key for s in pipeline.stages if not s.is_closed],
        won_stages=[s.key for s in pipeline.stages if s.is_won],
        lost_stages=[s.key for s in pipeline.stages if s.is_closed and not s.is_won],
        fields=fields,
        team_field=team_field,
        smoothing=smoothing,
        bounds=bounds,
    )


def fill_automated_probability(model: WinProbabilityModel, opportunities: Iterable[Any]) -> int:
    """Set each open opportunity's *automated* probability from ``model`` (the manual
    override, when there is one, is left alone and keeps precedence). Returns how many were
    updated.

    Examples:
        >>> from datetime import date, datetime, UTC
        >>> from crmkit.domain import Money, Opportunity, default_pipeline
        >>> from crmkit.scoring import WinProbabilityModel, fill_automated_probability
        >>> pipe = default_pipeline()
        >>> model = WinProbabilityModel.fit(
        ...     [{"stage_key": "prospecting", "owner_id": "ann", "won": w} for w in (True, False)],
        ...     stages=[s.key for s in pipe.open_stages], team_field="owner_id")
        >>> opp = Opportunity.open("D", account_id="a", amount=Money("1", "SEK"),
        ...                        close_date=date(2025, 2, 1), pipeline=pipe,
        ...                        at=datetime(2025, 1, 1, tzinfo=UTC), owner_id="ann")
        >>> opp.set_manual_probability(0.9)
        >>> fill_automated_probability(model, [opp])
        1
        >>> opp.automated_probability, opp.manual_probability, opp.probability
        (0.5, 0.9, 0.9)
    """
    updated = 0
    for opp in opportunities:
        if opp.is_closed:
            continue
        opp.set_automated_probability(model.predict_one(opp))
        updated += 1
    return updated
