"""Demo section: a Payne–Frow assessment of the synthetic company.

The assessment has two sources, kept apart and both reported:

1. **The data** (:func:`answers_from_data`) answers what the records can show, and nothing
   else:

   * situation analysis (S04): customers mapped (there are accounts), purchases known (there
     are orders), contact information complete (*every* contact has an e-mail address and a
     phone number), a contact centre (records came through the ``contact_centre`` channel),
     touchpoints known (every interaction names its channel), customer data collected from
     all contacts and gathered in one place (no channel in use is stand-alone, see below),
     customers treated consistently in every channel (the same);
   * customer analysis (S05): volume block, repurchase buckets, top-10 concentration and
     cross-sell rate by :func:`crmkit.strategy.analyse_customers` (that is, by
     :mod:`crmkit.segmentation` and :mod:`crmkit.scoring`) over orders that were delivered or
     invoiced; the share of customers with a service agreement and whether there are several
     kinds; who is responsible for customers, which departments meet them, what data is kept,
     how customers are segmented and how complaints are handled, where the records say so;
   * channels (S07 marketing, S08 sales, S09 service): the channels named by campaigns,
     interactions, opportunity sources and cases, mapped to workbook rows by
     :data:`CHANNEL_ROWS`. A row is *integrated* when at least 90 % of its records are linked
     to an account (the CRM knows who the customer was), *stand-alone* otherwise;
   * IT capabilities (S11–S14) the CRM visibly runs — :data:`CRM_CAPABILITIES`: accounts,
     leads and campaigns kept in it, and contacts, opportunities, orders, cases and activities
     all linked to an account, count as integrated.

2. **The synthetic company's self-assessment** — :data:`SELF_ASSESSMENT` (workbook answers)
   and :data:`SELF_RATINGS` (direct element ratings 0–5) — is what a management workshop at
   the company would plausibly answer where the data is silent: a challenger in Nordic B2B
   trade, with no lifetime-value analysis in place (no account carries a lifetime value), no
   personalised offers or loyalty scheme, a customer survey for key accounts only, and
   analysis, quoting and reporting done in spreadsheets beside the CRM. It is invented, plainly
   labelled as such, and never overrides an answer the data gives.

Unanswered items are skipped (``ScoringRule(unanswered="skip")``), so every score rests on
an answer. Writes the client report (``assessment.html`` and, when Chromium is installed,
``assessment.pdf``) to the output folder, and a follow-up a year later
(:data:`FOLLOW_UP`, :data:`FOLLOW_UP_RATINGS`: the company's invented progress) compared with
it: ``assessment-follow-up.html`` and ``assessment-progress.json``.

Examples:
    >>> from crmkit.cli._sections.assessment import answers_from_data
    >>> answers_from_data(None).overall_completion()
    0.0
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from crmkit.adapters.files.output import write_output
from crmkit.cli._context import DemoContext
from crmkit.report import process_name, score_text
from crmkit.strategy import (
    Assessment,
    ScoringRule,
    WorkbookAnswers,
    analyse_customers,
    assess,
)

__all__ = [
    "CHANNEL_ROWS",
    "CRM_CAPABILITIES",
    "FOLLOW_UP",
    "FOLLOW_UP_RATINGS",
    "SELF_ASSESSMENT",
    "SELF_RATINGS",
    "answers_from_data",
    "demo_answers",
    "demo_assessment",
    "render",
]

#: The sales channels (section 8 of the workbook) of interactions and opportunities.
_SALES_CHANNELS = {
    "field_sales": "s08.field_sales",
    "key_account_manager": "s08.field_sales",
    "phone": "s08.inside_sales",
    "email": "s08.inside_sales",
    "linkedin": "s08.inside_sales",
    "events": "s08.trade_fairs",
    "partners": "s08.own_reseller_tier",
    "web_shop": "s08.e_commerce",
    "direct_mail": "s08.direct_marketing",
    "contact_centre": "s08.contact_center",
}
#: Channel key → workbook row, per kind of record (and the field naming its channel).
#: Channels with no matching row (webinars, podcasts …) are not counted.
CHANNEL_ROWS: dict[str, tuple[str, dict[str, str]]] = {
    "campaigns": ("channel", {"email": "s07.e_direct_mail", "direct_mail": "s07.direct_mail"}),
    "interactions": (
        "channel",
        {
            "website": "s07.public_web",
            "landing_page": "s07.public_web",
            "seo": "s07.public_web",
            "paid_search": "s07.public_web",
            **_SALES_CHANNELS,
        },
    ),
    "opportunities": (
        "source_channel",
        dict(_SALES_CHANNELS),
    ),
    "cases": (
        "origin_channel",
        {
            "email": "s09.support",
            "phone": "s09.support",
            "contact_centre": "s09.call_contact_center",
            "website": "s09.service_web",
            "mobile_app": "s09.service_web",
            "field_sales": "s09.field_service",
        },
    ),
}

#: Share of a channel's records that must be linked to an account for "integrated".
INTEGRATED_SHARE = 0.9

#: IT capability row → the kind of record that shows the CRM runs it (linked to accounts).
CRM_CAPABILITIES: dict[str, str] = {
    "s11.segmentation": "accounts",  # accounts carry a tier
    "s11.campaign_management": "campaigns",
    "s11.leads_management": "leads",
    "s12.opportunity_management": "opportunities",
    "s12.sales_forecast": "opportunities",  # stage probabilities on open deals
    "s12.order_management": "orders",
    "s13.contact_management": "contacts",
    "s13.case_management": "cases",
    "s13.problem_resolution": "cases",
    "s13.call_tracking": "interactions",
    "s14.account_management": "accounts",
    "s14.contact_management": "contacts",
    "s14.activity_management": "interactions",
}

#: Kinds of record that are not tied to an account by nature (a lead is not a customer yet).
_UNLINKED_KINDS = ("accounts", "leads", "campaigns")

_STAND_ALONE = {"used": True, "it_support": "stand_alone"}
_NO_IT = {"used": True, "it_support": "none"}

#: The synthetic company's own answers where its data is silent (invented; see the module
#: docstring). An answer the data gives always wins.
SELF_ASSESSMENT: dict[str, Any] = {
    "s01.vision_business_idea": "To be the most dependable supplier of equipment, software "
    "and service to Nordic wholesalers and manufacturers.",
    "s02.business_market_strategy": "Grow with existing customers through key-account "
    "management and service agreements; win mid-sized firms through inside sales.",
    "s03.structured_customer_development": "Key accounts have an account plan; other "
    "customers are followed up when they order.",
    "s03.support_system_investments": "A CRM for sales and customer service; ERP for orders "
    "and invoicing.",
    # situation analysis — only what the records cannot show
    "s04.market_leader": False,  # a challenger in its markets
    "s04.know_lifetime_value": False,  # no lifetime-value analysis: no account carries a CLV
    "s04.distribute_same_data": True,  # everyone in sales and service works in the CRM
    "s04.satisfaction_followed_up": True,  # the yearly key-account survey
    "s04.service_24h": False,  # customer service keeps office hours
    "s04.individual_offers": False,  # one price list, no personalised offers
    "s04.loyalty_scheme": False,
    "s04.regular_market_research": False,
    "s05.ideal_customer": "Wholesalers and manufacturers with 20–250 employees that buy "
    "hardware, software and a service agreement.",
    "s05.customer_strategies.count": {"yes": False, "text": "one strategy for all customers"},
    "s05.customer_needs": "Asked at account-plan meetings with key accounts only.",
    "s05.satisfaction_measurement": "A yearly survey of key accounts.",
    # channels the records do not show
    "s09.switchboard": _STAND_ALONE,  # the switchboard is not connected to the CRM
    # IT capabilities beside the CRM (S11–S14)
    "s11.customer_analysis": _STAND_ALONE,  # spreadsheets exported from the CRM
    "s11.direct_marketing": _STAND_ALONE,  # a separate newsletter tool
    "s11.marketing_management": _STAND_ALONE,
    "s12.installed_base": _STAND_ALONE,  # kept in the ERP
    "s12.product_config_pricing": _STAND_ALONE,
    "s12.proposal_management": _STAND_ALONE,  # quotes written in a word processor
    "s13.knowledge_management": _NO_IT,
    "s13.field_service_management": _STAND_ALONE,
    "s14.escalation_management": _NO_IT,
    "s14.calendar_management": _STAND_ALONE,
    "s14.business_intelligence": _STAND_ALONE,  # monthly reports built in spreadsheets
    "s14.channel_management": _NO_IT,
    "s14.content_management": _STAND_ALONE,  # the website's CMS
}

#: The follow-up workshop a year later (invented): what the company changed since the baseline.
FOLLOW_UP: dict[str, Any] = {
    "s04.know_lifetime_value": True,  # a lifetime-value model per segment (crmkit.clv)
    "s04.individual_offers": True,  # offers tailored to the key accounts
    "s09.switchboard": {"used": True, "it_support": "integrated"},  # calls logged in the CRM
    "s11.customer_analysis": {"used": True, "it_support": "integrated"},
    "s12.proposal_management": {"used": True, "it_support": "integrated"},
    "s14.business_intelligence": {"used": True, "it_support": "integrated"},
}

#: The follow-up's direct ratings: service standards written down, cost to serve still unknown
#: and the CRM now reported to the board; employee value slipped with a reorganisation.
FOLLOW_UP_RATINGS: dict[str, float] = {
    "employee_value": 2,
    "shareholder_value": 3,
    "cost_reduction": 2,
    "standards": 4,
}

#: Direct ratings 0–5 for elements the workbook hardly covers (the company's own view).
SELF_RATINGS: dict[str, float] = {
    "employee_value": 3,  # sales and service staff are trained in the CRM; no measurement
    "shareholder_value": 2,  # CRM is not linked to the financial results
    "cost_reduction": 2,  # cost to serve is not followed per customer
    "standards": 2,  # no documented service standards per channel
}


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _records(data: Any, name: str) -> list[Any]:
    value = _get(data, name)
    if value is None:
        return []
    if isinstance(value, Mapping):
        return list(value.values())
    return list(value) if isinstance(value, Iterable) else []


def _key(value: Any) -> Any:
    return _get(value, "value", value)


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _linked(record: Any, kind: str) -> bool:
    if kind == "campaigns":  # a campaign is linked when its members are known contacts
        members = _records(record, "members")
        return bool(members) and all(_get(m, "contact_id") for m in members)
    return _get(record, "account_id") is not None


def channel_rows(data: Any) -> dict[str, tuple[int, int]]:
    """Workbook channel row → (records, records linked to an account), from the data.

    Examples:
        >>> from crmkit.cli._sections.assessment import channel_rows
        >>> channel_rows({"cases": [{"origin_channel": "phone", "account_id": "a"},
        ...                         {"origin_channel": "email", "account_id": None}]})
        {'s09.support': (2, 1)}
    """
    rows: dict[str, list[int]] = {}
    for kind, (field, mapping) in CHANNEL_ROWS.items():
        for record in _records(data, kind):
            item = mapping.get(str(_key(_get(record, field))))
            if item is None:
                continue
            counts = rows.setdefault(item, [0, 0])
            counts[0] += 1
            counts[1] += _linked(record, kind)
    return {item: (n, linked) for item, (n, linked) in rows.items()}


def _customer_analysis(data: Any, accounts: list[Any]) -> dict[str, Any]:
    orders = [
        o
        for o in _records(data, "orders")
        if str(_key(_get(o, "status", "invoiced"))) in ("invoiced", "delivered")
    ]
    if not orders:
        return {}
    as_of = _day(_get(data, "observation_end")) or max(
        d for d in (_day(_get(o, "ordered_at")) for o in orders) if d is not None
    )
    figures = analyse_customers(orders, as_of=as_of, accounts=accounts or None)
    answers = figures.workbook_answers()
    answers["s04.know_purchases"] = True
    customers = figures.volume["total"] if figures.volume else 0
    agreements = _records(data, "agreements")
    if customers and _get(data, "agreements") is not None:
        with_agreement = {_get(a, "account_id") for a in agreements}
        answers["s05.service.agreement_share"] = round(100 * len(with_agreement) / customers, 2)
        kinds = sorted({str(_key(_get(a, "agreement_type"))) for a in agreements})
        answers["s05.service.agreement_types"] = {
            "yes": len(kinds) > 1,
            "text": ", ".join(kinds) or "none",
        }
    return answers


def answers_from_data(data: Any) -> WorkbookAnswers:
    """Fill what the synthetic company's records can answer (see the module docstring)."""
    wb = WorkbookAnswers(company=str(_get(data, "company_name", "") or "Synthetic B2B company"))
    accounts = _records(data, "accounts")
    contacts = _records(data, "contacts")
    interactions = _records(data, "interactions")
    answers: dict[str, Any] = {}
    if accounts:
        answers["s04.customers_mapped"] = True
    if contacts:
        answers["s04.contact_info_quality"] = all(
            _get(c, "email") and _get(c, "phone") for c in contacts
        )
    if interactions:
        answers["s04.know_touchpoints"] = all(_get(i, "channel") for i in interactions)
    answers.update(_customer_analysis(data, accounts))
    # channels in use and their IT support
    rows = channel_rows(data)
    for item, (n, linked) in rows.items():
        level = "integrated" if linked >= INTEGRATED_SHARE * n else "stand_alone"
        answers[item] = {"used": True, "it_support": level}
    if rows:
        integrated = all(a["it_support"] == "integrated" for k, a in answers.items() if k in rows)
        answers["s04.collect_from_all_contacts"] = integrated
        answers["s04.data_in_one_place"] = integrated
        answers["s04.consistent_all_channels"] = integrated
    if "s08.contact_center" in rows or "s09.call_contact_center" in rows:
        answers["s04.has_contact_center"] = True
    # IT capabilities the CRM visibly runs
    for item, kind in CRM_CAPABILITIES.items():
        records = _records(data, kind)
        if records and (kind in _UNLINKED_KINDS or all(_linked(r, kind) for r in records)):
            answers[item] = {"used": True, "it_support": "integrated"}
    answers.update(_descriptions(data, accounts, contacts))
    wb.fill(answers)
    return wb


