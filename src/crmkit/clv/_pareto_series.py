"""Pareto/NBD's hypergeometric series ``2F1(1, B; C; z)``, summed per frequency as polynomials.

In the Pareto/NBD likelihood ``B`` and ``C`` depend on the parameters and the customer's
frequency only, and ``z`` on the time. So for all the customers with one frequency the series
``F = Σ c_n z^n`` (``c_n = (B)_n / (C)_n``) and each of its derivatives in ``B``, ``C`` and
``z`` are polynomials in ``z`` with shared coefficients: one small matrix product
``coefficients (outputs × terms) @ powers of z (terms × rows)`` per block of rows replaces a
series summed term by term per customer (see :func:`series_by_group`).
"""

from __future__ import annotations

import math
from typing import Any

#: rows per block at most: the powers of z of a block (terms × rows) stay in the processor's
#: cache, and a block's product (outputs × terms × rows) stays below ~2^19 multiply-adds, under
#: which BLAS runs it on the calling thread (above, its threads slow it down on a busy machine)
_BLOCK = 2048
_PRODUCT = 2**19
#: up to this many coefficients (rows × outputs × terms) all rows are summed in one go, each
#: with its group's coefficients (a few vector operations instead of a loop over the groups)
_GATHER = 2**20
#: derivatives returned with ``second``: (F, F_B, F_C, F_z, F_BB, F_BC, F_CC, F_Bz, F_Cz, F_zz)
OUTPUTS_SECOND = 10
OUTPUTS_FIRST = 4


def terms_needed(z_max: float, b_min: float, second: bool) -> int:
    """Terms after which every output's tail is below double precision (at least 8).

    ``c_n ≤ 1`` because ``C > B``, so the tail of the value after ``N`` terms is at most
    ``z^N / (1 − z)``; the derivatives' coefficients carry factors up to ``(n + 2)²`` and
    ``(S_n)² ≤ (n / B)²``, covered by the margin. The count is rounded up to a multiple of 8
    so that nearby blocks share it.

    Examples:
        >>> from crmkit.clv._pareto_series import terms_needed
        >>> terms_needed(0.0, 1.0, True), terms_needed(0.5, 1.0, False) >= 56
        (8, True)
    """
    if z_max <= 0.0:
        return 8
    margin = 16.0 * (2.0 + 1.0 / b_min) / (1.0 - z_max)
    if second:
        margin *= 256.0 * (1.0 + 1.0 / b_min) / (1.0 - z_max) ** 2
    need = math.log(1e-17 / margin) / math.log(z_max)
    return max(8, 8 * math.ceil(need / 8.0))


