"""Seed 000's interview guide (Bilaga 1) as a second questionnaire, its themes mapped to the
Payne–Frow processes: strategy → 1, value creation → 2, channels → 3, IT and data → 4,
evaluation → 5. Theme 1 ("deepening customer relationships") has no process of its own.

Interview answers are free text; an interviewer rates each theme 0–5, and
:func:`interview_ratings` turns those into process ratings for
:func:`crmkit.strategy.assess` (the mean of the themes of a process).

Examples:
    >>> from crmkit.strategy.interview import INTERVIEW_GUIDE, interview_ratings
    >>> [t.number for t in INTERVIEW_GUIDE if t.process is not None]
    [2, 3, 4, 5, 6, 7]
    >>> interview_ratings({"it": 2, "data": 4, "strategy": 3})
    {'strategy_development': 3.0, 'information_management': 3.0}
"""

from __future__ import annotations

from collections.abc import Mapping
from statistics import fmean

import attrs

from crmkit.errors import Problem, ValidationError
from crmkit.strategy.framework import Label, Process

__all__ = ["INTERVIEW_GUIDE", "InterviewQuestion", "InterviewTheme", "interview_ratings"]


@attrs.frozen
class InterviewQuestion:
    """One question (Swedish as in the source, English translation); follow-ups flagged.

    Examples:
        >>> from crmkit.strategy.interview import INTERVIEW_GUIDE
        >>> INTERVIEW_GUIDE[2].questions[2].en
        'How do you think about customer lifetime (customer retention)?'
    """

    sv: str
    en: str
    follow_up: bool = False


@attrs.frozen
class InterviewTheme:
    """A theme (Tema 1–7) of the guide and the process it informs.

    Examples:
        >>> from crmkit.strategy.interview import INTERVIEW_GUIDE
        >>> INTERVIEW_GUIDE[3].label.sv, INTERVIEW_GUIDE[3].process.short
        ('Kanaler', 'MCI')
    """

    number: int
    key: str
    label: Label
    process: Process | None
    questions: tuple[InterviewQuestion, ...]


_Q = InterviewQuestion
INTERVIEW_GUIDE: tuple[InterviewTheme, ...] = (
    InterviewTheme(1, "relationships", Label("Deepening customer relationships",
        "Fördjupning av kundrelationer", "Fordypning av kunderelasjoner"), None, (
        _Q("Vad innebär kundlojalitet och kundrelationer för dig?",
           "What do customer loyalty and customer relationships mean to you?"),
        _Q("Hur jobbar du och säljarna för att stärka kundrelationer?",
           "How do you and the sellers work to strengthen customer relationships?"))),
    InterviewTheme(2, "strategy", Label("Strategy", "Strategi", "Strategi"),
        Process.STRATEGY_DEVELOPMENT, (
        _Q("Vilka strategier utgår du ifrån vid planering av kundrelaterade aktiviteter?",
           "Which strategies do you start from when planning customer-related activities?"),
        _Q("Vilka är KPI:er jobbar ni mot och varför är dom viktiga enligt dig?",
           "Which KPIs do you work towards and why are they important?", True),
        _Q("Hur upplever du att era strategier fungerar?",
           "How well do you think your strategies work?"))),
    InterviewTheme(3, "value_creation", Label("Value creation", "Värdeskapande", "Verdiskaping"),
        Process.VALUE_CREATION, (
        _Q("Hur anser du att ni skapar värde till era kunder?",
           "How do you create value for your customers?"),
        _Q("Hur anser du att kunden skapar värde till er som organisation?",
           "How do customers create value for you as an organisation?"),
        _Q("Hur resonerar du kring kundernas livslängd (dvs customer retention)?",
           "How do you think about customer lifetime (customer retention)?"),
        _Q("Hur skulle du säga att ni arbetar för att få långsiktiga kunder?",
           "How do you work to get long-term customers?", True))),
    InterviewTheme(4, "channels", Label("Channels", "Kanaler", "Kanaler"),
        Process.MULTICHANNEL_INTEGRATION, (
        _Q("Vilka kanaler använder ni för att nå ut till och skapa värde för era kunder?",
           "Which channels do you use to reach and create value for your customers?"),
        _Q("Vilken social media är det ni arbetar med?",
           "Which social media do you work with?", True),
        _Q("Anser du att ni skulle kunna utveckla användningen av dessa sociala plattformar?",
           "Could you develop your use of these social platforms?", True))),
    InterviewTheme(5, "evaluation", Label("Evaluation", "Utvärdering", "Evaluering"),
        Process.PERFORMANCE_ASSESSMENT, (
        _Q("Utvärderar ni era CRM-aktiviteter och kundrelaterade processer?",
           "Do you evaluate your CRM activities and customer-related processes?"),
        _Q("Anser du att utvärderingen som sker i organisationen idag är tillräcklig?",
           "Is the evaluation done in the organisation today sufficient?"))),
    InterviewTheme(6, "it", Label("IT", "IT", "IT"), Process.INFORMATION_MANAGEMENT, (
        _Q("Vilka olika applikationer arbetar du med i de kundrelaterade processerna?",
           "Which applications do you work with in the customer-related processes?"),
        _Q("Är dessa applikationer integrerade med varandra?",
           "Are these applications integrated with each other?", True))),
    InterviewTheme(7, "data", Label("Data (IT)", "Data (IT)", "Data (IT)"),
        Process.INFORMATION_MANAGEMENT, (
        _Q("Samlar ni in kunddata och vad använder ni den till?",
           "Do you collect customer data and what do you use it for?"),
        _Q("Analyserar ni denna data och med vilka verktyg i så fall?",
           "Do you analyse the data, and with which tools?"),
        _Q("Anser du att analys av data kan påverka kundaktiviteter? Om ja, hur?",
           "Can data analysis affect customer activities? If so, how?"),
        _Q("Skulle du påstå att du jobbar med eller reflekterar över Big Data?",
           "Do you work with or think about big data?"))),
)  # fmt: skip


def interview_ratings(theme_ratings: Mapping[str, float]) -> dict[str, float]:
    """Turn 0–5 ratings per theme key into process ratings for ``assess(ratings=...)``.

    Examples:
        >>> from crmkit.strategy.interview import interview_ratings
        >>> interview_ratings({"relationships": 4})
        {}
    """
    themes = {t.key: t for t in INTERVIEW_GUIDE}
    bad = [
        Problem(k, v, "is not a theme rated 0–5")
        for k, v in theme_ratings.items()
        if k not in themes or not 0 <= v <= 5
    ]
    if bad:
        raise ValidationError(bad)
    by_process: dict[Process, list[float]] = {}
    for key, value in theme_ratings.items():
        process = themes[key].process
        if process is not None:
            by_process.setdefault(process, []).append(float(value))
    return {p.value: round(fmean(v), 4) for p in Process if (v := by_process.get(p))}
