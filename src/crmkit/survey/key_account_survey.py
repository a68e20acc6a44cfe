"""The key-account customer survey of seed 003 (Smart Media AS, BI Trondheim 2019).

Every item of the Qualtrics questionnaire (Vedlegg 2) in Norwegian (``"nb"``) and English
(``"en"``), keyed by the analysis variable numbers 01–22 of the JMP analysis (``"q01"`` …
``"q22"``), plus the two items without a variable number (``"county"`` and
``"support_needed"``). The six constructs are the factors of the thesis's factor analysis
(Vedlegg 3). Pass ``supplier=`` to put your own company's name in the wording.

Examples:
    >>> from crmkit.survey import key_account_survey
    >>> inst = key_account_survey()
    >>> len(inst.questions), [c.key for c in inst.constructs][:2]
    (24, ['satisfaction', 'further_cooperation'])
    >>> inst.question("q12").text_in("nb")
    'Vi ser behovet for en fast kontaktperson/rådgiver hos Smart Media'
    >>> key_account_survey(supplier="Acme").question("q12").text_in("en")
    'We see the need for a fixed contact person/advisor at Acme'
"""

from __future__ import annotations

from crmkit.survey.instrument import Construct, Instrument, Question
from crmkit.survey.scale import Scale, ScaleType

__all__ = ["COUNTIES", "key_account_survey"]

#: The 19 Norwegian counties (pre-2020) in the questionnaire's option order (1 … 19).
COUNTIES: tuple[str, ...] = (
    "Finmark", "Trøndelag (nord)", "Trøndelag (sør)", "Nordland", "Hedmark", "Troms",
    "Oppland", "Sogn og fjordane", "Hordaland", "Telemark", "Møre og romsdal", "Buskerud",
    "Rogaland", "Aust-Agder", "Vest-Agder", "Akershus", "Østfold", "Vestfold", "Oslo",
)  # fmt: skip


def _satisfaction_7() -> Scale:
    return Scale.likert(
        7,
        {
            "nb": ("1 Svært misfornøyd", "2", "3", "4", "5", "6", "7 Svært fornøyd"),
            "en": ("1 Very dissatisfied", "2", "3", "4", "5", "6", "7 Very satisfied"),
        },
    )


