"""The capability registry: which public crmkit analytic serves which Payne–Frow element.

The registry is data — the :data:`REGISTRY` table below. Each row names a public callable by
its dotted path (``"crmkit.clv:BetaGeo"``), the process and element it serves and, in a few
words, what it does. Analytics never import :mod:`crmkit.strategy`; the strategy layer knows
the analytics by these paths, and a test resolves every path to a real public callable. To
register a new analytic add a row to the table.

Assessment gaps point at the entries registered for the gap's element or one of its ancestors.

Examples:
    >>> from crmkit.strategy.capabilities import capabilities, capabilities_for
    >>> [c.path for c in capabilities("PA")][:2]
    ['crmkit.strategy:assess', 'crmkit.strategy:loyal_share']
    >>> "crmkit.strategy:channel_integration_gaps" in [
    ...     c.path for c in capabilities_for("integrated_channel_management")]
    True
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import attrs

from crmkit.errors import NotFoundError, ValidationError
from crmkit.strategy.framework import Element, Process, element

__all__ = ["REGISTRY", "Capability", "capabilities", "capabilities_for", "resolve"]

#: (dotted path, process, element key, what it does). Add rows here to register analytics.
REGISTRY: tuple[tuple[str, str, str, str], ...] = (
    # strategy development
    ("crmkit.strategy:WorkbookAnswers", "SD", "business_vision",
     "the CRM strategy workbook: vision, strategy and customer analysis answers"),
    ("crmkit.strategy:customer_status", "SD", "customer_choice",
     "classify customers as active, passive or potential from invoice dates"),
    ("crmkit.strategy:KeyAccountSelection", "SD", "customer_choice",
     "weighted key-account selection over the eight selection criteria"),
    ("crmkit.strategy:KamProgramme", "SD", "customer_strategy",
     "Ryals' seven-step key-account programme checklist with progress"),
    ("crmkit.strategy:readiness_check", "SD", "business_strategy",
     "Selnes & Hagen's CRM success factors as a readiness check"),
    # value creation
    ("crmkit.strategy:profitability_matrix", "VC", "value_organisation_receives",
     "profitability × growth-potential shares of the customer base"),
    ("crmkit.strategy:repurchase_shares", "VC", "retention_economics",
     "repurchase-frequency buckets as shares of customers"),
    ("crmkit.strategy:share_of_wallet_split", "VC", "retention_economics",
     "share of customers above and below a share-of-wallet threshold"),
    ("crmkit.strategy:cross_sell_rate", "VC", "retention_economics",
     "share of customers buying more than one product or service"),
    ("crmkit.strategy:acquisition_cost", "VC", "acquisition_economics",
     "acquisition cost from retention cost and the 'almost five times' ratio"),
    ("crmkit.strategy:kamo_assessment", "VC", "value_assessment",
     "KAM orientation and relational capabilities → relationship quality"),
    # multichannel integration
    ("crmkit.strategy:channel_integration_gaps", "MCI", "integrated_channel_management",
     "channels in use without integrated IT support"),
    ("crmkit.strategy:same_standard_on_every_channel", "MCI", "integrated_channel_management",
     "check that every channel in use meets the same (integrated) standard"),
    ("crmkit.domain:ChannelCatalogue", "MCI", "channel_categories",
     "catalogue of concrete channels mapped to the six channel categories"),
    ("crmkit.domain:KeyAccountRelationship", "MCI", "sales_force",
     "key-account relationship stages, transitions and frustration zones"),
    ("crmkit.strategy:FollowUpPlan", "MCI", "sales_force",
     "follow-up cadence per key account: next due and overdue contacts"),
    ("crmkit.strategy:ContactAssignment", "MCI", "sales_force",
     "two-contact model (key account manager + support) with handovers"),
    # information management
    ("crmkit.strategy:maturity_level", "IM", "it_systems",
     "classify CRM maturity A1/A2/B/C/D"),
    # performance assessment
    ("crmkit.strategy:assess", "PA", "standards",
     "score the organisation 0–5 per element and process with a ranked gap list"),
    ("crmkit.strategy:loyal_share", "PA", "customer_value",
     "share of loyal customers (recommends ∧ repurchases often ∧ high share of wallet)"),
    ("crmkit.strategy:top_n_concentration", "PA", "metrics_and_kpis",
     "revenue share of the largest customers"),
    ("crmkit.strategy:KamScorecard", "PA", "metrics_and_kpis",
     "financial and non-financial key-account outcomes"),
    ("crmkit.report:assessment_html", "PA", "results_and_reporting",
     "standalone HTML assessment report with a radar chart"),
    ("crmkit.report:assessment_markdown", "PA", "results_and_reporting",
     "Markdown assessment report"),
    ("crmkit.report:radar_svg", "PA", "results_and_reporting",
     "SVG radar chart of the five process scores"),
)  # fmt: skip


@attrs.frozen
class Capability:
    """One registry entry: a public callable serving a Payne–Frow element.

    Examples:
        >>> from crmkit.strategy.capabilities import capabilities
        >>> cap = capabilities("MCI")[0]
        >>> cap.path, cap.element.key
        ('crmkit.strategy:channel_integration_gaps', 'integrated_channel_management')
        >>> cap.resolve().__name__
        'channel_integration_gaps'
    """

    path: str
    process: Process
    element_key: str
    description: str

    @property
    def element(self) -> Element:
        """The framework element served."""
        return element(self.element_key)

    def resolve(self) -> Callable[..., Any]:
        """Import and return the callable (see :func:`resolve`)."""
        return resolve(self.path)


def _entries() -> list[Capability]:
    out = []
    for path, process, key, what in REGISTRY:
        p = Process.parse(process)
        if element(key).process is not p:
            raise ValidationError.single(
                f"registry.{path}", key, f"is not an element of the {p.value} process"
            )
        out.append(Capability(path, p, key, what))
    return out


def capabilities(process: Process | str | None = None) -> list[Capability]:
    """The registered capabilities, optionally of one process, in registry order.

    Examples:
        >>> from crmkit.strategy.capabilities import capabilities
        >>> {c.process.short for c in capabilities()} == {"SD", "VC", "MCI", "IM", "PA"}
        True
    """
    entries = _entries()
    if process is None:
        return entries
    p = Process.parse(process)
    return [c for c in entries if c.process is p]


def capabilities_for(element_key: str) -> list[Capability]:
    """Capabilities registered for ``element_key`` or any element above it in the tree.

    Examples:
        >>> from crmkit.strategy.capabilities import capabilities_for
        >>> [c.path for c in capabilities_for("acquisition_economics")]
        ['crmkit.strategy:profitability_matrix', 'crmkit.strategy:acquisition_cost']
    """
    keys: set[str] = set()
    current: str | None = element_key
    while current is not None:
        keys.add(current)
        current = element(current).parent
    return [c for c in _entries() if c.element_key in keys]


def resolve(path: str) -> Callable[..., Any]:
    """Import ``"package.module:name"`` and return the public callable it names.

    Examples:
        >>> from crmkit.strategy.capabilities import resolve
        >>> resolve("crmkit.strategy:assess").__name__
        'assess'
        >>> resolve("crmkit.strategy:_private")
        Traceback (most recent call last):
        ...
        crmkit.errors.NotFoundError: 'crmkit.strategy:_private' is not a public name
    """
    module_name, sep, attr = path.partition(":")
    if not sep or not module_name or not attr:
        raise ValidationError.single("path", path, "must look like 'crmkit.module:name'")
    if any(part.startswith("_") for part in attr.split(".")):
        raise NotFoundError(f"{path!r} is not a public name")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError:
        raise NotFoundError(f"{path!r}: module {module_name!r} cannot be imported") from None
    public = getattr(obj, "__all__", None)
    first = attr.split(".")[0]
    if public is not None and first not in public:
        raise NotFoundError(f"{path!r}: {first!r} is not in {module_name}.__all__")
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise NotFoundError(f"{path!r}: {module_name} has no {attr!r}") from None
    if not callable(obj):
        raise NotFoundError(f"{path!r} is not callable")
    return obj  # type: ignore[no-any-return]
