"""Consistency checks for published or reported survey statistics.

Each check recomputes what a reported figure implies and returns a list of
:class:`Finding` objects; an empty list means the report is consistent. They catch the kind
of slips found in seed 003 §3.9: a correlation whose CI, p and covariance imply another r, a
scale stored with an offset, a value that is truncated instead of rounded, a share that does
not match its counts.

**Rounding rule.** Every check that compares a printed figure takes ``rounding``: the rule the
report was printed with — ``"half_up"`` (ties away from zero: Qualtrics, JMP, Excel, SPSS
output), ``"half_even"`` (ties to the even digit: R, Python, NumPy) or ``"either"`` (the
default: a figure correct under either rule is consistent). Ties are decided in exact decimal
arithmetic: a computed value is the decimal it prints as (``2.675`` is a tie), a share
``count / n`` is the exact fraction, never its binary float (see the docs page *Time and
boundaries*, ``docs/concepts/time-and-boundaries.md``).

Examples:
    >>> from crmkit.survey import check_share_report
    >>> check_share_report(1, 8, 13, decimals=0, rounding="half_up")  # 12.5 % printed as 13
    []
    >>> [f.code for f in check_share_report(1, 8, 13, decimals=0, rounding="half_even")]
    ['share']
    >>> from crmkit.survey import check_correlation_report
    >>> findings = check_correlation_report(0.34958, 64, ci=(0.112401, 0.547479),
    ...     p=0.0048, covariance=0.181796, sd_x=0.79915, sd_y=0.652609)
    >>> findings[0].code
    'correlation.r'
    >>> round(findings[0].expected, 5)
    0.34858
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Literal

import attrs

from crmkit.display import ResultRow
from crmkit.errors import ValidationError
from crmkit.survey.correlation import correlation_from_summary
from crmkit.survey.descriptives import Counts, describe

__all__ = [
    "ROUNDING_RULES",
    "Finding",
    "Rounding",
    "check_correlation_report",
    "check_descriptives_report",
    "check_rounding",
    "check_scale_range",
    "check_share_report",
    "infer_ddof",
]


@attrs.frozen
class Finding(ResultRow):
    """One inconsistency: a machine-readable ``code``, the ``subject`` checked, a sentence,
    and the reported and the expected value.

    Examples:
        >>> from crmkit.survey import check_rounding
        >>> str(check_rounding(0.7769, 0.73, decimals=2, subject="F3 alpha")[0])
        'F3 alpha: reported 0.73 but 0.7769 rounds to 0.78'
    """

    code: str
    subject: str
    message: str
    reported: object = None
    expected: object = None

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}"


Rounding = Literal["half_up", "half_even", "either"]
#: The rounding rules a report may have been printed with (see the module docstring).
ROUNDING_RULES = ("half_up", "half_even", "either")


def _exact(value: float | int | Fraction) -> Fraction:
    """A number as the exact decimal it prints as (floats by their shortest repr)."""
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(value)


def _round(value: Fraction, decimals: int, rule: str) -> Fraction:
    """``value`` rounded to ``decimals`` places by ``rule``, exactly."""
    if rule == "half_even":
        return round(value, decimals)
    scale = Fraction(10) ** decimals
    magnitude = math.floor(abs(value) * scale + Fraction(1, 2)) / scale
    return magnitude if value >= 0 else -magnitude


def _rules(rounding: str) -> tuple[str, ...]:
    if rounding not in ROUNDING_RULES:
        raise ValidationError.single(
            "rounding", rounding, f"is not a rounding rule; use one of {', '.join(ROUNDING_RULES)}"
        )
    return ("half_up", "half_even") if rounding == "either" else (rounding,)


def _same_rounded(exact: float | Fraction, reported: float, decimals: int, rounding: str) -> bool:
    """Whether ``exact`` printed at ``decimals`` by the report's rule is ``reported``."""
    value, printed = _exact(exact), _exact(reported)
    return any(
        _round(value, decimals, rule) == _round(printed, decimals, rule)
        for rule in _rules(rounding)
    )


def _close(a: float, b: float, tol: float) -> bool:
    return abs(a - b) <= tol + 1e-12


