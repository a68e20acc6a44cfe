"""Purchase histories as arrays: reading summaries, checking them, de-duplicating patterns.

The models read ``frequency``, ``recency``, ``T`` (and ``monetary_value`` for Gamma-Gamma)
from a list of :class:`~crmkit.clv.CustomerSummary` records, from dicts or objects with those
fields, from a mapping of arrays (``{"frequency": [...], ...}``) or from a dataframe. For
fitting, identical ``(frequency, recency, T)`` patterns are merged into one row with a weight;
on a frame that grouping runs on the frame's engine, so only the distinct patterns are
collected from a lazy frame.

Examples:
    >>> from crmkit.clv.history import read_history
    >>> h = read_history({"frequency": [0, 2, 2], "recency": [0, 5, 5], "T": [9, 9, 9]},
    ...                  deduplicate=True)
    >>> h.frequency.tolist(), h.weights.tolist()
    ([0.0, 2.0], [1.0, 2.0])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from crmkit.clv.summary import CalibrationHoldout, CustomerSummary
from crmkit.errors import Problem, ValidationError
from crmkit.extras import require
from crmkit.frames import (
    column_names,
    from_native,
    is_frame,
    is_lazy,
    narwhals,
    require_columns,
    to_native,
)

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["History", "calibration_part", "merge_patterns", "pattern_groups", "read_history"]

_MAX_PROBLEMS = 10


class History:
    """Arrays of purchase histories (one entry per customer or per distinct pattern).

    Examples:
        >>> from crmkit.clv.history import read_history
        >>> read_history([{"frequency": 1, "recency": 2.0, "T": 3.0}]).size
        1
    """

    __slots__ = ("T", "customer_ids", "frequency", "monetary_value", "recency", "weights")

    def __init__(
        self,
        frequency: NDArray[np.float64],
        recency: NDArray[np.float64],
        T: NDArray[np.float64],  # noqa: N803
        weights: NDArray[np.float64],
        monetary_value: NDArray[np.float64] | None = None,
        customer_ids: list[Any] | None = None,
    ) -> None:
        self.frequency = frequency
        self.recency = recency
        self.T = T
        self.weights = weights
        self.monetary_value = monetary_value
        self.customer_ids = customer_ids

    @property
    def size(self) -> int:
        """Number of rows (customers, or patterns after de-duplication)."""
        return int(self.frequency.shape[0])

    @property
    def customers(self) -> float:
        """Number of customers represented (the sum of the weights)."""
        return float(self.weights.sum())

    def select(self, mask: NDArray[np.bool_]) -> History:
        """The rows where ``mask`` is true.

        Examples:
            >>> import numpy as np
            >>> from crmkit.clv.history import read_history
            >>> h = read_history({"frequency": [0, 1], "recency": [0, 1], "T": [2, 2]})
            >>> h.select(h.frequency > 0).size
            1
        """
        ids = None
        if self.customer_ids is not None:
            ids = [c for c, keep in zip(self.customer_ids, mask.tolist(), strict=True) if keep]
        return History(
            self.frequency[mask],
            self.recency[mask],
            self.T[mask],
            self.weights[mask],
            None if self.monetary_value is None else self.monetary_value[mask],
            ids,
        )


def _np() -> Any:
    return require("numpy", "stats")


def _value(record: Any, name: str) -> Any:
    if isinstance(record, Mapping):
        return record.get(name)
    return getattr(record, name, None)


def _from_records(
    records: Iterable[Any], monetary: bool, weights: str | None, customer: str
) -> tuple[dict[str, Any], list[Any]]:
    columns: dict[str, list[Any]] = {"frequency": [], "recency": [], "T": []}
    if monetary:
        columns["monetary_value"] = []
    if weights:
        columns["weights"] = []
    ids: list[Any] = []
    for i, record in enumerate(records):
        for name in columns:
            source = weights if name == "weights" and weights else name
            value = _value(record, source)
            if value is None:
                raise ValidationError.single(f"summary[{i}].{source}", message="is missing")
            value = getattr(value, "amount", value)  # Money
            columns[name].append(float(value))
        ids.append(_value(record, customer))
    return columns, ids


def _from_frame(
    native: Any, monetary: bool, weights: str | None, customer: str, deduplicate: bool
) -> tuple[dict[str, Any], list[Any] | None]:
    nw = narwhals()
    frame = from_native(native)
    names = ["frequency", "recency", "T"] + (["monetary_value"] if monetary else [])
    require_columns(frame, names + ([weights] if weights else []), what="summary")
    present = set(frame.collect_schema().names())
    if deduplicate:
        frame = pattern_groups(frame, names, weights, "__weights").with_columns(
            nw.col("__weights").cast(nw.Float64)
        )
        ids = None
    else:
        keep = names + ([weights] if weights else []) + ([customer] if customer in present else [])
        frame = frame.select(*keep)
    if is_lazy(frame):
        frame = frame.collect()
    columns = {n: frame[n].to_numpy() for n in names}
    if deduplicate:
        columns["weights"] = frame["__weights"].to_numpy()
    else:
        if weights:
            columns["weights"] = frame[weights].to_numpy()
        ids = frame[customer].to_list() if customer in present else None
    return columns, ids


def pattern_groups(frame: Any, names: Sequence[str], weights: str | None, count: str) -> Any:
    """A narwhals frame's distinct rows of ``names`` with ``count``, the number of rows (or the
    sum of ``weights``) that have each; the grouping runs on the frame's engine.

    Examples:
        >>> import polars as pl
        >>> from crmkit.clv.history import pattern_groups
        >>> from crmkit.frames import from_native
        >>> frame = from_native(pl.DataFrame({"frequency": [1, 1, 0], "T": [5.0, 5.0, 5.0]}))
        >>> pattern_groups(frame, ["frequency", "T"], None, "n").sort("frequency").rows()
        [(0, 5.0, 1), (1, 5.0, 2)]
    """
    nw = narwhals()
    weight = nw.col(weights).sum() if weights else nw.len()
    return frame.group_by(*names).agg(weight.alias(count))


def _check(columns: dict[str, Any], what: str, monetary: bool) -> None:
    np = _np()
    x, tx, age = columns["frequency"], columns["recency"], columns["T"]
    if x.shape[0] == 0:
        raise ValidationError.single(what, message="is empty; the model needs customers to fit")
    problems: list[Problem] = []

    def flag(mask: Any, field: str, values: Any, message: str) -> None:
        for i in np.flatnonzero(mask)[:_MAX_PROBLEMS].tolist():
            problems.append(Problem(f"{what}[{i}].{field}", values[i].item(), message))
        extra = int(mask.sum()) - _MAX_PROBLEMS
        if extra > 0:
            problems.append(Problem(f"{what}.{field}", message=f"has {extra} more such rows"))

    for name, values in columns.items():
        flag(~np.isfinite(values), name, values, "is not a finite number")
    if problems:
        raise ValidationError(problems)
    flag((x < 0) | (x != np.floor(x)), "frequency", x, "must be a whole number of zero or more")
    flag(tx < 0, "recency", tx, "must be zero or more (it is the age at the last purchase)")
    flag(
        tx > age,
        "recency",
        tx,
        "is greater than T; the last purchase cannot come after the end of observation",
    )
    flag(
        (x == 0) & (tx > 0),
        "recency",
        tx,
        "must be 0 when frequency is 0 (no repeat purchase, so no age at a last repeat)",
    )
    if "weights" in columns:
        w = columns["weights"]
        flag(w <= 0, "weights", w, "must be positive")
    if monetary:
        m = columns["monetary_value"]
        flag(
            (x > 0) & (m <= 0),
            "monetary_value",
            m,
            "must be positive for repeat customers (Gamma-Gamma models spend per purchase)",
        )
    if problems:
        raise ValidationError(problems)


def merge_patterns(keys: list[Any], weights: Any) -> tuple[list[Any], Any]:
    """Merge rows whose ``keys`` are all equal, adding their ``weights``.

    The merged rows come back ordered by the first key. When the first key holds whole
    numbers below 2**24 (a purchase frequency), the rows are ordered by one 64-bit sort key:
    the first key in the high 24 bits and a hash of the other keys in the low 40. Equal rows
    get equal sort keys, so they end up next to each other and are merged; two different
    rows whose hashes collide only stay unmerged (never wrongly merged), because neighbours
    are compared on every key. One integer sort is several times faster than a lexsort on
    three float keys (``numpy.unique(axis=0)`` is slower still). Other first keys use the
    lexsort.

    Examples:
        >>> import numpy as np
        >>> from crmkit.clv.history import merge_patterns
        >>> keys, w = merge_patterns([np.array([1.0, 0.0, 1.0])], np.ones(3))
        >>> keys[0].tolist(), w.tolist()
        ([0.0, 1.0], [1.0, 2.0])
        >>> keys, w = merge_patterns([np.array([2.0, 0.0, 2.0]), np.array([0.5, 0.0, 0.5])],
        ...                          np.array([1.0, 3.0, 2.0]))
        >>> [k.tolist() for k in keys], w.tolist()
        ([[0.0, 2.0], [0.0, 0.5]], [3.0, 3.0])
    """
    np = _np()
    first = keys[0]
    if first.shape[0] == 0:
        return list(keys), weights
    whole = (
        float(first.min()) >= 0
        and float(first.max()) < 2**24
        and bool(np.all(first == np.floor(first)))
    )
    if whole:
        code = first.astype(np.uint64) << np.uint64(40)
        if len(keys) > 1:
            code |= _hash(np, keys[1:]) >> np.uint64(24)
        order = np.argsort(code)
    else:
        order = np.lexsort(keys[::-1])
    ordered = [k[order] for k in keys]
    same = np.ones(first.shape[0], dtype=bool)
    for k in ordered:
        same[1:] &= k[1:] == k[:-1]
    same[0] = False
    starts = np.flatnonzero(~same)
    if starts.shape[0] == first.shape[0]:  # nothing to merge
        return ordered, weights[order]
    return [k[starts] for k in ordered], np.add.reduceat(weights[order], starts)


def _hash(np: Any, keys: list[Any]) -> Any:
    """A 64-bit mix (splitmix64 finaliser) of the bit patterns of float ``keys``."""
    h = np.zeros(keys[0].shape[0], dtype=np.uint64)
    multipliers = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9)
    for i, k in enumerate(keys):
        bits = np.ascontiguousarray(k, dtype=np.float64).view(np.uint64)
        h ^= bits * np.uint64(multipliers[i % len(multipliers)])
        h ^= h >> np.uint64(31)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h


def read_history(
    data: Any,
    *,
    monetary: bool = False,
    weights: str | None = None,
    customer: str = "customer_id",
    deduplicate: bool = False,
    what: str = "summary",
) -> History:
    """Read and check purchase histories from records, a mapping of arrays or a frame.

    Args:
        data: :class:`~crmkit.clv.CustomerSummary` records, dicts or objects with
            ``frequency``/``recency``/``T``; a mapping of array-likes; or a dataframe; or
            :func:`~crmkit.clv.calibration_holdout` output (its calibration columns).
        monetary: also read ``monetary_value``.
        weights: the field/column counting customers per row (pre-aggregated patterns).
        customer: the field/column holding customer ids (kept when present).
        deduplicate: merge identical patterns into weighted rows (used for fitting).
        what: the name used in error paths.

    Raises:
        ValidationError: empty data, negative recency, recency greater than T, zero frequency
            with a positive recency, non-integer or negative frequency, non-finite values.

    Examples:
        >>> from crmkit.clv.history import read_history
        >>> read_history({"frequency": [0], "recency": [3.0], "T": [5.0]})
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: summary[0].recency: 3.0 must be 0 when frequency is 0 \
(no repeat purchase, so no age at a last repeat)
    """
    np = _np()
    data = calibration_part(data)  # calibration_holdout output: its calibration columns
    ids: list[Any] | None
    if is_frame(data):
        raw, ids = _from_frame(data, monetary, weights, customer, deduplicate)
        already_grouped = deduplicate
    elif isinstance(data, Mapping) and "frequency" in data:
        names = ["frequency", "recency", "T"] + (["monetary_value"] if monetary else [])
        missing = [n for n in names if n not in data]
        if missing:
            raise ValidationError([Problem(f"{what}.{n}", message="is missing") for n in missing])
        raw = {n: data[n] for n in names}
        if weights:
            raw["weights"] = data[weights]
        elif "weights" in data:
            raw["weights"] = data["weights"]
        ids = list(data[customer]) if customer in data else None
        already_grouped = False
    else:
        raw, ids = _from_records(data, monetary, weights, customer)
        already_grouped = False
    columns = {k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in raw.items()}
    lengths = {k: v.shape[0] for k, v in columns.items()}
    if len(set(lengths.values())) > 1:
        raise ValidationError.single(what, lengths, "has columns of different lengths")
    _check(columns, what, monetary)
    x, tx, age = columns["frequency"], columns["recency"], columns["T"]
    w = columns.get("weights", np.ones_like(x))
    mv = columns.get("monetary_value")
    if deduplicate and not already_grouped:
        keys = [x, tx, age] + ([mv] if mv is not None else [])
        keys, w = merge_patterns(keys, w)
        x, tx, age = keys[0], keys[1], keys[2]
        mv = keys[3] if mv is not None else None
        ids = None
    return History(x, tx, age, w, mv, None if deduplicate else ids)


_CALIBRATION = {
    "frequency_cal": "frequency",
    "recency_cal": "recency",
    "T_cal": "T",
    "monetary_value_cal": "monetary_value",
}


def calibration_part(data: Any) -> Any:
    """The calibration-period summaries of :func:`~crmkit.clv.calibration_holdout` output.

    Records become :class:`~crmkit.clv.CustomerSummary` rows; a frame (lazy stays lazy) or a
    mapping of arrays gets its ``*_cal`` columns renamed to ``frequency``, ``recency``, ``T``
    and ``monetary_value``. Anything else comes back unchanged, so the models' ``fit`` passes
    every input through this.

    Examples:
        >>> from crmkit.clv import CalibrationHoldout, calibration_part
        >>> calibration_part([CalibrationHoldout("a", 1, 2.0, 5.0, 9.5, 0, 0.0, 4.0)])
        [CustomerSummary(customer_id='a', frequency=1, recency=2.0, T=5.0, monetary_value=9.5)]
        >>> calibration_part({"frequency": [1]})
        {'frequency': [1]}
    """
    if is_frame(data):
        frame = from_native(data)
        names = column_names(frame)
        if "frequency_cal" not in names or "frequency" in names:
            return data
        return to_native(frame.rename({k: v for k, v in _CALIBRATION.items() if k in names}))
    if isinstance(data, Mapping):
        if "frequency_cal" not in data or "frequency" in data:
            return data
        return {_CALIBRATION.get(k, k): v for k, v in data.items()}
    if isinstance(data, Sequence) and data and _is_calibration_record(data[0]):
        return [
            CustomerSummary(
                _field(r, "customer_id"),
                _field(r, "frequency_cal"),
                _field(r, "recency_cal"),
                _field(r, "T_cal"),
                _field(r, "monetary_value_cal"),
            )
            for r in data
        ]
    return data


def _is_calibration_record(record: Any) -> bool:
    if isinstance(record, CalibrationHoldout):
        return True
    return isinstance(record, Mapping) and "frequency_cal" in record and "frequency" not in record


def _field(record: Any, name: str) -> Any:
    return record.get(name) if isinstance(record, Mapping) else getattr(record, name, None)
