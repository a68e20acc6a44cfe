"""A customer satisfaction index (NKI / SKI) survey template.

Three 1–10 questions — overall satisfaction, how well expectations were met, and how close
the supplier comes to the ideal — averaged and rescaled to 0–100 (:func:`nki_index`), plus a
0–10 recommendation question for the Net Promoter Score. Wording in Swedish (``"sv"``),
Norwegian (``"nb"``) and English (``"en"``). The seeds name NKI without a formula; this is
the common Nordic convention.

Examples:
    >>> from crmkit.survey import nki_index, nki_template
    >>> inst = nki_template("Acme")
    >>> [q.key for q in inst.questions]
    ['overall_satisfaction', 'expectations_met', 'ideal_comparison', 'recommend']
    >>> r = inst.response("r1", {"overall_satisfaction": 8, "expectations_met": 7,
    ...                          "ideal_comparison": 6, "recommend": 9})
    >>> round(nki_index([r.answers]), 1)
    66.7
"""

from __future__ import annotations

from crmkit.survey.instrument import Construct, Instrument, Question
from crmkit.survey.satisfaction import NKI_QUESTIONS
from crmkit.survey.scale import Scale

__all__ = ["nki_template"]


def nki_template(supplier: str = "the supplier") -> Instrument:
    """The NKI template instrument with ``supplier`` in the wording.

    Examples:
        >>> from crmkit.survey import nki_template
        >>> nki_template().construct("nki").items
        ('overall_satisfaction', 'expectations_met', 'ideal_comparison')
    """
    s = supplier
    ten = Scale.likert(
        10,
        {
            "sv": ("1 Mycket missnöjd", *[str(i) for i in range(2, 10)], "10 Mycket nöjd"),
            "nb": ("1 Svært misfornøyd", *[str(i) for i in range(2, 10)], "10 Svært fornøyd"),
            "en": ("1 Very dissatisfied", *[str(i) for i in range(2, 10)], "10 Very satisfied"),
        },
    )
    overall, expectations, ideal = NKI_QUESTIONS
    questions = (
        Question(
            overall,
            {
                "sv": f"Hur nöjd är du totalt sett med {s}?",
                "nb": f"Hvor fornøyd er du totalt sett med {s}?",
                "en": f"Overall, how satisfied are you with {s}?",
            },
            ten,
        ),
        Question(
            expectations,
            {
                "sv": f"I vilken grad uppfyller {s} dina förväntningar?",
                "nb": f"I hvilken grad innfrir {s} dine forventninger?",
                "en": f"To what extent does {s} meet your expectations?",
            },
            ten,
        ),
        Question(
            ideal,
            {
                "sv": f"Hur nära en perfekt leverantör tycker du att {s} kommer?",
                "nb": f"Hvor nær en perfekt leverandør synes du {s} kommer?",
                "en": f"How close does {s} come to the ideal supplier?",
            },
            ten,
        ),
        Question(
            "recommend",
            {
                "sv": f"Hur troligt är det att du skulle rekommendera {s} till en kollega?",
                "nb": f"Hvor sannsynlig er det at du ville anbefale {s} til en kollega?",
                "en": f"How likely are you to recommend {s} to a colleague?",
            },
            Scale.rating_0_10(),
        ),
    )
    return Instrument(
        key="nki",
        title={
            "sv": "Nöjd-kund-index (NKI)",
            "nb": "Kundetilfredshetsindeks (NKI)",
            "en": "Customer satisfaction index (NKI)",
        },
        questions=questions,
        constructs=(
            Construct(
                "nki",
                {"sv": "Nöjd-kund-index", "nb": "Kundetilfredshetsindeks", "en": "NKI"},
                NKI_QUESTIONS,
            ),
        ),
    )