def check_correlation_report(
    r: float,
    n: int,
    *,
    ci: tuple[float, float] | None = None,
    p: float | str | None = None,
    covariance: float | None = None,
    sd_x: float | None = None,
    sd_y: float | None = None,
    tolerance: float = 5e-5,
    p_tolerance: float = 5e-5,
    level: float = 0.95,
    subject: str = "correlation",
) -> list[Finding]:
    """Check a reported Pearson r against its own CI, p-value and covariance.

    Recomputes the Fisher-z interval, the two-sided t-test p (extra ``stats``) and
    ``r·sd_x·sd_y`` from the reported r. When they disagree, the r implied by the reported
    interval (and by the covariance) is given, so a typo in r shows as one finding with the
    r everything else agrees on (seed 003, TV-4 last row).

    Args:
        p: the reported p-value, or a bound printed as text such as ``"<.0001"``.
        tolerance: allowed absolute difference for the CI bounds and the covariance.
        p_tolerance: allowed absolute difference for the p-value.

    Examples:
        >>> from crmkit.survey import check_correlation_report
        >>> check_correlation_report(0.345141, 64, ci=(0.10854, 0.544735), p=0.0052,
        ...     covariance=0.325728, sd_x=1.446122, sd_y=0.652609)
        []
    """
    corr = correlation_from_summary(r, n, sd_x=sd_x, sd_y=sd_y)
    findings: list[Finding] = []
    mismatched: list[str] = []
    implied: list[float] = []
    if ci is not None:
        lo, hi = corr.confidence_interval(level)
        if not (_close(lo, ci[0], tolerance) and _close(hi, ci[1], tolerance)):
            mismatched.append(f"CI [{ci[0]:g}, {ci[1]:g}] (r gives [{lo:.6f}, {hi:.6f}])")
        if -1 < ci[0] < ci[1] < 1:
            implied.append(math.tanh((math.atanh(ci[0]) + math.atanh(ci[1])) / 2))
    if covariance is not None and sd_x is not None and sd_y is not None:
        if not _close(corr.covariance, covariance, tolerance):
            mismatched.append(f"covariance {covariance:g} (r gives {corr.covariance:.6f})")
        if sd_x > 0 and sd_y > 0:
            implied.append(covariance / (sd_x * sd_y))
    if p is not None:
        computed = corr.p_value()
        if isinstance(p, str):
            text = p.strip().lstrip("<").strip()
            bound = float(text)
            if not computed < bound:
                mismatched.append(f"p {p} (r gives {computed:.5f})")
        elif not _close(computed, p, p_tolerance):
            mismatched.append(f"p {p:g} (r gives {computed:.5f})")
    if mismatched:
        expected = math.fsum(implied) / len(implied) if implied else None
        hint = f"; they imply r = {expected:.5f}" if expected is not None else ""
        findings.append(
            Finding(
                code="correlation.r",
                subject=subject,
                message=f"reported r {r:g} contradicts its " + ", ".join(mismatched) + hint,
                reported=r,
                expected=expected,
            )
        )
    return findings


def infer_ddof(
    counts: Counts,
    *,
    sd: float | None = None,
    variance: float | None = None,
    start: float = 1,
    decimals: int = 2,
    rounding: Rounding = "either",
) -> int | None:
    """Which ``ddof`` (0 = population, 1 = sample) reproduces a reported SD/variance from
    counts at the printed precision; ``None`` if neither (or both) do.

    Examples:
        >>> from crmkit.survey import infer_ddof
        >>> infer_ddof([14, 25, 26, 13, 17, 4], sd=1.41, variance=2.00)   # Qualtrics
        0
    """
    matches = []
    for ddof in (0, 1):
        d = describe(counts=counts, start=start, ddof=ddof)
        ok = True
        if sd is not None and not _same_rounded(d.sd, sd, decimals, rounding):
            ok = False
        if variance is not None and not _same_rounded(d.variance, variance, decimals, rounding):
            ok = False
        if ok:
            matches.append(ddof)
    return matches[0] if len(matches) == 1 else None


def check_descriptives_report(
    counts: Counts,
    *,
    mean: float,
    sd: float | None = None,
    variance: float | None = None,
    ddof: int | None = None,
    start: float = 1,
    decimals: int = 2,
    subject: str = "item",
    rounding: Rounding = "either",
) -> list[Finding]:
    """Check a reported mean/SD/variance against the answer counts at ``decimals``.

    Detects a mean that matches only after shifting the options (a scale stored with an
    offset, seed 003 TV-2) and an SD that matches neither the population nor the sample
    formula (or not the ``ddof`` the report claims).

    Examples:
        >>> from crmkit.survey import check_descriptives_report
        >>> [f.code for f in check_descriptives_report([2, 1, 1, 13, 9, 28, 20], mean=6.57)]
        ['descriptives.offset']
        >>> check_descriptives_report([71, 8], mean=1.10, sd=0.30, variance=0.09, ddof=0)
        []
    """
    findings: list[Finding] = []
    base = describe(counts=counts, start=start, ddof=ddof if ddof is not None else 1)
    if not _same_rounded(base.mean, mean, decimals, rounding):
        offset = mean - base.mean
        whole = round(offset)
        if whole != 0 and _same_rounded(_exact(base.mean) + whole, mean, decimals, rounding):
            findings.append(
                Finding(
                    "descriptives.offset",
                    subject,
                    f"mean {mean:g} matches the counts only with the options shifted by "
                    f"{whole:+d} (stored {start + whole:g}… instead of {start:g}…); "
                    f"recode with offset {-whole:+d}",
                    reported=mean,
                    expected=base.mean,
                )
            )
        else:
            findings.append(
                Finding(
                    "descriptives.mean",
                    subject,
                    f"reported mean {mean:g} but the counts give {base.mean:.4f}",
                    reported=mean,
                    expected=base.mean,
                )
            )
    if sd is None and variance is None:
        return findings
    candidates = (0, 1) if ddof is None else (ddof,)
    reproduced = False
    for cand in candidates:
        d = describe(counts=counts, start=start, ddof=cand)
        sd_ok = sd is None or _same_rounded(d.sd, sd, decimals, rounding)
        var_ok = variance is None or _same_rounded(d.variance, variance, decimals, rounding)
        if sd_ok and var_ok:
            reproduced = True
    if not reproduced:
        d = describe(counts=counts, start=start, ddof=candidates[0])
        which = "either formula" if ddof is None else f"ddof={ddof}"
        findings.append(
            Finding(
                "descriptives.spread",
                subject,
                f"reported SD {sd} / variance {variance} not reproduced by {which} "
                f"(ddof={candidates[0]} gives {d.sd:.4f} / {d.variance:.4f})",
                reported=(sd, variance),
                expected=(d.sd, d.variance),
            )
        )
    return findings


