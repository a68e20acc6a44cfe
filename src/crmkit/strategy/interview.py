"""The interview guides of "Big data och CRM:s roll för konkurrenskraft i B2B-företag" as a second
questionnaire: each question cites the respondent's guide it comes from (the sales region
manager's, Bilaga 1, or the Nordic training manager's), its themes mapped to the
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

__all__ = ["GUIDES", "INTERVIEW_GUIDE", "InterviewQuestion", "InterviewTheme", "interview_ratings"]

#: The two respondents' guides the questionnaire draws on (reference: seed-000.md L418-L419,
#: L629-L640; the thesis's appendices, source lines 3677-3810).
GUIDES: dict[str, str] = {
    "sales_region_manager": "Interview guide for respondent 1 (Sales Region Manager)",
    "nordic_training_manager": "Interview guide for respondent 2 (Nordic Training Manager)",
}


@attrs.frozen
class InterviewQuestion:
    """One question (Swedish as in the source, English translation); follow-ups flagged.

    The thesis has one guide per respondent (its appendices); ``respondent`` names the guide a
    question is taken from and ``line`` its line in the thesis text.

    Examples:
        >>> from crmkit.strategy.interview import INTERVIEW_GUIDE
        >>> q = INTERVIEW_GUIDE[2].questions[2]
        >>> q.en, q.respondent, q.line
        ('How do you think about customer lifetime (customer retention)?', 'nordic_training_manager', 'L3767')
    """

    sv: str
    en: str
    follow_up: bool = False
    respondent: str = ""
    line: str = ""

    @property
    def guide(self) -> str:
        """The guide the question is taken from, by the respondent's role.

        Examples:
            >>> from crmkit.strategy.interview import INTERVIEW_GUIDE
            >>> INTERVIEW_GUIDE[0].questions[0].guide
            'Interview guide for respondent 1 (Sales Region Manager)'
        """
        return GUIDES.get(self.respondent, "")


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
_R1, _R2 = "sales_region_manager", "nordic_training_manager"
#: Questions from the sales region manager's guide (Bilaga 1, L3677-L3733) and, where that guide
#: has no such question, the Nordic training manager's guide (L3735-L3810); Swedish verbatim.
INTERVIEW_GUIDE: tuple[InterviewTheme, ...] = (
    InterviewTheme(1, "relationships", Label("Deepening customer relationships",
        "Fördjupning av kundrelationer", "Fordypning av kunderelasjoner"), None, (
        _Q("Vad innebär kundlojalitet och kundrelationer för dig?",
           "What do customer loyalty and customer relationships mean to you?",
           respondent=_R1, line="L3686"),
        _Q("Hur jobbar du och säljarna för att stärka kundrelationer?",
           "How do you and the sellers work to strengthen customer relationships?",
           respondent=_R1, line="L3688"))),
    InterviewTheme(2, "strategy", Label("Strategy", "Strategi", "Strategi"),
        Process.STRATEGY_DEVELOPMENT, (
        _Q("Vilka strategier utgår du ifrån vid planering av kundrelaterade aktiviteter?",
           "Which strategies do you start from when planning customer-related activities?",
           respondent=_R1, line="L3694"),
        _Q("Vilka är KPI:er jobbar ni mot och varför är dom viktiga enligt dig?",
           "Which KPIs do you work towards and why are they important?", True,
           respondent=_R1, line="L3696"),
        _Q("Hur upplever du att era strategier fungerar?",
           "How well do you think your strategies work?", respondent=_R2, line="L3755"))),
    InterviewTheme(3, "value_creation", Label("Value creation", "Värdeskapande", "Verdiskaping"),
        Process.VALUE_CREATION, (
        _Q("Hur anser du att ni skapar värde till era kunder?",
           "How do you create value for your customers?", respondent=_R1, line="L3702"),
        _Q("Hur anser du att kunden skapar värde till er som organisation?",
           "How do customers create value for you as an organisation?",
           respondent=_R1, line="L3704"),
        _Q("Hur resonerar du kring kundernas livslängd (dvs customer retention)?",
           "How do you think about customer lifetime (customer retention)?",
           respondent=_R2, line="L3767"),
        _Q("Hur skulle du säga att ni arbetar för att få långsiktiga kunder?",
           "How do you work to get long-term customers?", True,
           respondent=_R2, line="L3769"))),
    InterviewTheme(4, "channels", Label("Channels", "Kanaler", "Kanaler"),
        Process.MULTICHANNEL_INTEGRATION, (
        _Q("Vilka kanalerna använder ni för att nå ut till och skapa värde för era kunder?",
           "Which channels do you use to reach and create value for your customers?",
           respondent=_R1, line="L3712"),
        _Q("Vilken social media är det ni arbetar med?",
           "Which social media do you work with?", True, respondent=_R2, line="L3777"),
        _Q("Anser du att ni skulle kunna utveckla användningen av dessa sociala plattformar?",
           "Could you develop your use of these social platforms?", True,
           respondent=_R2, line="L3779-L3781"))),
    InterviewTheme(5, "evaluation", Label("Evaluation", "Utvärdering", "Evaluering"),
        Process.PERFORMANCE_ASSESSMENT, (
        _Q("Utvärderar ni era CRM-aktiviteter och kundrelaterade processer, är detta viktigt "
           "enligt dig?",
           "Do you evaluate your CRM activities and customer-related processes, and does that "
           "matter to you?", respondent=_R1, line="L3718"),
        _Q("Anser du att utvärderingen som sker i organisationen idag är tillräcklig?",
           "Is the evaluation done in the organisation today sufficient?",
           respondent=_R2, line="L3786"))),
    InterviewTheme(6, "it", Label("IT", "IT", "IT"), Process.INFORMATION_MANAGEMENT, (
        _Q("Vilka olika applikationer arbetar du med i de kundrelaterade processerna?",
           "Which applications do you work with in the customer-related processes?",
           respondent=_R1, line="L3724"),
        _Q("Är dessa applikationer integrerade med varandra?",
           "Are these applications integrated with each other?", True,
           respondent=_R2, line="L3794"))),
    InterviewTheme(7, "data", Label("Data (IT)", "Data (IT)", "Data (IT)"),
        Process.INFORMATION_MANAGEMENT, (
        _Q("Samlar ni in kunddata och vad ni den använder till?",
           "Do you collect customer data and what do you use it for?",
           respondent=_R1, line="L3727"),
        _Q("Analyserar ni denna data och med vilka verktyg isåfall?",
           "Do you analyse the data, and with which tools?", respondent=_R2, line="L3804"),
        _Q("Anser du att analys av data kan påverka kundaktiviteter? Om ja, hur?",
           "Can data analysis affect customer activities? If so, how?",
           respondent=_R2, line="L3808"),
        _Q("Skulle du påstå att du jobbar med eller reflekterar över Big Data?",
           "Do you work with or think about big data?", respondent=_R1, line="L3729"))),
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
