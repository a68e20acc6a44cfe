"""Zerbino et al.'s five CRM aspects and five critical areas.

"Big data och CRM:s roll för konkurrenskraft i B2B-företag" (reference: seed-000.md
L262-L286) uses Zerbino, Aloini, Dulmin & Mininno (2018). Their CRM definition rests on five
*aspects* — CRM as process, strategy, philosophy, capability and technology — while their five
*critical areas* swap "process" for "project": strategic, philosophical, technological,
capability and project. The per-area critical success factors are in a figure missing from the
thesis text, so crmkit does not carry them. How the areas map onto the Payne–Frow processes is
:data:`crmkit.strategy.CROSSWALK`.

Examples:
    >>> from crmkit.strategy.crm_aspects import CriticalArea, CrmAspect
    >>> [a.value for a in CrmAspect]
    ['process', 'strategy', 'philosophy', 'capability', 'technology']
    >>> CriticalArea.PROJECT.aspect is None, CriticalArea.STRATEGIC.aspect.value
    (True, 'strategy')
"""

from __future__ import annotations

import enum

__all__ = ["CriticalArea", "CrmAspect"]


class CrmAspect(enum.Enum):
    """CRM as process, strategy, philosophy, capability or technology (reference: seed-000.md
    L269-L270).

    Examples:
        >>> from crmkit.strategy.crm_aspects import CrmAspect
        >>> len(CrmAspect)
        5
    """

    PROCESS = "process"
    STRATEGY = "strategy"
    PHILOSOPHY = "philosophy"
    CAPABILITY = "capability"
    TECHNOLOGY = "technology"


class CriticalArea(enum.Enum):
    """The five critical areas for CRM initiatives (reference: seed-000.md L274-L282).

    Examples:
        >>> from crmkit.strategy.crm_aspects import CriticalArea
        >>> CriticalArea.CAPABILITY.content
        'Formal processes and technologies for collecting and managing customer data'
    """

    STRATEGIC = "strategic"
    PHILOSOPHICAL = "philosophical"
    TECHNOLOGICAL = "technological"
    CAPABILITY = "capability"
    PROJECT = "project"

    @property
    def content(self) -> str:
        """What the area covers."""
        return _CONTENT[self]

    @property
    def aspect(self) -> CrmAspect | None:
        """The matching CRM aspect; the project area has none (the aspects have "process")."""
        return _ASPECT.get(self)


_CONTENT = {
    CriticalArea.STRATEGIC: "Strategic planning of CRM through medium- and long-term strategies",
    CriticalArea.PHILOSOPHICAL: "CRM's effects on the organisation: information and process "
    "flows and the interfaces between processes and employees",
    CriticalArea.TECHNOLOGICAL: "The digital infrastructure: suitable hardware and software",
    CriticalArea.CAPABILITY: "Formal processes and technologies for collecting and managing "
    "customer data",
    CriticalArea.PROJECT: "A strategy for every CRM initiative, large or small",
}
_ASPECT = {
    CriticalArea.STRATEGIC: CrmAspect.STRATEGY,
    CriticalArea.PHILOSOPHICAL: CrmAspect.PHILOSOPHY,
    CriticalArea.TECHNOLOGICAL: CrmAspect.TECHNOLOGY,
    CriticalArea.CAPABILITY: CrmAspect.CAPABILITY,
}
