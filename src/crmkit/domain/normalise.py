"""Normal forms of contact details and names: how e-mail, phone, web site, organisation number
and names are compared when records are looked up or matched as duplicates.

The SQL store indexes its e-mail, phone, domain and organisation-number columns with these
functions (:mod:`crmkit.adapters.sql.schema` re-exports the first three), and duplicate
detection (:mod:`crmkit.domain.duplicates`) builds its matching keys from them, so a record
found by a lookup and a record matched as a duplicate agree on what "the same" means.

Examples:
    >>> from crmkit.domain.normalise import e164, normalise_company_name, normalise_email
    >>> normalise_email(" Anna.Berg@Example.SE ")
    'anna.berg@example.se'
    >>> e164("08-123 45 67", country_code="46"), e164("+46 (0)8 123 45 67")
    ('+4681234567', '+4681234567')
    >>> normalise_company_name("Nordvind Aktiebolag"), normalise_company_name("NORDVIND AB.")
    ('nordvind', 'nordvind')
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

__all__ = [
    "LEGAL_FORMS",
    "e164",
    "normalise_company_name",
    "normalise_domain",
    "normalise_email",
    "normalise_name",
    "normalise_organisation_number",
    "normalise_phone",
]

#: Legal-form words left out of a normalised company name (lower case, without dots):
#: Nordic, German, Dutch, French, British and American forms.
LEGAL_FORMS = frozenset(
    {
        "ab",
        "abp",
        "aktiebolag",
        "publ",
        "hb",
        "kb",
        "as",
        "asa",
        "a/s",
        "aps",
        "oy",
        "oyj",
        "ehf",
        "hf",
        "gmbh",
        "ag",
        "kg",
        "bv",
        "nv",
        "sa",
        "sarl",
        "sas",
        "ltd",
        "limited",
        "plc",
        "llc",
        "llp",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
    }
)

_WORD = re.compile(r"[^\W_]+(?:/[^\W_]+)?")
# Compiled once (normalise_domain and normalise_organisation_number run for every row written).
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_AFTER_HOST = re.compile(r"[/?#]")
_NON_DIGIT = re.compile(r"\D")


def normalise_email(value: Any) -> str | None:
    """An e-mail address as it is looked up: trimmed and lower-cased (``None`` when blank).

    Examples:
        >>> from crmkit.domain.normalise import normalise_email
        >>> normalise_email("  Anna.Berg@Example.SE ")
        'anna.berg@example.se'
    """
    if value is None:
        return None
    text = str(value).strip().lower()
    return text or None


def normalise_phone(value: Any) -> str | None:
    """A phone number as it is looked up: a leading ``+`` and the digits only.

    This keeps every digit as written (a national trunk ``0`` too); :func:`e164` goes further
    and gives the international form.

    Examples:
        >>> from crmkit.domain.normalise import normalise_phone
        >>> normalise_phone("+46 (0)8-123 45 67")
        '+46081234567'
    """
    if value is None:
        return None
    text = str(value).strip()
    digits = re.sub(r"\D", "", text)
    if not digits:
        return None
    return ("+" if text.startswith("+") else "") + digits


def e164(value: Any, *, country_code: str | None = None) -> str | None:
    """A phone number in E.164 form (``+`` country code and subscriber number, digits only).

    * ``+46 …`` and ``0046 …`` are international; a trunk ``(0)`` written after the country
      code is dropped (``+46 (0)8 …`` is ``+468…``).
    * A national number (one leading ``0``) gets ``country_code`` in place of its trunk ``0``
      (``08-123 45 67`` with ``country_code="46"`` is ``+4681234567``); without a
      ``country_code`` it stays national (digits only, no ``+``), which still compares equal
      to the same national number.
    * Text without digits is ``None``. Extensions and letters are not interpreted.

    Examples:
        >>> from crmkit.domain.normalise import e164
        >>> e164("0046 8 123 45 67"), e164("+47 22 33 44 55")
        ('+4681234567', '+4722334455')
        >>> e164("070-123 45 67"), e164("070-123 45 67", country_code="+46")
        ('0701234567', '+46701234567')
        >>> e164("n/a") is None
        True
    """
    if value is None:
        return None
    text = str(value).strip()
    if text.startswith("+"):
        body = re.sub(r"\(0\)", "", text[1:])
        digits = re.sub(r"\D", "", body)
        return "+" + digits if digits else None
    digits = re.sub(r"\D", "", text)
    if not digits:
        return None
    if digits.startswith("00"):
        return "+" + digits[2:] if digits[2:] else None
    code = re.sub(r"\D", "", country_code or "")
    if code and digits.startswith("0"):
        return "+" + code + digits[1:]
    return digits


def normalise_domain(value: Any) -> str | None:
    """A web site (or an e-mail address) as its host name: no scheme, ``www.``, port, path
    or mailbox; lower case.

    Examples:
        >>> from crmkit.domain.normalise import normalise_domain
        >>> normalise_domain("https://www.Acme.se/about"), normalise_domain("anna@acme.se")
        ('acme.se', 'acme.se')
    """
    if value is None:
        return None
    text = _SCHEME.sub("", str(value).strip().lower())
    authority = _AFTER_HOST.split(text, maxsplit=1)[0].rsplit("@", 1)[-1]
    host = authority.split(":", 1)[0].removeprefix("www.")
    return host or None


def normalise_organisation_number(value: Any) -> str | None:
    """An organisation number as it is compared: its digits only (``None`` without digits).

    Examples:
        >>> from crmkit.domain.normalise import normalise_organisation_number
        >>> normalise_organisation_number("556677-8899"), normalise_organisation_number("-")
        ('5566778899', None)
    """
    if value is None:
        return None
    return _NON_DIGIT.sub("", str(value)) or None


def _words(value: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _WORD.findall(plain)


def normalise_name(value: Any) -> str | None:
    """A person's name as it is compared: case-folded, accents removed, punctuation and
    repeated spaces collapsed to single spaces (``None`` when nothing is left).

    Examples:
        >>> from crmkit.domain.normalise import normalise_name
        >>> normalise_name("  Åsa  ÖSTBERG-Lind "), normalise_name("asa ostberg lind")
        ('asa ostberg lind', 'asa ostberg lind')
    """
    if value is None:
        return None
    return " ".join(w.replace("/", " ") for w in _words(str(value))) or None


def normalise_company_name(value: Any) -> str | None:
    """A company name as it is compared: :func:`normalise_name` without the legal-form words
    of :data:`LEGAL_FORMS` (``AB``, ``Aktiebolag``, ``GmbH``, ``Ltd`` …). A name made only of
    legal-form words is kept whole.

    Examples:
        >>> from crmkit.domain.normalise import normalise_company_name
        >>> normalise_company_name("Acme Sverige AB (publ)"), normalise_company_name("A/S")
        ('acme sverige', 'a/s')
    """
    if value is None:
        return None
    words = _words(str(value))
    kept = [w for w in words if w not in LEGAL_FORMS]
    return " ".join(kept or words) or None
