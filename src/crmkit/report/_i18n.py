"""Translation catalogues of the client report: English, Swedish and Norwegian (bokmål).

Every text the client report prints comes from one catalogue per language
(``crmkit/report/locale/{en,sv,nb}.json``, shipped inside the package): headings, labels,
findings, the recommendations in business language and the radar labels. Process and area
names come from the framework's :class:`~crmkit.strategy.framework.Label`. All catalogues hold
the same keys (checked when loaded), so a language can never fall back to English text.

Norwegian is ``"nb"``; ``"no"`` (the framework's code) is accepted as an alias.

Examples:
    >>> from crmkit.report._i18n import catalogue, report_language
    >>> report_language("no"), report_language("SV")
    ('nb', 'sv')
    >>> catalogue("sv").text("roadmap.title")
    'Färdplan'
    >>> catalogue("nb").text("appendix.more", n=3)
    'og 3 til'
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import attrs

from crmkit.errors import ValidationError

__all__ = ["REPORT_LANGUAGES", "Catalogue", "catalogue", "label_language", "report_language"]

#: The languages of the client report.
REPORT_LANGUAGES: tuple[str, ...] = ("en", "sv", "nb")

_ALIASES = {"en": "en", "sv": "sv", "nb": "nb", "no": "nb"}


def report_language(lang: str) -> str:
    """The report language code for ``lang`` (``"no"`` → ``"nb"``).

    Examples:
        >>> from crmkit.report._i18n import report_language
        >>> report_language("de")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: lang: 'de' must be one of 'en', 'sv', 'nb'
    """
    code = _ALIASES.get(lang.strip().lower()) if isinstance(lang, str) else None
    if code is None:
        raise ValidationError.single("lang", lang, "must be one of 'en', 'sv', 'nb'")
    return code


def label_language(lang: str) -> str:
    """The framework :class:`~crmkit.strategy.framework.Label` code for ``lang`` (``"nb"`` →
    ``"no"``).

    Examples:
        >>> from crmkit.report._i18n import label_language
        >>> label_language("nb")
        'no'
    """
    code = report_language(lang)
    return "no" if code == "nb" else code


@attrs.frozen
class Catalogue:
    """One language's messages (key → text with ``{name}`` placeholders).

    Examples:
        >>> from crmkit.report._i18n import catalogue
        >>> catalogue("en").text("nope")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: message: 'nope' is not in the en catalogue
    """

    lang: str
    messages: dict[str, str]

    def text(self, key: str, **values: Any) -> str:
        """The message ``key`` with ``values`` filled in."""
        try:
            message = self.messages[key]
        except KeyError:
            raise ValidationError.single(
                "message", key, f"is not in the {self.lang} catalogue"
            ) from None
        return message.format(**values) if values else message

    def has(self, key: str) -> bool:
        """Whether the catalogue has ``key``."""
        return key in self.messages


def _load(lang: str) -> dict[str, str]:
    path = resources.files("crmkit.report").joinpath("locale", f"{lang}.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValidationError.single(f"locale/{lang}.json", type(data).__name__, "must map text")
    return {str(k): v for k, v in data.items()}


@functools.cache
def _all() -> dict[str, Catalogue]:
    loaded = {lang: _load(lang) for lang in REPORT_LANGUAGES}
    keys = set(loaded["en"])
    for lang, messages in loaded.items():
        if set(messages) != keys:
            missing = sorted(keys ^ set(messages))
            raise ValidationError.single(
                f"locale/{lang}.json", missing[:5], "keys differ from the English catalogue"
            )
    return {lang: Catalogue(lang, messages) for lang, messages in loaded.items()}


def catalogue(lang: str) -> Catalogue:
    """The catalogue of ``lang`` (``"en"``, ``"sv"``, ``"nb"``; ``"no"`` means ``"nb"``).

    Examples:
        >>> from crmkit.report._i18n import catalogue
        >>> len(catalogue("en").messages) == len(catalogue("nb").messages)
        True
    """
    return _all()[report_language(lang)]