def _descriptions(data: Any, accounts: list[Any], contacts: list[Any]) -> dict[str, Any]:
    """Free-text answers the records support, stated as the records show them."""
    out: dict[str, Any] = {}
    if accounts and all(_get(a, "owner_id") for a in accounts):
        out["s05.responsibility.owner"] = "The account owner; every account has one."
    roles = sorted({str(_get(u, "role")) for u in _records(data, "users") if _get(u, "role")})
    if roles:
        out["s05.responsibility.departments"] = ", ".join(r.replace("_", " ") for r in roles)
    kinds = [
        k
        for k in ("accounts", "contacts", "leads", "opportunities", "interactions", "cases",
                  "orders", "agreements", "campaigns")
        if _records(data, k)
    ]  # fmt: skip
    if kinds:
        out["s05.data.what"] = ", ".join(kinds)
        out["s05.data.where"] = "In the CRM."
    tiers = sorted({str(_get(a, "tier")) for a in accounts if _get(a, "tier")})
    if tiers:
        out["s05.segmentation"] = f"Accounts are tiered {' / '.join(tiers)}."
    if any(_get(c, "problem_type") == "complaint" for c in _records(data, "cases")):
        out["s05.complaints"] = "As customer-service cases with problem type 'complaint'."
    return out


def demo_answers(data: Any) -> tuple[WorkbookAnswers, int, int]:
    """The data's answers completed with :data:`SELF_ASSESSMENT`, and how many came from each.

    Examples:
        >>> from crmkit.cli._sections.assessment import SELF_ASSESSMENT, demo_answers
        >>> wb, from_data, from_self = demo_answers(None)
        >>> from_data, from_self == len(SELF_ASSESSMENT)
        (0, True)
    """
    wb = answers_from_data(data)
    answered = {i.id for i in wb.workbook.items if wb.answered(i.id)}
    own = {k: v for k, v in SELF_ASSESSMENT.items() if k not in answered}
    wb.fill(own)
    return wb, len(answered), len(own)


