"""Postal addresses with an ISO 3166-1 alpha-2 country code.

Examples:
    >>> from crmkit.domain import Address
    >>> Address(street="Drottninggatan 1", postal_code="111 51", city="Stockholm",
    ...         country="SE").country
    'SE'
"""

from __future__ import annotations

from typing import Any

import attrs

from crmkit.domain.validators import (
    compile_validation,
    fail,
    optional_str,
    text,
)

__all__ = ["COUNTRY_CODES", "Address"]

#: ISO 3166-1 alpha-2 country codes (officially assigned).
COUNTRY_CODES: frozenset[str] = frozenset(
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
    "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM "
    "DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS "
    "GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
    "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
    "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
    "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
    "VN VU WF WS YE YT ZA ZM ZW".split()
)


def _country(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or value not in COUNTRY_CODES:
        fail(attribute, value, "is not an ISO 3166-1 alpha-2 country code")


@compile_validation
@attrs.frozen(kw_only=True)
class Address:
    """A postal address (value object; keyword arguments only).

    Attributes:
        street: street and number.
        postal_code: postal code as written in the country (``"111 51"``).
        city: town or city.
        region: county or region (``"Stockholm"``, ``"Västra Götaland"``), optional.
        country: ISO 3166-1 alpha-2 code, upper case (``"SE"``, ``"NO"``).

    Examples:
        >>> from crmkit.domain import Address
        >>> Address(city="Oslo", country="no")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: country: 'no' is not an ISO 3166-1 alpha-2 country code
    """

    street: str = attrs.field(default="", validator=text())
    postal_code: str = attrs.field(default="", validator=text())
    city: str = attrs.field(default="", validator=text())
    region: str | None = attrs.field(default=None, validator=optional_str)
    country: str = attrs.field(validator=_country)

    def one_line(self) -> str:
        """The address on one line, empty parts left out.

        Examples:
            >>> from crmkit.domain import Address
            >>> Address(street="Storgatan 2", postal_code="411 38", city="Göteborg",
            ...         country="SE").one_line()
            'Storgatan 2, 411 38 Göteborg, SE'
        """
        town = " ".join(p for p in (self.postal_code, self.city) if p)
        return ", ".join(p for p in (self.street, town, self.country) if p)