def key_account_survey(supplier: str = "Smart Media") -> Instrument:
    """The seed-003 key-account customer survey as an :class:`~crmkit.survey.Instrument`.

    Satisfaction items use 1–7 (the thesis's Qualtrics export stored block 4 as 2–8: recode
    it with ``Recode(offset=-1)``); agreement items use the 1–5 "Helt uenig … Helt enig"
    scale; "new services" and "workshop" use yes / maybe / no (1–3).

    Examples:
        >>> from crmkit.survey import key_account_survey
        >>> inst = key_account_survey()
        >>> inst.question("q08").scale.value_of(3)      # contacts per year for "quarterly"
        4.0
        >>> inst.construct("relationships").items
        ('q09', 'q10', 'q11')
    """
    s = supplier
    agree = Scale.agreement_5()
    sat = _satisfaction_7()

    def q(key: str, block: str, variable: str | None, nb: str, en: str, scale: Scale) -> Question:
        return Question(key, {"nb": nb, "en": en}, scale, block=block, variable=variable)

    questions = (
        q("county", "1", None,
          "Hvilket fylke er deres bedrift registrert i?",
          "In which county is your company registered?",
          Scale.choices(ScaleType.CATEGORY, {"nb": COUNTIES, "en": COUNTIES})),
        q("q01", "2", "01", "Antall ansatte i din bedrift?",
          "Number of employees in your company?",
          Scale.choices(ScaleType.BAND, {"nb": ("1-10", "11-50", "51-100", "100+"),
                                         "en": ("1-10", "11-50", "51-100", "100+")})),
        q("q02", "3", "02",
          "Hvor mye hadde dere i driftsresultat regnskapsåret 2018?",
          "What was your operating result in the 2018 financial year?",
          Scale.choices(ScaleType.BAND, {
              "nb": ("Underskudd", "0 - 100 000", "100 000 - 500 000", "500 000 - 1 000 000",
                     "1 000 000 - 10 000 000", "10 000 000 +"),
              "en": ("Loss", "NOK 0-100k", "NOK 100k-500k", "NOK 500k-1M", "NOK 1M-10M",
                     "NOK 10M+")})),
        q("q03", "4.1", "03",
          f"Hvor fornøyd er dere med {s}'s evne til å forstå deres behov i utvikling av "
          "nettsiden?",
          f"How satisfied are you with {s}'s ability to understand your needs when "
          "developing the website?", sat),
        q("q04", "4.2", "04",
          f"Hvor fornøyd er dere med oppfølgingen fra {s} gjennom utviklingsperioden av "
          "nettsiden?",
          f"How satisfied are you with {s}'s follow-up during the development of the "
          "website?", sat),
        q("q05", "4.3", "05",
          f"Hvor fornøyd er dere med oppfølgingen fra {s}, i etterkant av fullført nettside?",
          f"How satisfied are you with {s}'s follow-up after the website was completed?", sat),
        q("q08", "5", "08",
          f"Hvor mange ganger i løpet av 12 måneder ønsker dere oppfølging fra {s}",
          f"How many times in 12 months would you like follow-up from {s}?",
          Scale.choices(ScaleType.FREQUENCY, {
              "nb": ("1 gang i uka", "1 gang i måneden", "1 gang i kvartalet",
                     "1 gang i halvåret", "1 gang i året"),
              "en": ("Once a week", "Once a month", "Once a quarter", "Once every half-year",
                     "Once a year")}, option_values=(52, 12, 4, 2, 1))),
        q("support_needed", "6", None,
          "Har det vært behov for support, forbedring eller oppdateringer etter at nettsiden "
          "ble publisert?",
          "Have you needed support, improvements or updates since the website was published?",
          Scale.yes_no()),
        q("q06", "7", "06",
          "Når dere fikk hjelp av oss gjennom support, forbedringer eller oppdateringen av "
          "nettsiden, hvor fornøyde var dere med servicen?",
          "When you got help from us with support, improvements or updates of the website, "
          "how satisfied were you with the service?", sat),
        q("q07", "8", "07",
          f"Hvor tilfredse er dere totalt sett med {s} som samarbeidspartner?",
          f"Overall, how satisfied are you with {s} as a partner?", sat),
        q("q09", "9.1", "09", "Relasjoner er viktig når vi velger våre leverandører",
          "Relationships are important when we choose our suppliers", agree),
        q("q10", "9.2", "10",
          "Utvikling av sterke relasjoner til våre leverandører er verdifullt for oss",
          "Developing strong relationships with our suppliers is valuable to us", agree),
        q("q11", "9.3", "11",
          f"Langsiktige relasjoner med {s} vil bidra til utvikling av vår bedrift",
          f"A long-term relationship with {s} will help develop our company", agree),
        q("q12", "9.4", "12",
          f"Vi ser behovet for en fast kontaktperson/rådgiver hos {s}",
          f"We see the need for a fixed contact person/advisor at {s}", agree),
        q("q13", "10", "13",
          f"Vil dere vurdere {s} som leverandør med tanke på våre nye tjenester innenfor "
          "markedsføring og digitalisering?",
          f"Would you consider {s} as supplier of our new services in marketing and "
          "digitalisation?", Scale.yes_maybe_no()),
        q("q14", "11", "14",
          f"Er det aktuelt for dere å kjøre en workshop med {s} der vi deler kompetanse og "
          "diskuterer muligheter for verdiskaping?",
          f"Would you be interested in a workshop with {s} where we share competence and "
          "discuss opportunities for value creation?", Scale.yes_maybe_no()),
        q("q15", "12.1", "15", "Vi ser verdien av å digitalisere deler av vår virksomhet",
          "We see the value of digitalising parts of our business", agree),
        q("q16", "12.2", "16", "Vi har kompetanse innen digitaliseringsarbeid",
          "We have competence in digitalisation work", agree),
        q("q17", "12.3", "17",
          f"Vi ønsker å benytte {s} for å se på muligheter innenfor digitalisering",
          f"We would like to use {s} to explore opportunities in digitalisation", agree),
        q("q18", "13.1", "18",
          "Vi er opptatt av å markedsføre vår bedrift aktivt gjennom digitale plattformer",
          "We care about actively marketing our company through digital platforms", agree),
        q("q19", "13.2", "19", "Vi har kompetanse om digital markedsføring",
          "We have competence in digital marketing", agree),
        q("q20", "13.3", "20", "Vi ser verdien av å bruke video og animasjon i vår markedsføring",
          "We see the value of using video and animation in our marketing", agree),
        q("q22", "13.4", "22",
          "Vi ser verdien av å kjøpe alle tjenester fra én bedrift (skape innhold både på "
          "nettside og andre sosiale medier; tekst, bilder, foto, animasjon, "
          "markedskonsultasjon)",
          "We see the value of buying all services from one company (creating content for "
          "the website and social media; text, images, photo, animation, marketing advice)",
          agree),
        q("q21", "13.5", "21",
          f"Vi ønsker å benytte {s} for å se på muligheter innenfor digital markedsføring",
          f"We would like to use {s} to explore opportunities in digital marketing", agree),
    )  # fmt: skip
    constructs = (
        Construct("satisfaction", {"nb": "Tilfredshet", "en": "Satisfaction"},
                  ("q03", "q04", "q05", "q06", "q07")),
        Construct("further_cooperation", {"nb": "Videre samarbeid", "en": "Further cooperation"},
                  ("q12", "q17", "q21", "q22")),
        Construct("competence", {"nb": "Kompetanse", "en": "Competence"}, ("q16", "q19")),
        Construct("relationships", {"nb": "Relasjoner", "en": "Relationships"},
                  ("q09", "q10", "q11")),
        Construct("value_of_new_services",
                  {"nb": "Verdi av nye tjenester", "en": "Value of new services"},
                  ("q18", "q20", "q15")),
        Construct("customer_size", {"nb": "Størrelse på kunde", "en": "Customer size"},
                  ("q01", "q02")),
    )  # fmt: skip
    return Instrument(
        key="smart-media-kam-2019",
        title={
            "nb": f"Kundeundersøkelse {s}: tilfredshet, relasjoner og nye tjenester",
            "en": f"{s} customer survey: satisfaction, relationships and new services",
        },
        questions=questions,
        constructs=constructs,
    )
