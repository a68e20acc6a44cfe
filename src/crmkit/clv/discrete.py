"""Shared numerics of the discrete-time models (BG/BB and the shifted-beta-geometric model).

Both models' likelihoods are sums of products of *beta-function ratios*: for a customer,
``L = Σₖ Πⱼ B(aⱼ + uⱼₖ, bⱼ + vⱼₖ) / B(aⱼ, bⱼ)`` over a few terms ``k`` and one or two
beta-distributed quantities ``j`` (the purchase probability ``p ~ Beta(α, β)`` and the dropout
probability ``θ ~ Beta(γ, δ)``). :func:`beta_mixture` evaluates the mean negative
log-likelihood of such a sum and its exact gradient on the log scale (log-beta functions,
log-sum-exp over the terms, digamma derivatives), ready for
:func:`crmkit.clv.estimation.maximise`. :func:`read_columns` reads the models' whole-number
columns from records, a mapping of arrays or a frame.

Examples:
    >>> import numpy as np
    >>> from crmkit.clv.discrete import beta_mixture
    >>> # one customer who churned in period 1 under θ ~ Beta(γ, δ): L = B(γ+1, δ)/B(γ, δ)
    >>> f = beta_mixture(np.array([[[[1.0]], [[0.0]]]]), np.ones((1, 1), dtype=bool), np.ones(1))
    >>> value, gradient = f(np.log([1.0, 3.0]))
    >>> round(value, 6)  # −log(γ / (γ + δ)) = log 4
    1.386294
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from crmkit.errors import Problem, ValidationError
from crmkit.extras import require
from crmkit.frames import from_native, is_frame, is_lazy, require_columns

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike, NDArray

__all__ = [
    "beta_mixture",
    "flag",
    "mixture_log_likelihood",
    "read_columns",
    "whole",
    "whole_numbers",
]

_MAX_PROBLEMS = 10


def beta_mixture(
    offsets: NDArray[np.float64], present: NDArray[np.bool_], weights: NDArray[np.float64]
) -> Callable[[NDArray[np.float64]], tuple[float, NDArray[np.float64]]]:
    """The mean negative log-likelihood ``θ → (value, gradient)`` of a beta-ratio mixture.

    Args:
        offsets: shape ``(pairs, 2, rows, terms)``: ``offsets[j, 0]`` and ``offsets[j, 1]``
            are ``uⱼₖ`` and ``vⱼₖ`` for each row and term.
        present: shape ``(rows, terms)``: which terms each row has (rows have different
            numbers of terms; absent ones are skipped).
        weights: customers per row.

    The returned function takes the log parameters ``(log a₁, log b₁, log a₂, log b₂, …)``.

    Examples:
        >>> import numpy as np
        >>> from crmkit.clv.discrete import beta_mixture
        >>> f = beta_mixture(np.zeros((1, 2, 1, 1)), np.ones((1, 1), dtype=bool), np.ones(1))
        >>> abs(f(np.zeros(2))[0])  # every term is B(a, b) / B(a, b) = 1
        0.0
    """
    np = require("numpy", "stats")
    pairs = offsets.shape[0]
    total = float(weights.sum())

    def objective(theta: Any) -> tuple[float, Any]:
        params = np.exp(theta)
        if not np.all((params > 0) & np.isfinite(params)):
            return math.inf, np.zeros(2 * pairs)
        log_terms, derivatives = _log_terms(offsets, present, params)
        peak = log_terms.max(axis=1, keepdims=True)
        shares = np.exp(log_terms - peak)
        norm = shares.sum(axis=1, keepdims=True)
        log_row = peak[:, 0] + np.log(norm[:, 0])
        shares /= norm
        value = -float(weights @ log_row) / total
        grad = np.array([-float(weights @ (shares * d).sum(axis=1)) for d in derivatives])
        grad = grad * params / total
        if not (math.isfinite(value) and np.all(np.isfinite(grad))):
            return math.inf, np.zeros(2 * pairs)
        return value, grad

    return objective


def mixture_log_likelihood(
    offsets: NDArray[np.float64], present: NDArray[np.bool_], params: Sequence[float]
) -> NDArray[np.float64]:
    """Each row's log-likelihood ``log Σₖ Πⱼ B(aⱼ + uⱼₖ, bⱼ + vⱼₖ) / B(aⱼ, bⱼ)``.

    ``offsets`` and ``present`` are as for :func:`beta_mixture`; ``params`` on the natural
    scale.

    Examples:
        >>> import numpy as np
        >>> from crmkit.clv.discrete import mixture_log_likelihood
        >>> offsets = np.array([[[[1.0]], [[0.0]]]])  # B(a + 1, b) / B(a, b) = a / (a + b)
        >>> mixture_log_likelihood(offsets, np.ones((1, 1), dtype=bool), [1.0, 3.0]).round(6)
        array([-1.386294])
    """
    np = require("numpy", "stats")
    sp = require("scipy.special", "stats")
    log_terms, _ = _log_terms(offsets, present, np.asarray(params, dtype=float), False)
    return sp.logsumexp(log_terms, axis=1)  # type: ignore[no-any-return]


def _log_terms(
    offsets: Any, present: Any, params: Any, derivatives: bool = True
) -> tuple[Any, list[Any]]:
    """Log of every term (``−inf`` where absent) and, optionally, its parameter derivatives."""
    np = require("numpy", "stats")
    sp = require("scipy.special", "stats")
    log_terms = np.zeros(present.shape)
    out = []
    for j in range(offsets.shape[0]):
        a, b = float(params[2 * j]), float(params[2 * j + 1])
        au, bv = a + offsets[j, 0], b + offsets[j, 1]
        log_terms += sp.betaln(au, bv) - sp.betaln(a, b)
        if derivatives:
            psi_sum = sp.digamma(au + bv)
            base = sp.digamma(a + b)
            out.append(sp.digamma(au) - psi_sum - sp.digamma(a) + base)
            out.append(sp.digamma(bv) - psi_sum - sp.digamma(b) + base)
    return np.where(present, log_terms, -np.inf), out


def read_columns(
    data: Any, names: Sequence[str], *, weights: str | None = None, what: str = "data"
) -> dict[str, NDArray[np.float64]]:
    """Columns ``names`` (and ``weights`` as ``"weights"``) as float arrays, checked finite.

    ``data`` is a list of records (dicts or objects), a mapping of array-likes or a frame
    (lazy frames are collected after selecting the columns).

    Raises:
        ValidationError: a missing column or field, columns of different lengths, no rows, a
            value that is not a finite number.

    Examples:
        >>> from crmkit.clv.discrete import read_columns
        >>> read_columns([{"periods": 3}], ["periods"])["periods"].tolist()
        [3.0]
        >>> read_columns([{"period": 3}], ["periods"])
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: data[0].periods: is missing
    """
    np = require("numpy", "stats")
    wanted = [*names, *([weights] if weights else [])]
    raw: dict[str, Any] = {}
    if is_frame(data):
        frame = from_native(data)
        require_columns(frame, wanted, what=what)
        frame = frame.select(*wanted)
        if is_lazy(frame):
            frame = frame.collect()
        raw = {n: frame[n].to_numpy() for n in wanted}
    elif isinstance(data, Mapping):
        missing = [n for n in wanted if n not in data]
        if missing:
            raise ValidationError([Problem(f"{what}.{n}", message="is missing") for n in missing])
        raw = {n: data[n] for n in wanted}
    else:
        rows: dict[str, list[Any]] = {n: [] for n in wanted}
        for i, record in enumerate(data):
            for n in wanted:
                value = record.get(n) if isinstance(record, Mapping) else getattr(record, n, None)
                if value is None:
                    raise ValidationError.single(f"{what}[{i}].{n}", message="is missing")
                rows[n].append(value)
        raw = rows
    try:
        columns = {n: np.atleast_1d(np.asarray(raw[n], dtype=float)) for n in wanted}
    except (TypeError, ValueError) as exc:
        raise ValidationError.single(
            what, message=f"has a value that is not a number ({exc})"
        ) from None
    lengths = {n: c.shape[0] for n, c in columns.items()}
    if len(set(lengths.values())) > 1:
        raise ValidationError.single(what, lengths, "has columns of different lengths")
    if not lengths or next(iter(lengths.values())) == 0:
        raise ValidationError.single(what, message="is empty; the model needs customers to fit")
    problems: list[Problem] = []
    for n, c in columns.items():
        flag(problems, ~np.isfinite(c), what, n, c, "is not a finite number")
    if problems:
        raise ValidationError(problems)
    if weights:
        columns["weights"] = columns.pop(weights)
        flag(
            problems, columns["weights"] <= 0, what, weights, columns["weights"], "must be positive"
        )
    if problems:
        raise ValidationError(problems)
    return columns


def whole(
    problems: list[Problem], values: NDArray[np.float64], what: str, name: str, least: int
) -> None:
    """Add a problem for each value that is not a whole number of at least ``least``.

    Examples:
        >>> import numpy as np
        >>> from crmkit.clv.discrete import whole
        >>> problems = []
        >>> whole(problems, np.array([1.0, 0.5]), "data", "periods", 1)
        >>> str(problems[0])
        'data[1].periods: 0.5 must be a whole number of 1 or more'
    """
    np = require("numpy", "stats")
    bad = (values < least) | (values != np.floor(values))
    flag(problems, bad, what, name, values, f"must be a whole number of {least} or more")


def flag(
    problems: list[Problem], mask: Any, what: str, name: str, values: Any, message: str
) -> None:
    """Add a problem per row where ``mask`` is true (the first ten, then a count).

    The path is ``what[i].name`` (``what[i]`` when ``name`` is empty).

    Examples:
        >>> import numpy as np
        >>> from crmkit.clv.discrete import flag
        >>> problems = []
        >>> flag(problems, np.ones(12, dtype=bool), "data", "x", np.zeros(12), "is bad")
        >>> len(problems), str(problems[-1])
        (11, 'data.x: has 2 more such rows')
    """
    np = require("numpy", "stats")
    field = f".{name}" if name else ""
    for i in np.flatnonzero(mask)[:_MAX_PROBLEMS].tolist():
        problems.append(Problem(f"{what}[{i}]{field}", values[i].item(), message))
    extra = int(mask.sum()) - _MAX_PROBLEMS
    if extra > 0:
        problems.append(Problem(f"{what}{field}", message=f"has {extra} more such rows"))


def whole_numbers(values: ArrayLike, name: str, least: int = 1) -> NDArray[np.float64]:
    """``values`` as a float array, checked to be whole numbers of at least ``least``.

    Examples:
        >>> from crmkit.clv.discrete import whole_numbers
        >>> whole_numbers([1, 2], "t").tolist()
        [1.0, 2.0]
        >>> whole_numbers([0], "t")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: t[0]: 0.0 must be a whole number of 1 or more
    """
    np = require("numpy", "stats")
    try:
        array = np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError) as exc:
        raise ValidationError.single(
            name, values, f"is not a number or array of numbers ({exc})"
        ) from None
    problems: list[Problem] = []
    flag(problems, ~np.isfinite(array), name, "", array, "is not a finite number")
    if not problems:
        whole(problems, array, name, "", least)
    if problems:
        raise ValidationError(problems)
    return array  # type: ignore[no-any-return]