def coefficients(np: Any, B: Any, C: Any, terms: int, second: bool) -> Any:  # noqa: N803
    """The coefficients of ``z^n``, ``n < terms``, of ``2F1(1, B; C; z)`` and its derivatives
    for each ``(B, C)``: an array ``(groups, outputs, terms)``.

    With ``c_n = (B)_n / (C)_n``, ``S_n = Σ_{k<n} 1/(B+k)``, ``U_n = Σ_{k<n} 1/(C+k)`` and
    ``S'_n``, ``U'_n`` the sums of their squares: ``F → c_n``, ``F_B → c_n S_n``,
    ``F_C → −c_n U_n``, ``F_z → (n+1) c_{n+1}``, ``F_BB → c_n (S_n² − S'_n)``,
    ``F_BC → −c_n S_n U_n``, ``F_CC → c_n (U_n² + U'_n)``, ``F_Bz → (n+1) c_{n+1} S_{n+1}``,
    ``F_Cz → −(n+1) c_{n+1} U_{n+1}`` and ``F_zz → (n+1)(n+2) c_{n+2}``.

    Examples:
        >>> import numpy as np
        >>> from crmkit.clv._pareto_series import coefficients
        >>> coefficients(np, np.array([1.0]), np.array([2.0]), 3, False)[0, 0].tolist()
        [1.0, 0.5, 0.3333333333333333]
    """
    B, C = np.asarray(B, dtype=float), np.asarray(C, dtype=float)  # noqa: N806
    size = terms + (2 if second else 1)
    n = np.arange(size, dtype=float)
    b_n = B[:, None] + n
    c_n = C[:, None] + n
    c = np.empty(b_n.shape)
    c[:, 0] = 1.0
    np.cumprod(b_n[:, :-1] / c_n[:, :-1], axis=1, out=c[:, 1:])
    rb, rc = 1.0 / b_n, 1.0 / c_n
    s, u = np.zeros(b_n.shape), np.zeros(b_n.shape)
    np.cumsum(rb[:, :-1], axis=1, out=s[:, 1:])
    np.cumsum(rc[:, :-1], axis=1, out=u[:, 1:])
    k = np.arange(1.0, terms + 1.0)  # n + 1 for n < terms
    head, shifted = slice(0, terms), slice(1, terms + 1)
    out = np.empty((B.shape[0], OUTPUTS_SECOND if second else OUTPUTS_FIRST, terms))
    out[:, 0] = c[:, head]
    out[:, 1] = c[:, head] * s[:, head]
    out[:, 2] = -c[:, head] * u[:, head]
    out[:, 3] = k * c[:, shifted]
    if second:
        s2, u2 = np.zeros(b_n.shape), np.zeros(b_n.shape)
        np.cumsum(rb[:, :-1] ** 2, axis=1, out=s2[:, 1:])
        np.cumsum(rc[:, :-1] ** 2, axis=1, out=u2[:, 1:])
        ch, sh, uh = c[:, head], s[:, head], u[:, head]
        out[:, 4] = ch * (sh * sh - s2[:, head])
        out[:, 5] = -ch * sh * uh
        out[:, 6] = ch * (uh * uh + u2[:, head])
        out[:, 7] = out[:, 3] * s[:, shifted]
        out[:, 8] = -out[:, 3] * u[:, shifted]
        out[:, 9] = k * (k + 1.0) * c[:, 2 : terms + 2]
    return out


def powers(np: Any, z: Any, terms: int) -> Any:
    """``z^n`` for ``n < terms``, an array ``(terms, rows)``, by repeated doubling (a few
    vector operations, each power within a few roundings).

    Examples:
        >>> import numpy as np
        >>> from crmkit.clv._pareto_series import powers
        >>> powers(np, np.array([0.5, 2.0]), 4).tolist()
        [[1.0, 1.0], [0.5, 2.0], [0.25, 4.0], [0.125, 8.0]]
    """
    out = np.empty((terms, z.shape[0]))
    out[0] = 1.0
    done = 1
    while done < terms:
        step = min(done, terms - done)
        np.multiply(out[:step], out[done - 1] * z, out=out[done : done + step])
        done += step
    return out


