"""Analytical, operational and collaborative CRM, and the benefit chain from CRM types to
better prospecting.

Both theses that discuss CRM systems split them into three types. Khodakarami & Chan (2014),
as cited in "Big data och CRM:s roll för konkurrenskraft i B2B-företag" (reference:
seed-000.md L309-L315): analytical CRM understands customers' needs and behaviour, operational
CRM automates CRM processes, collaborative CRM manages and integrates channels and touchpoints.
Laudon & Laudon and Heggernes, as cited in the Norwegian prospecting thesis "Hvordan kan
tjenesteytende B2B-bedrifter bruke digitale CRM-systemer til å optimalisere prospektering"
(reference: seed-001.md L115-L123), say the same and list each type's benefits for
prospecting. :class:`CrmType` is the classification; capabilities (see
:attr:`crmkit.strategy.Capability.crm_type`), channels (:func:`channel_crm_type`) and KPIs
(:data:`crmkit.strategy.INTERVIEW_KPIS`) are tagged with it.

The prospecting thesis's figure 3 (reference: seed-001.md L123, L695) is a benefit chain: the
three types' benefits give efficiency and automation, which improve prospecting, which shows
in the four quality parameters — higher conversion rate, higher value per customer, fewer work
hours, lower cost (:data:`crmkit.scoring.QUALITY_PARAMETERS`). :data:`BENEFIT_CHAIN` holds it
as data.

Examples:
    >>> from crmkit.strategy.crm_types import CrmType, benefit_chain, benefits
    >>> [t.value for t in CrmType]
    ['analytical', 'operational', 'collaborative']
    >>> [link.target for link in benefit_chain(CrmType.OPERATIONAL)]
    ['automation', 'prospecting', 'conversion_rate', 'value_per_customer', 'hours_per_new_customer', 'cost_per_new_customer']
    >>> benefits(CrmType.COLLABORATIVE)[0].text
    'Leads are stored and systematised at once, visible to everyone'
"""

from __future__ import annotations

import enum

import attrs

from crmkit.domain import Channel, ChannelCategory
from crmkit.errors import ValidationError
from crmkit.scoring import QUALITY_PARAMETERS
from crmkit.strategy.framework import Label

__all__ = [
    "BENEFIT_CHAIN",
    "CRM_TYPE_BENEFITS",
    "BenefitLink",
    "CrmType",
    "CrmTypeBenefit",
    "benefit_chain",
    "benefits",
    "channel_crm_type",
]


class CrmType(enum.Enum):
    """The three CRM types (reference: seed-000.md L309-L315; seed-001.md L115-L121).

    Examples:
        >>> from crmkit.strategy.crm_types import CrmType
        >>> CrmType.parse("Collaborative") is CrmType.COLLABORATIVE
        True
        >>> CrmType.ANALYTICAL.label.sv, CrmType.COLLABORATIVE.label.no
        ('Analytisk CRM', 'Samarbeidsdrevet CRM')
        >>> CrmType.parse("strategic")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: crm_type: 'strategic' must be one of analytical, operational, collaborative
    """

    ANALYTICAL = "analytical"
    OPERATIONAL = "operational"
    COLLABORATIVE = "collaborative"

    @property
    def label(self) -> Label:
        """English, Swedish and Norwegian names."""
        return _LABELS[self]

    @property
    def definition(self) -> str:
        """What the type does, in the sources' words (paraphrased)."""
        return _DEFINITIONS[self]

    @classmethod
    def parse(cls, value: CrmType | str) -> CrmType:
        """A member from itself or its value, case-insensitively."""
        if isinstance(value, CrmType):
            return value
        if isinstance(value, str):
            try:
                return cls(value.strip().lower())
            except ValueError:
                pass
        names = ", ".join(t.value for t in cls)
        raise ValidationError.single("crm_type", value, f"must be one of {names}")


_LABELS = {
    CrmType.ANALYTICAL: Label("Analytical CRM", "Analytisk CRM", "Analytisk CRM"),
    CrmType.OPERATIONAL: Label("Operational CRM", "Operationell CRM", "Operasjonell CRM"),
    CrmType.COLLABORATIVE: Label("Collaborative CRM", "Kollaborativ CRM", "Samarbeidsdrevet CRM"),
}
_DEFINITIONS = {
    CrmType.ANALYTICAL: (
        "Analyses customer data to understand individual customers' needs and behaviour: "
        "predictive modelling, purchase patterns, filtering out the most relevant customers."
    ),
    CrmType.OPERATIONAL: (
        "Automates sales, marketing and customer service for productivity: finding potential "
        "customers, converting them and selling more to existing ones."
    ),
    CrmType.COLLABORATIVE: (
        "Manages and integrates channels and touchpoints so that customers get consistent "
        "information and service whoever they talk to; shared records across departments."
    ),
}


@attrs.frozen
class CrmTypeBenefit:
    """One benefit of a CRM type for prospecting, as the prospecting thesis lists it.

    Examples:
        >>> from crmkit.strategy.crm_types import CRM_TYPE_BENEFITS
        >>> CRM_TYPE_BENEFITS[0].crm_type.value, CRM_TYPE_BENEFITS[0].reference
        ('analytical', 'seed-001.md L119')
    """

    crm_type: CrmType
    text: str
    reference: str


