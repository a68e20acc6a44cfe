"""Reference data for the synthetic Nordic B2B company: regions, industries, names.

The weights are rough shares of Swedish businesses and population (illustrative, not
official statistics); they only need to make the synthetic data look plausible.

Examples:
    >>> from crmkit.datasets.nordic import INDUSTRIES, REGIONS
    >>> REGIONS[0].name, REGIONS[0].country
    ('Stockholm', 'SE')
    >>> sorted(i.name for i in INDUSTRIES)[:2]
    ['Agriculture and forestry', 'Construction']
"""

from __future__ import annotations

import attrs

__all__ = [
    "COMPANY_PREFIXES",
    "FIRST_NAMES",
    "INDUSTRIES",
    "LAST_NAMES",
    "REGIONS",
    "Industry",
    "Region",
]


@attrs.frozen
class Region:
    """A sales region: its name, main city, country, postal-code prefix and weight.

    Examples:
        >>> from crmkit.datasets.nordic import Region
        >>> Region("Gotland", "Visby", "SE", "621", 0.6).city
        'Visby'
    """

    name: str
    city: str
    country: str
    postal_prefix: str
    weight: float


@attrs.frozen
class Industry:
    """An industry: name, weight, turnover per employee (SEK) and typical profit margin.

    Examples:
        >>> from crmkit.datasets.nordic import Industry
        >>> Industry("Retail", 10.0, 2_500_000, 0.04, "Handel").margin
        0.04
    """

    name: str
    weight: float
    turnover_per_employee: int
    margin: float
    word: str


REGIONS: tuple[Region, ...] = (
    Region("Stockholm", "Stockholm", "SE", "11", 24.0),
    Region("Västra Götaland", "Göteborg", "SE", "41", 17.0),
    Region("Skåne", "Malmö", "SE", "21", 13.5),
    Region("Östergötland", "Linköping", "SE", "58", 4.5),
    Region("Uppsala", "Uppsala", "SE", "75", 3.8),
    Region("Jönköping", "Jönköping", "SE", "55", 3.5),
    Region("Halland", "Halmstad", "SE", "30", 3.3),
    Region("Örebro", "Örebro", "SE", "70", 2.9),
    Region("Södermanland", "Eskilstuna", "SE", "63", 2.9),
    Region("Dalarna", "Falun", "SE", "79", 2.8),
    Region("Gävleborg", "Gävle", "SE", "80", 2.7),
    Region("Värmland", "Karlstad", "SE", "65", 2.7),
    Region("Västmanland", "Västerås", "SE", "72", 2.6),
    Region("Västernorrland", "Sundsvall", "SE", "85", 2.3),
    Region("Norrbotten", "Luleå", "SE", "97", 2.4),
    Region("Kalmar", "Kalmar", "SE", "39", 2.3),
    Region("Västerbotten", "Umeå", "SE", "90", 2.6),
    Region("Kronoberg", "Växjö", "SE", "35", 1.9),
    Region("Blekinge", "Karlskrona", "SE", "37", 1.5),
    Region("Jämtland", "Östersund", "SE", "83", 1.3),
    Region("Gotland", "Visby", "SE", "62", 0.6),
    Region("Oslo", "Oslo", "NO", "01", 2.5),
    Region("Viken", "Drammen", "NO", "30", 1.2),
    Region("Hovedstaden", "København", "DK", "21", 2.0),
    Region("Uusimaa", "Helsinki", "FI", "00", 1.5),
)

INDUSTRIES: tuple[Industry, ...] = (
    Industry("Manufacturing", 14.0, 2_300_000, 0.06, "Industri"),
    Industry("Wholesale", 10.0, 4_500_000, 0.04, "Grossist"),
    Industry("Retail", 9.0, 2_500_000, 0.035, "Handel"),
    Industry("Construction", 12.0, 1_900_000, 0.05, "Bygg"),
    Industry("IT and software", 9.0, 1_700_000, 0.09, "Data"),
    Industry("Professional services", 11.0, 1_400_000, 0.10, "Konsult"),
    Industry("Transport and logistics", 7.0, 1_800_000, 0.04, "Logistik"),
    Industry("Healthcare", 5.0, 1_100_000, 0.05, "Vård"),
    Industry("Hotels and restaurants", 5.0, 900_000, 0.03, "Restaurang"),
    Industry("Real estate", 5.0, 3_200_000, 0.15, "Fastigheter"),
    Industry("Energy", 2.0, 5_500_000, 0.10, "Energi"),
    Industry("Agriculture and forestry", 4.0, 1_500_000, 0.07, "Skog"),
    Industry("Finance and insurance", 3.0, 3_500_000, 0.14, "Finans"),
    Industry("Public sector", 4.0, 1_000_000, 0.0, "Kommun"),
)

COMPANY_PREFIXES: tuple[str, ...] = (
    "Nordvind", "Fjällbacka", "Ekdal", "Solberg", "Lindqvist", "Björkhagen", "Granit",
    "Havsbris", "Kustlinje", "Sjöstad", "Norrsken", "Älvdal", "Stenhus", "Vinga", "Mälar",
    "Östgöta", "Västkust", "Bergslag", "Roslagen", "Tallbacken", "Järnbäraland", "Glimåkra",
    "Lövånger", "Skärgård", "Vikinga", "Runsten", "Ljusnan", "Klarälv", "Hammarby", "Tornedal",
    "Sundbyberg", "Ekholmen", "Blåklint", "Gullspång", "Fyrtorn", "Silverdal", "Kronan",
    "Polstjärna", "Aurora", "Smedjan",
)  # fmt: skip

FIRST_NAMES: tuple[str, ...] = (
    "Anna", "Eva", "Maria", "Karin", "Sara", "Lena", "Emma", "Kristina", "Elin", "Ida",
    "Johanna", "Linnea", "Sofia", "Malin", "Hanna", "Ingrid", "Astrid", "Maja", "Frida", "Nora",
    "Erik", "Lars", "Karl", "Anders", "Johan", "Per", "Nils", "Lennart", "Mikael", "Jan",
    "Hans", "Peter", "Fredrik", "Daniel", "Oskar", "Magnus", "Henrik", "Mattias", "Jonas", "Ali",
    "Mohammed", "Ahmed", "Fatima", "Amira", "Ole", "Kari", "Mette", "Jukka", "Aino", "Mikko",
)  # fmt: skip

LAST_NAMES: tuple[str, ...] = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson",
    "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson",
    "Bengtsson", "Jönsson", "Lindberg", "Jakobsson", "Magnusson", "Lindström", "Olofsson",
    "Lindqvist", "Lindgren", "Berg", "Axelsson", "Bergström", "Lundberg", "Lind", "Lundgren",
    "Mattsson", "Berglund", "Fredriksson", "Sandberg", "Henriksson", "Forsberg", "Sjöberg",
    "Wallin", "Engström", "Eklund", "Danielsson", "Hakimi", "Yilmaz", "Hansen", "Johansen",
    "Nielsen", "Jensen", "Virtanen", "Korhonen",
)  # fmt: skip