def series_by_group(np: Any, B: Any, C: Any, z: Any, starts: Any, order: int) -> Any:  # noqa: N803
    """``2F1(1, B; C; z)`` and its derivatives (see :func:`coefficients`) for rows grouped by
    ``(B, C)``: group ``g`` (``B[g]``, ``C[g]``) holds rows ``starts[g]:starts[g + 1]`` of
    ``z``. Needs ``C > B > 0`` and ``0 ≤ z ≤ 0.9`` (the series converges like ``z^n``).

    ``order`` 0 gives only ``F`` (an array ``(1, rows)``), 1 also the first derivatives
    (``(4, rows)``), 2 also the second (``(10, rows)``). Each block of rows is summed to as
    many terms as its largest ``z`` needs, so rows sorted by ``z`` within a group (largest
    first) are cheapest. ``F`` alone stops where its tail, at most ``c_N z^N / (1 − z)``
    (the coefficients ``c_n`` decrease), is below ``1e-17`` (``F ≥ 1``): often far earlier
    than the bound ``z^N`` of :func:`terms_needed`, as ``c_n`` falls like ``n^(B − C)``.

    Examples:
        >>> import numpy as np, scipy.special as sp
        >>> from crmkit.clv._pareto_series import series_by_group
        >>> z = np.array([0.3, 0.1, 0.6])
        >>> B, C = np.array([1.6, 2.5]), np.array([4.2, 3.5])
        >>> ref = sp.hyp2f1(1.0, np.array([1.6, 1.6, 2.5]), np.array([4.2, 4.2, 3.5]), z)
        >>> [bool(np.all(np.abs(series_by_group(np, B, C, z, np.array([0, 2, 3]), k)[0] / ref - 1)
        ...               < 1e-14)) for k in (0, 1, 2)]
        [True, True, True]
    """
    second = order == 2
    outputs = (1, OUTPUTS_FIRST, OUTPUTS_SECOND)[order]
    # the same terms, blocks and products for the value and gradient with or without the
    # second derivatives, so that they are equal to the bit either way
    deep, width = order > 0, (1 if order == 0 else OUTPUTS_SECOND)
    parts = (
        [slice(0, OUTPUTS_FIRST), slice(OUTPUTS_FIRST, outputs)] if second else [slice(0, outputs)]
    )
    rows = z.shape[0]
    out = np.empty((outputs, rows))
    if rows and len(starts) > 1:
        terms = terms_needed(float(z.max()), float(B.min()), deep)
        if rows * width * terms <= _GATHER:  # few customers: one length for all rows
            table = coefficients(np, B, C, terms, second)
            z_powers = powers(np, z, terms)
            bounds = starts.tolist()
            for g in range(len(bounds) - 1):
                lo, hi = bounds[g], bounds[g + 1]
                if hi > lo:
                    for part in parts:
                        np.matmul(table[g, part], z_powers[:, lo:hi], out=out[part, lo:hi])
            return out
    bounds = starts.tolist()
    b_list = B.tolist()
    blocks = []  # (group, start, stop)
    for g in range(len(bounds) - 1):
        # the block size for the group's largest z (smaller z need fewer terms)
        first = bounds[g]
        if first == bounds[g + 1]:
            continue
        z_top = float(z[first : bounds[g + 1]].max())
        size = _PRODUCT // (width * terms_needed(z_top, b_list[g], deep))
        size = min(_BLOCK, max(64, size))
        for lo in range(first, bounds[g + 1], size):
            blocks.append((g, lo, min(lo + size, bounds[g + 1])))
    if not blocks:
        return out
    firsts = np.array([lo for _, lo, _ in blocks])
    largest = np.maximum.reduceat(z, firsts).tolist()
    need = [
        terms_needed(zm, b_list[g], deep) for (g, _, _), zm in zip(blocks, largest, strict=True)
    ]
    most: dict[int, int] = {}
    for (g, _, _), n in zip(blocks, need, strict=True):
        most[g] = max(most.get(g, 0), n)
    groups = sorted(most)
    row_of = {g: i for i, g in enumerate(groups)}
    table = coefficients(np, B[groups], C[groups], max(most.values()), second)[:, :outputs]
    if order == 0:
        # the first n whose tail bound c_n z^n / (1 − z) is below 1e-17, per block
        with np.errstate(divide="ignore"):
            log_c = np.log(table[:, 0])  # (groups, terms)
            log_z = np.log(np.array(largest))
        steps = np.arange(log_c.shape[1], dtype=float)
        tail = (
            log_c[[row_of[g] for g, _, _ in blocks]]
            + steps * log_z[:, None]
            - np.log1p(-np.array(largest))[:, None]
        )
        below = tail < math.log(1e-17)
        short = np.where(below.any(axis=1), below.argmax(axis=1), log_c.shape[1])
        need = np.minimum(np.maximum(short, 1), need).tolist()
    for (g, lo, hi), n in zip(blocks, need, strict=True):
        z_powers = powers(np, z[lo:hi], n)
        for part in parts:
            out[part, lo:hi] = table[row_of[g], part, :n] @ z_powers
    return out


