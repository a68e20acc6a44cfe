"""The four sales-force structures for key-account management and the recommendation rule.

Jobber & Lancaster's four structures, as presented in Botn-Langøy, Buarø & Hoem (2019), "Key
Account Management – Smart Media" (reference: seed-003.md L144-L155): geographic,
product-specialised, market-centred (by industry) and customer-size-based. The thesis
recommends a *combination* of the product-specialised and the customer-size-based structure:
product specialists because each new service needs a contact with the right expertise, and the
size-based structure for the largest, strategically important customers.

:func:`recommend_structure` turns that reasoning into a rule over a :class:`SalesForceProfile`
— each structure is recommended when the condition the source gives for it holds, and several
may be recommended together. :data:`THESIS_RECOMMENDATION` is the combination the thesis
chose.

Examples:
    >>> from crmkit.strategy.sales_force import SalesForceProfile, recommend_structure
    >>> profile = SalesForceProfile(complex_products=True, very_large_customers=True)
    >>> [s.value for s in recommend_structure(profile)]
    ['product_specialised', 'customer_size']
"""

from __future__ import annotations

import enum

import attrs

from crmkit.strategy.framework import Label

__all__ = [
    "THESIS_RECOMMENDATION",
    "SalesForceProfile",
    "SalesForceStructure",
    "recommend_structure",
]


class SalesForceStructure(enum.Enum):
    """The four structures, in the source's order (reference: seed-003.md L146-L151).

    Examples:
        >>> from crmkit.strategy.sales_force import SalesForceStructure
        >>> [s.label.no for s in SalesForceStructure][:2]
        ['Geografisk', 'Produktspesialisert']
        >>> SalesForceStructure.GEOGRAPHIC.weakness
        'A heavy load on the key account manager, who sells to many customers and needs broad knowledge'
    """

    GEOGRAPHIC = "geographic"
    PRODUCT_SPECIALISED = "product_specialised"
    MARKET_CENTRED = "market_centred"
    CUSTOMER_SIZE = "customer_size"

    @property
    def label(self) -> Label:
        """English, Swedish and Norwegian names."""
        return _STRUCTURES[self][0]

    @property
    def when(self) -> str:
        """When the structure fits."""
        return _STRUCTURES[self][1]

    @property
    def advantages(self) -> str:
        """What it brings."""
        return _STRUCTURES[self][2]

    @property
    def weakness(self) -> str:
        """Its weakness, where the source names one (else empty)."""
        return _STRUCTURES[self][3]


_STRUCTURES: dict[SalesForceStructure, tuple[Label, str, str, str]] = {
    SalesForceStructure.GEOGRAPHIC: (
        Label("Geographic", "Geografisk", "Geografisk"),
        "Customers are spread over wide areas; key account managers are placed in regions",
        "Simple and cost-effective; closeness gives personal relationships, faster response "
        "and deeper customer insight",
        "A heavy load on the key account manager, who sells to many customers and needs broad "
        "knowledge"),
    SalesForceStructure.PRODUCT_SPECIALISED: (
        Label("Product-specialised", "Produktspecialiserad", "Produktspesialisert"),
        "A broad range of technically complex products; the customer's contacts differ per "
        "product group",
        "Knowledge, learning and development on the agenda; a credible, important partner",
        "The key account manager must specialise and know the products well"),
    SalesForceStructure.MARKET_CENTRED: (
        Label("Market-centred", "Marknadscentrerad", "Markedssentrert"),
        "Organised by customer industry; industries are divided among key account managers",
        "Better market analysis and understanding, trend spotting, innovation", ""),
    SalesForceStructure.CUSTOMER_SIZE: (
        Label("Customer-size-based", "Kundstorleksbaserad", "Kundestørrelsesbasert"),
        "The very largest customers, served by the most experienced key account managers",
        "Customers who buy seldom but in large volumes feel taken seriously and stay", ""),
}  # fmt: skip

#: The thesis's choice for Smart Media (reference: seed-003.md L153-L155, L304).
THESIS_RECOMMENDATION: tuple[SalesForceStructure, ...] = (
    SalesForceStructure.PRODUCT_SPECIALISED,
    SalesForceStructure.CUSTOMER_SIZE,
)


@attrs.frozen
class SalesForceProfile:
    """What a company's customers and offering look like, one flag per structure's condition.

    Attributes:
        geographically_spread: customers are spread over wide areas.
        complex_products: a broad range of complex products or services, each needing its own
            expertise.
        industry_focus: customers cluster in industries worth understanding in depth.
        very_large_customers: there are very large, strategically important customers.

    Examples:
        >>> from crmkit.strategy.sales_force import SalesForceProfile
        >>> SalesForceProfile(industry_focus=True).industry_focus
        True
    """

    geographically_spread: bool = False
    complex_products: bool = False
    industry_focus: bool = False
    very_large_customers: bool = False


def recommend_structure(profile: SalesForceProfile) -> list[SalesForceStructure]:
    """The structures whose condition holds, in the source's order; a profile with none of the
    conditions gets the simple, cost-effective geographic structure.

    Examples:
        >>> from crmkit.strategy.sales_force import SalesForceProfile, recommend_structure
        >>> [s.value for s in recommend_structure(SalesForceProfile())]
        ['geographic']
    """
    flags = {
        SalesForceStructure.GEOGRAPHIC: profile.geographically_spread,
        SalesForceStructure.PRODUCT_SPECIALISED: profile.complex_products,
        SalesForceStructure.MARKET_CENTRED: profile.industry_focus,
        SalesForceStructure.CUSTOMER_SIZE: profile.very_large_customers,
    }
    chosen = [s for s, on in flags.items() if on]
    return chosen or [SalesForceStructure.GEOGRAPHIC]