def demo_assessment(data: Any) -> Assessment:
    """Assess the synthetic company: data, self-assessment and :data:`SELF_RATINGS`.

    Examples:
        >>> from crmkit.cli._sections.assessment import demo_assessment
        >>> demo_assessment(None).weakest_process.value
        'value_creation'
    """
    wb, _, _ = demo_answers(data)
    return assess(wb, ratings=SELF_RATINGS, rule=ScoringRule(unanswered="skip"))


def render(ctx: DemoContext) -> None:
    """Assess the synthetic company and write its HTML report."""
    ctx.console.heading("Payne–Frow CRM strategy assessment")
    wb, from_data, from_self = demo_answers(ctx.data)
    result = assess(wb, ratings=SELF_RATINGS, rule=ScoringRule(unanswered="skip"))
    ctx.console.text(
        f"Workbook: {from_data} answers from the data, {from_self} from the company's "
        f"self-assessment, {len(SELF_RATINGS)} direct ratings; "
        f"{wb.overall_completion():.0%} of 125 items answered, unanswered items skipped. "
        f"Situation analysis {result.situation} yes."
    )
    ctx.console.table(
        "Process scores (0–5)",
        ["#", "process", "score", "weakest element"],
        [
            [p.process.number, process_name(p.process), score_text(p.score), _weakest(p)]
            for p in result.processes
        ],
    )
    weakest = result.weakest_process
    ctx.console.text(
        f"Overall {score_text(result.overall)}; weakest process: "
        f"{process_name(weakest) if weakest else 'n/a'}."
    )
    if result.channel_gaps:
        ctx.console.text(
            f"Channels in use without integrated IT support ({len(result.channel_gaps)}): "
            + ", ".join(g.channel for g in result.channel_gaps)
        )
    ctx.console.table(
        "Top gaps",
        ["process", "what is missing", "crmkit capabilities"],
        [
            [g.process.short, g.missing, ", ".join(c.path for c in g.capabilities[:2]) or "-"]
            for g in result.top_gaps(8)
        ],
    )
    import json

    from crmkit.report import ChromiumError, client_report_html, html_to_pdf
    from crmkit.strategy import compare_assessments

    page = client_report_html(result, lang="en", assessor="crmkit demo")
    path = ctx.output_dir / "assessment.html"
    write_output(path, page)
    ctx.console.text(f"Client report: {path}")
    try:
        ctx.console.text(f"PDF: {html_to_pdf(page, ctx.output_dir / 'assessment.pdf')}")
    except ChromiumError as exc:
        ctx.console.text(f"No PDF: {exc}")
    wb.fill(FOLLOW_UP)
    follow_up = assess(wb, ratings=FOLLOW_UP_RATINGS, rule=ScoringRule(unanswered="skip"))
    progress = compare_assessments(result, follow_up)
    ctx.console.table(
        "Follow-up a year later (invented progress)",
        ["process", "before", "after"],
        [
            [process_name(c.process) if c.process else c.key, score_text(c.before),
             score_text(c.after)]
            for c in progress.process_changes()
        ],
    )  # fmt: skip
    ctx.console.text(
        "Improved: " + (", ".join(c.key for c in progress.improved) or "-")
        + "; slipped: " + (", ".join(c.key for c in progress.slipped) or "-")
    )  # fmt: skip
    follow_path = ctx.output_dir / "assessment-follow-up.html"
    write_output(
        follow_path, client_report_html(follow_up, baseline=result, assessor="crmkit demo")
    )
    data_path = ctx.output_dir / "assessment-progress.json"
    write_output(data_path, json.dumps(progress.to_dict(), indent=2))
    ctx.console.text(f"Follow-up report: {follow_path}; progress data: {data_path}")


def _weakest(process: Any) -> str:
    leaves = [e for e in process.elements if e.element.is_leaf and e.score is not None]
    if not leaves:
        return "-"
    low = min(leaves, key=lambda e: e.score)
    return f"{low.element.label.en} ({score_text(low.score)})"