def groups(np: Any, values: Any) -> tuple[Any, Any]:
    """The distinct values of a sorted array and where each one's rows start (and, last, the
    number of rows): the ``starts`` of :func:`series_by_group`.

    Examples:
        >>> import numpy as np
        >>> from crmkit.clv._pareto_series import groups
        >>> [v.tolist() for v in groups(np, np.array([0.0, 0.0, 2.0, 5.0, 5.0]))]
        [[0.0, 2.0, 5.0], [0, 2, 3, 5]]
    """
    values = np.asarray(values, dtype=float)
    firsts = np.flatnonzero(np.diff(values)) + 1
    starts = np.concatenate([[0], firsts, [values.shape[0]]]).astype(np.intp)
    return values[starts[:-1]], starts


#: :func:`values_by_level` cuts ``[0, 0.9]`` into this many bins of ``z``
LEVELS = 16
_LEVEL_TOP = 0.9
#: above this many terms the recentring matrix's binomials ``C(n, k)`` come near overflow
_RECENTRE_UP_TO = 900
_CHUNK = 16384  # rows per step of Horner's scheme


def recentring(np: Any, z0: float, terms: int) -> Any:
    """The matrix ``M`` (``terms × terms``) with ``z^n = Σ_k M[n, k] (z − z0)^k``:
    ``M[n, k] = C(n, k) z0^(n − k)`` for ``k ≤ n`` (else 0), as running products down each
    column (products of positive factors: accurate to a few roundings per term).

    A polynomial's coefficients ``a`` (``… × terms``) recentred at ``z0`` are ``a @ M``.

    Examples:
        >>> import numpy as np
        >>> from crmkit.clv._pareto_series import recentring
        >>> recentring(np, 0.5, 3).tolist()
        [[1.0, 0.0, 0.0], [0.5, 1.0, 0.0], [0.25, 1.0, 1.0]]
    """
    n = np.arange(terms, dtype=float)[:, None]
    k = np.arange(terms, dtype=float)[None, :]
    # down each column k: M[n, k] / M[n − 1, k] = n / (n − k) · z0 for n > k, from M[k, k] = 1
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(n > k, n / (n - k) * z0, 1.0)
    return np.tril(np.cumprod(ratio, axis=0))