_A, _O, _C = CrmType.ANALYTICAL, CrmType.OPERATIONAL, CrmType.COLLABORATIVE
#: Benefits per type (reference: seed-001.md L119-L121, source lines 496-534).
CRM_TYPE_BENEFITS: tuple[CrmTypeBenefit, ...] = (
    CrmTypeBenefit(_A, "Better segmentation into target groups", "seed-001.md L119"),
    CrmTypeBenefit(_A, "Filter prospects by interest level and prioritise resources",
                   "seed-001.md L119"),
    CrmTypeBenefit(_A, "Learn from past results: replies, clicks, seminar attendance",
                   "seed-001.md L119"),
    CrmTypeBenefit(_A, "Analyse lost and unconverted customers by the reason logged",
                   "seed-001.md L119"),
    CrmTypeBenefit(_O, "Collect and store contact information automatically",
                   "seed-001.md L120"),
    CrmTypeBenefit(_O, "Send e-mails, messages and follow-ups automatically (e-mail sequences)",
                   "seed-001.md L120"),
    CrmTypeBenefit(_O, "Web interest forms flow into the CRM and are segmented automatically",
                   "seed-001.md L120"),
    CrmTypeBenefit(_O, "Avoid human error such as forgotten follow-ups", "seed-001.md L120"),
    CrmTypeBenefit(_C, "Leads are stored and systematised at once, visible to everyone",
                   "seed-001.md L121"),
    CrmTypeBenefit(_C, "Assign sellers by segment, free capacity and experience",
                   "seed-001.md L121"),
    CrmTypeBenefit(_C, "Everyone sees where in the process each customer is",
                   "seed-001.md L121"),
    CrmTypeBenefit(_C, "Win back lost prospects when the cause of loss is fixed",
                   "seed-001.md L121"),
)  # fmt: skip


def benefits(crm_type: CrmType | str) -> list[CrmTypeBenefit]:
    """The prospecting benefits of one CRM type, in source order.

    Examples:
        >>> from crmkit.strategy.crm_types import benefits
        >>> len(benefits("analytical")), len(benefits("operational"))
        (4, 4)
    """
    t = CrmType.parse(crm_type)
    return [b for b in CRM_TYPE_BENEFITS if b.crm_type is t]


@attrs.frozen
class BenefitLink:
    """An arrow of the benefit chain: ``source`` leads to ``target``.

    Examples:
        >>> from crmkit.strategy.crm_types import BENEFIT_CHAIN
        >>> BENEFIT_CHAIN[0]
        BenefitLink(source='analytical', target='efficiency')
    """

    source: str
    target: str


_OUTCOMES = tuple(p.key for p in QUALITY_PARAMETERS)
#: The prospecting thesis's figure 3 as edges (reference: seed-001.md L123, L695): analytical
#: CRM's insight makes prospecting efficient, operational CRM automates it, collaborative CRM
#: makes it efficient (shared records, routing); efficiency and automation improve
#: prospecting, which shows in the four quality parameters.
BENEFIT_CHAIN: tuple[BenefitLink, ...] = (
    BenefitLink("analytical", "efficiency"),
    BenefitLink("operational", "automation"),
    BenefitLink("operational", "efficiency"),
    BenefitLink("collaborative", "efficiency"),
    BenefitLink("efficiency", "prospecting"),
    BenefitLink("automation", "prospecting"),
    *(BenefitLink("prospecting", outcome) for outcome in _OUTCOMES),
)


def benefit_chain(crm_type: CrmType | str) -> list[BenefitLink]:
    """The links from one CRM type to the four quality parameters, first path only (the type
    → its first means → prospecting → each parameter).

    Examples:
        >>> from crmkit.strategy.crm_types import benefit_chain
        >>> [(link.source, link.target) for link in benefit_chain("analytical")][:2]
        [('analytical', 'efficiency'), ('efficiency', 'prospecting')]
    """
    t = CrmType.parse(crm_type)
    first = next(link for link in BENEFIT_CHAIN if link.source == t.value)
    path = [first]
    path.extend(link for link in BENEFIT_CHAIN if link.source == first.target)
    path.extend(link for link in BENEFIT_CHAIN if link.source == "prospecting")
    return path


def channel_crm_type(channel: Channel | ChannelCategory) -> CrmType:
    """The CRM type that manages a channel: always collaborative, since collaborative CRM is the
    one that "manages and integrates customer channels and touchpoints" (reference:
    seed-000.md L314-L315).

    Examples:
        >>> from crmkit.domain import default_catalogue
        >>> from crmkit.strategy.crm_types import channel_crm_type
        >>> channel_crm_type(default_catalogue()["linkedin"]).value
        'collaborative'
    """
    if not isinstance(channel, Channel | ChannelCategory):
        raise ValidationError.single("channel", channel, "must be a Channel or ChannelCategory")
    return CrmType.COLLABORATIVE
