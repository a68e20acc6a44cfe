"""Berg's four relationship forms of value-added services, and the formal form's contract types.

Botn-Langøy, Buarø & Hoem (2019), "Key Account Management – Smart Media", take four
relationship forms from Berg (reference: seed-003.md L203-L213): professional, technological,
formal and social. A good key account manager combines all four but works most on the social
and the professional one. The formal relationship is a contract — a cooperation agreement, a
project agreement or a time-limited agreement; these are the
:class:`~crmkit.domain.AgreementType` members ``COOPERATION``, ``PROJECT`` and
``TIME_LIMITED``.

:func:`form_coverage` checks a relationship against that advice: which forms are missing and
whether the two main ones are there.

Examples:
    >>> from crmkit.strategy.relationship_forms import RelationshipForm, form_coverage
    >>> cov = form_coverage(["professional", "formal"])
    >>> [f.value for f in cov.missing], cov.main_forms_present
    (['technological', 'social'], False)
    >>> [t.value for t in RelationshipForm.FORMAL.contract_types]
    ['cooperation', 'project', 'time_limited']
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import attrs

from crmkit.domain import AgreementType
from crmkit.strategy._enums import enum_member
from crmkit.strategy.framework import Label

__all__ = ["MAIN_FORMS", "FormCoverage", "RelationshipForm", "form_coverage"]


class RelationshipForm(enum.Enum):
    """The four relationship forms, in the source's order (reference: seed-003.md L208-L213).

    Examples:
        >>> from crmkit.strategy.relationship_forms import RelationshipForm
        >>> len(RelationshipForm), RelationshipForm.SOCIAL.label.no
        (4, 'Den sosiale relasjon')
    """

    PROFESSIONAL = "professional"
    TECHNOLOGICAL = "technological"
    FORMAL = "formal"
    SOCIAL = "social"

    @property
    def label(self) -> Label:
        """English, Swedish and Norwegian names."""
        return _FORMS[self][0]

    @property
    def content(self) -> str:
        """What the form is about."""
        return _FORMS[self][1]

    @property
    def contract_types(self) -> tuple[AgreementType, ...]:
        """The contract types of the form (only the formal form has any)."""
        if self is RelationshipForm.FORMAL:
            return (AgreementType.COOPERATION, AgreementType.PROJECT, AgreementType.TIME_LIMITED)
        return ()


_FORMS: dict[RelationshipForm, tuple[Label, str]] = {
    RelationshipForm.PROFESSIONAL: (
        Label("The professional relationship", "Den professionella relationen",
              "Den profesjonelle relasjonen"),
        "Meet or exceed expectations; work accurately, be available, adapt and advise; "
        "document the customer's profitability. The cornerstone."),
    RelationshipForm.TECHNOLOGICAL: (
        Label("The technological relationship", "Den teknologiska relationen",
              "Den teknologiske relasjonen"),
        "Adapt to the customer's ICT needs to sharpen service delivery and availability; "
        "raises the switching cost."),
    RelationshipForm.FORMAL: (
        Label("The formal relationship", "Den formella relationen", "Den formelle relasjonen"),
        "Legal, technical and other obligations formalised in a contract: a cooperation, "
        "project or time-limited agreement."),
    RelationshipForm.SOCIAL: (
        Label("The social relationship", "Den sociala relationen", "Den sosiale relasjon"),
        "Friendly personal bonds and social events on neutral ground."),
}  # fmt: skip

#: The forms a key account manager should work on most (reference: seed-003.md L206).
MAIN_FORMS: tuple[RelationshipForm, ...] = (RelationshipForm.SOCIAL, RelationshipForm.PROFESSIONAL)


@attrs.frozen
class FormCoverage:
    """Which relationship forms a relationship uses and which it lacks.

    Examples:
        >>> from crmkit.strategy.relationship_forms import form_coverage
        >>> form_coverage(["social", "professional", "formal", "technological"]).complete
        True
    """

    present: tuple[RelationshipForm, ...]
    missing: tuple[RelationshipForm, ...]

    @property
    def complete(self) -> bool:
        """All four forms are present."""
        return not self.missing

    @property
    def main_forms_present(self) -> bool:
        """Both the social and the professional form are present."""
        return all(f in self.present for f in MAIN_FORMS)


def form_coverage(forms: Iterable[RelationshipForm | str]) -> FormCoverage:
    """The coverage of the relationship forms in use (order and repeats do not matter).

    Examples:
        >>> from crmkit.strategy.relationship_forms import form_coverage
        >>> form_coverage(["friendly"])
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: forms[0]: 'friendly' must be one of professional, technological, formal, social
    """
    used: set[RelationshipForm] = set()
    for i, form in enumerate(forms):
        used.add(enum_member(RelationshipForm, form, f"forms[{i}]"))
    return FormCoverage(
        tuple(f for f in RelationshipForm if f in used),
        tuple(f for f in RelationshipForm if f not in used),
    )