def values_by_level(np: Any, B: Any, C: Any, group: Any, z: Any) -> Any:  # noqa: N803
    """``2F1(1, B[g]; C[g]; z)`` for rows of groups ``group`` (indices into ``B`` and ``C``),
    ``0 ≤ z ≤ 0.9``, in any order: the value of :func:`series_by_group` with ``order`` 0.

    Rows are sorted by group and by a bin (``LEVELS`` bins of ``z`` in ``[0, 0.9]``). In a
    bin of centre ``z0`` and half-width ``h`` the truncated series (to the terms its top
    ``z`` needs, :func:`terms_needed`) is re-expanded in powers of ``z − z0``
    (:func:`recentring`) and summed only to the first ``K`` terms whose tail
    ``Σ_{k≥K} |d_k| h^k`` is below ``1e-17`` (``F ≥ 1``): the re-expanded series converges
    like ``(h / (1 − z0))^k``, so a dozen terms or two instead of dozens to hundreds. The
    coefficients of ``2F1(1, B; C; z)`` are positive, so ``Σ_k |d_k| h^k`` is at most
    ``F`` at the bin's top: the sum is accurate to rounding relative to ``F``.

    Examples:
        >>> import numpy as np, scipy.special as sp
        >>> from crmkit.clv._pareto_series import values_by_level
        >>> z, group = np.array([0.3, 0.1, 0.6, 0.0, 0.9]), np.array([1, 0, 1, 0, 0])
        >>> B, C = np.array([1.6, 2.5]), np.array([4.2, 3.5])
        >>> ref = sp.hyp2f1(1.0, B[group], C[group], z)
        >>> bool(np.all(np.abs(values_by_level(np, B, C, group, z) / ref - 1) < 1e-14))
        True
    """
    rows = z.shape[0]
    out = np.empty(rows)
    if not rows:
        return out
    width = _LEVEL_TOP / LEVELS
    # 16-bit keys where they fit: NumPy sorts them by radix
    small = B.shape[0] * LEVELS < 2**15
    kind = np.int16 if small else np.int64
    key = (z * (1.0 / width)).astype(kind)
    np.minimum(key, LEVELS - 1, out=key)
    key += group.astype(kind, copy=False) * kind(LEVELS)
    order = np.argsort(key, kind="stable")
    key_sorted = key[order]
    z_sorted = z[order]
    firsts = np.concatenate([[0], np.flatnonzero(np.diff(key_sorted)) + 1]).astype(np.intp)
    bounds = [*firsts.tolist(), rows]
    run_keys = key_sorted[firsts].tolist()
    present: dict[int, list[int]] = {}  # level → its groups
    for k in run_keys:
        present.setdefault(k % LEVELS, []).append(k // LEVELS)
    top = terms_needed(min((max(present) + 1) * width, _LEVEL_TOP), float(B.min()), False)
    if top > _RECENTRE_UP_TO:  # tiny B near z = 0.9: sum the series directly
        counts = np.bincount(group, minlength=B.shape[0])
        by_group = np.argsort(group, kind="stable")
        starts = np.concatenate([[0], np.cumsum(counts)]).astype(np.intp)
        out[by_group] = series_by_group(np, B, C, z[by_group], starts, 0)[0]
        return out
    half = 0.5 * width
    shifted: dict[tuple[int, int], list[float]] = {}  # (group, level) → coefficients
    for j, members in present.items():
        z_top = min((j + 1) * width, _LEVEL_TOP)
        d = _recentred(np, B[members], C[members], top, z_top, (j + 0.5) * width, half)
        for g, row in zip(members, d.tolist(), strict=True):
            shifted[g, j] = row
    out_sorted = np.empty(rows)
    for i, k in enumerate(run_keys):
        g, j = divmod(k, LEVELS)
        _horner(shifted[g, j], (j + 0.5) * width, z_sorted, out_sorted, bounds[i], bounds[i + 1])
    out[order] = out_sorted
    return out


def _recentred(np: Any, B: Any, C: Any, top: int, z_top: float, centre: float, half: float) -> Any:  # noqa: N803
    """The coefficients (groups × K) of ``2F1(1, B; C; z)`` in powers of ``z − centre`` for
    ``|z − centre| ≤ half``, ``z ≤ z_top``: the series truncated where its tail bound
    ``c_n z_top^n / (1 − z_top)`` is below ``1e-17`` in every group (at most ``top`` terms;
    the coefficients ``c_n`` decrease), re-expanded (:func:`recentring`) and cut after the
    first ``K`` terms whose tail ``Σ_{k≥K} |d_k| half^k`` is below ``1e-17`` in every group.

    Examples:
        >>> import numpy as np
        >>> from crmkit.clv._pareto_series import _recentred
        >>> d = _recentred(np, np.array([1.0]), np.array([2.0]), 64, 0.2, 0.1, 0.1)
        >>> bool(abs(d[0, 0] / (-np.log(0.9) / 0.1) - 1) < 1e-15), d.shape[1] < 20
        (True, True)
    """
    table = coefficients(np, B, C, top, False)[:, 0]  # (groups, terms)
    with np.errstate(divide="ignore"):
        tail = np.log(table.max(axis=0)) + np.arange(top) * math.log(z_top)
    below = np.flatnonzero(tail - math.log1p(-z_top) < math.log(1e-17))
    need = max(int(below[0]) if below.shape[0] else top, 1)
    d = table[:, :need] @ recentring(np, centre, need)
    scaled = np.abs(d) * half ** np.arange(need, dtype=float)
    rest = np.cumsum(scaled[:, ::-1], axis=1)[:, ::-1].max(axis=0)
    small = np.flatnonzero(rest < 1e-17)
    keep = max(int(small[0]) if small.shape[0] else need, 1)
    return d[:, :keep]


def _horner(d: list[float], centre: float, z: Any, out: Any, first: int, stop: int) -> None:
    """``out[first:stop] = Σ_k d[k] (z − centre)^k`` by Horner's scheme, in place, on chunks
    of rows that stay in the processor's cache.

    Examples:
        >>> import numpy as np
        >>> from crmkit.clv._pareto_series import _horner
        >>> out = np.zeros(3)
        >>> _horner([1.0, 2.0, 3.0], 1.0, np.array([0.0, 1.0, 2.0]), out, 1, 3)
        >>> out.tolist()
        [0.0, 1.0, 6.0]
    """
    for lo in range(first, stop, _CHUNK):
        hi = min(lo + _CHUNK, stop)
        u, acc = z[lo:hi] - centre, out[lo:hi]
        acc.fill(d[-1])
        for c in d[-2::-1]:
            acc *= u
            acc += c


#: most terms :func:`values_in_groups` sums per row (more: the caller bins z instead)
GROUP_TERMS = 40


def values_in_groups(np: Any, B: Any, C: Any, starts: Any, z: Any) -> Any:  # noqa: N803
    """``2F1(1, B[g]; C[g]; z)`` for rows grouped by ``g`` (rows ``starts[g]:starts[g + 1]``),
    ``0 ≤ z ≤ 0.9``, with one expansion for all rows (no sorting by bins of ``z``), or
    ``None`` when that needs more than ``GROUP_TERMS`` terms (a wide range of ``z``: then
    :func:`values_by_level` is faster).

    The series is re-expanded about the centre of the rows' range of ``z``
    (:func:`_recentred`): with half-width ``h`` it converges like ``(h / (1 − centre))^k``.
    The re-expanded coefficients are positive, so ``Σ_k |d_k| h^k`` is at most ``F`` at the
    range's top: the sum is accurate to rounding relative to ``F`` (times ``F(top) / F(z)``).

    Examples:
        >>> import numpy as np, scipy.special as sp
        >>> from crmkit.clv._pareto_series import values_in_groups
        >>> z, starts = np.array([0.1, 0.3, 0.2, 0.25]), np.array([0, 1, 4])
        >>> B, C = np.array([1.6, 2.5]), np.array([4.2, 3.5])
        >>> ref = sp.hyp2f1(1.0, B[[0, 1, 1, 1]], C[[0, 1, 1, 1]], z)
        >>> bool(np.all(np.abs(values_in_groups(np, B, C, starts, z) / ref - 1) < 1e-14))
        True
        >>> values_in_groups(np, B, C, starts, np.array([0.0, 0.0, 0.9, 0.9])) is None
        True
    """
    rows = z.shape[0]
    out = np.empty(rows)
    if not rows:
        return out
    low, high = float(z.min()), float(z.max())
    top = terms_needed(high, float(B.min()), False)
    if top > _RECENTRE_UP_TO:
        return None
    centre, half = 0.5 * (low + high), 0.5 * (high - low)
    bounds = starts.tolist()
    present = [g for g in range(len(bounds) - 1) if bounds[g + 1] > bounds[g]]
    d = _recentred(np, B[present], C[present], top, high, centre, half)
    if d.shape[1] > GROUP_TERMS:
        return None
    for g, row in zip(present, d.tolist(), strict=True):
        _horner(row, centre, z, out, bounds[g], bounds[g + 1])
    return out
