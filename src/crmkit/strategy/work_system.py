"""Alter's work-system theory beyond the nine element names: zones, infrastructure types,
strategy levels, environment factors and the information operations.

"Big data och CRM:s roll för konkurrenskraft i B2B-företag" uses Alter's work-system framework
(Alter 2013) as a supporting theory (reference: seed-000.md L198-L225). Its nine elements sit
in three zones: four fully inside the work system, two partly inside, three outside. The
infrastructure has three types, strategies three levels, the environment six kinds of factors,
and information is transferred, created, retrieved, stored and updated. How the elements map
onto the Payne–Frow processes is :data:`crmkit.strategy.CROSSWALK`.

Examples:
    >>> from crmkit.strategy.work_system import WorkSystemElement, Zone, elements_in
    >>> [e.value for e in elements_in(Zone.PARTLY_INSIDE)]
    ['products_and_services', 'customers']
    >>> [len(elements_in(z)) for z in Zone]
    [4, 2, 3]
    >>> WorkSystemElement.STRATEGIES.label.sv
    'Strategier'
"""

from __future__ import annotations

import enum

from crmkit.strategy._enums import enum_member
from crmkit.strategy.framework import Label

__all__ = [
    "EnvironmentFactor",
    "InformationOperation",
    "InfrastructureType",
    "StrategyLevel",
    "WorkSystemElement",
    "Zone",
    "elements_in",
]


class Zone(enum.Enum):
    """Where an element sits relative to the work system (reference: seed-000.md L206, L220).

    Examples:
        >>> from crmkit.strategy.work_system import Zone
        >>> [z.value for z in Zone]
        ['inside', 'partly_inside', 'outside']
    """

    INSIDE = "inside"
    PARTLY_INSIDE = "partly_inside"
    OUTSIDE = "outside"


class WorkSystemElement(enum.Enum):
    """The nine elements in Alter's order (reference: seed-000.md L208-L218).

    Examples:
        >>> from crmkit.strategy.work_system import WorkSystemElement
        >>> WorkSystemElement.INFRASTRUCTURE.zone.value, WorkSystemElement.INFRASTRUCTURE.number
        ('outside', 8)
    """

    PROCESSES_AND_ACTIVITIES = "processes_and_activities"
    PARTICIPANTS = "participants"
    INFORMATION = "information"
    TECHNOLOGY = "technology"
    PRODUCTS_AND_SERVICES = "products_and_services"
    CUSTOMERS = "customers"
    ENVIRONMENT = "environment"
    INFRASTRUCTURE = "infrastructure"
    STRATEGIES = "strategies"

    @property
    def number(self) -> int:
        """Position 1–9."""
        return list(WorkSystemElement).index(self) + 1

    @property
    def zone(self) -> Zone:
        """Inside (1–4), partly inside (5–6) or outside (7–9)."""
        n = self.number
        return Zone.INSIDE if n <= 4 else Zone.PARTLY_INSIDE if n <= 6 else Zone.OUTSIDE

    @property
    def label(self) -> Label:
        """English, Swedish and Norwegian names."""
        return _ELEMENT_LABELS[self]


_E = WorkSystemElement
_ELEMENT_LABELS = {
    _E.PROCESSES_AND_ACTIVITIES: Label("Processes and activities", "Processer och aktiviteter",
                                       "Prosesser og aktiviteter"),
    _E.PARTICIPANTS: Label("Participants", "Deltagare", "Deltakere"),
    _E.INFORMATION: Label("Information", "Information", "Informasjon"),
    _E.TECHNOLOGY: Label("Technology", "Teknologi", "Teknologi"),
    _E.PRODUCTS_AND_SERVICES: Label("Products and services", "Produkter och tjänster",
                                    "Produkter og tjenester"),
    _E.CUSTOMERS: Label("Customers", "Kunder", "Kunder"),
    _E.ENVIRONMENT: Label("Environment", "Omgivning", "Omgivelser"),
    _E.INFRASTRUCTURE: Label("Infrastructure", "Infrastruktur", "Infrastruktur"),
    _E.STRATEGIES: Label("Strategies", "Strategier", "Strategier"),
}  # fmt: skip


def elements_in(zone: Zone | str) -> list[WorkSystemElement]:
    """The elements of one zone, in order.

    Examples:
        >>> from crmkit.strategy.work_system import elements_in
        >>> elements_in("nowhere")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: zone: 'nowhere' must be one of inside, partly_inside, outside
    """
    z = enum_member(Zone, zone, "zone")
    return [e for e in WorkSystemElement if e.zone is z]


class InfrastructureType(enum.Enum):
    """The three infrastructure types, all equally vital (reference: seed-000.md L217, L224):
    human (the channels as people), information (what flows through the channels) and technical
    (technology and applications).

    Examples:
        >>> from crmkit.strategy.work_system import InfrastructureType
        >>> [t.value for t in InfrastructureType]
        ['human', 'information', 'technical']
    """

    HUMAN = "human"
    INFORMATION = "information"
    TECHNICAL = "technical"


class StrategyLevel(enum.Enum):
    """The three strategy levels (reference: seed-000.md L218, L221-L223): enterprise strategy
    (the business strategy, by CEO and board), department strategy (e.g. a customer strategy)
    and work-system strategy.

    Examples:
        >>> from crmkit.strategy.work_system import StrategyLevel
        >>> [s.value for s in StrategyLevel]
        ['enterprise', 'department', 'work_system']
    """

    ENTERPRISE = "enterprise"
    DEPARTMENT = "department"
    WORK_SYSTEM = "work_system"


class EnvironmentFactor(enum.Enum):
    """The six kinds of environment factors; ignored factors degrade performance (reference:
    seed-000.md L216).

    Examples:
        >>> from crmkit.strategy.work_system import EnvironmentFactor
        >>> len(EnvironmentFactor)
        6
    """

    CULTURAL = "cultural"
    COMPETITIVE = "competitive"
    ORGANISATIONAL = "organisational"
    TECHNICAL = "technical"
    REGULATORY = "regulatory"
    DEMOGRAPHIC = "demographic"


class InformationOperation(enum.Enum):
    """What happens to information entities in a work system (reference: seed-000.md L212).

    Examples:
        >>> from crmkit.strategy.work_system import InformationOperation
        >>> [o.value for o in InformationOperation]
        ['transfer', 'create', 'retrieve', 'store', 'update']
    """

    TRANSFER = "transfer"
    CREATE = "create"
    RETRIEVE = "retrieve"
    STORE = "store"
    UPDATE = "update"