def check_scale_range(
    minimum: float, maximum: float, scale: tuple[float, float], *, subject: str = "item"
) -> list[Finding]:
    """Check observed answers (their min and max) against the scale they should be on.

    Answers running one step above the scale at both ends, like 2–8 on a 1–7 scale, are
    reported as an offset with the recode that fixes it (seed 003 §3.9 item 9).

    Examples:
        >>> from crmkit.survey import check_scale_range
        >>> print(check_scale_range(2, 8, (1, 7), subject="q03")[0])
        q03: answers run 2–8 on the 1–7 scale: stored with offset +1; recode with offset -1
        >>> check_scale_range(2, 7, (1, 7))
        []
    """
    low, high = scale
    if minimum >= low and maximum <= high:
        return []
    offset = 0.0
    if maximum > high:
        offset = maximum - high
    elif minimum < low:
        offset = minimum - low
    if offset and low <= minimum - offset and maximum - offset <= high:
        return [
            Finding(
                "scale.offset",
                subject,
                f"answers run {minimum:g}–{maximum:g} on the {low:g}–{high:g} scale: stored "
                f"with offset {offset:+g}; recode with offset {-offset:+g}",
                reported=(minimum, maximum),
                expected=scale,
            )
        ]
    return [
        Finding(
            "scale.range",
            subject,
            f"answers run {minimum:g}–{maximum:g}, outside the {low:g}–{high:g} scale",
            reported=(minimum, maximum),
            expected=scale,
        )
    ]


def check_rounding(
    exact: float,
    reported: float,
    *,
    decimals: int,
    subject: str = "value",
    rounding: Rounding = "either",
) -> list[Finding]:
    """Check that ``reported`` is ``exact`` rounded to ``decimals`` places; says so when it
    was truncated instead (seed 003 §3.5 prose matrix) or is simply another number.

    ``rounding`` is the rule the report printed with (module docstring): with
    ``"half_up"`` 0.125 printed as 0.13 is consistent, with ``"half_even"`` 0.12 is.

    Examples:
        >>> from crmkit.survey import check_rounding
        >>> print(check_rounding(0.2154, 0.21, decimals=2, subject="F1-F2")[0])
        F1-F2: reported 0.21 but 0.2154 rounds to 0.22 (it was truncated, not rounded)
        >>> check_rounding(0.2154, 0.22, decimals=2)
        []
    """
    rules = _rules(rounding)
    if _same_rounded(exact, reported, decimals, rounding):
        return []
    target = float(_round(_exact(exact), decimals, rules[0]))
    scale = 10**decimals
    truncated = math.trunc(exact * scale) / scale
    note = (
        " (it was truncated, not rounded)"
        if math.isclose(truncated, reported, abs_tol=10 ** -(decimals + 3))
        else ""
    )
    return [
        Finding(
            "rounding",
            subject,
            f"reported {reported:g} but {exact:g} rounds to {target:.{decimals}f}{note}",
            reported=reported,
            expected=target,
        )
    ]


def check_share_report(
    count: int,
    n: int,
    reported_percent: float,
    *,
    decimals: int = 1,
    subject: str = "share",
    rounding: Rounding = "either",
) -> list[Finding]:
    """Check a reported percentage against ``count`` of ``n`` at ``decimals`` places.

    Examples:
        >>> from crmkit.survey import check_share_report
        >>> check_share_report(65, 71, 91.5)
        []
        >>> print(check_share_report(65, 71, 93, decimals=0, subject="other services")[0])
        other services: reported 93% but 65 of 71 is 91.5%
    """
    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        raise ValidationError.single("n", n, "must be a whole number above 0")
    if not 0 <= count <= n:
        raise ValidationError.single("count", count, f"must be between 0 and n ({n})")
    pct = 100 * count / n
    if _same_rounded(Fraction(100 * count, n), reported_percent, decimals, rounding):
        return []
    return [
        Finding(
            "share",
            subject,
            f"reported {reported_percent:g}% but {count} of {n} is {pct:.1f}%",
            reported=reported_percent,
            expected=pct,
        )
    ]
