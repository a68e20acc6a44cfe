"""The KAM toolkit of Botn-Langøy, Buarø & Hoem (2019) beyond the four stages, and the CRM types.

Counts and rules come from the reference extracts; each test names its lines.
"""

from __future__ import annotations

import pytest

from crmkit.domain import AgreementType, KamStage, default_catalogue
from crmkit.errors import InvalidTransitionError, ValidationError
from crmkit.scoring import QUALITY_PARAMETERS
from crmkit.segmentation import PortfolioRow, abc_classes, customer_portfolio
from crmkit.strategy import (
    BENEFIT_CHAIN,
    COLLABORATIVE,
    OPERATIONAL,
    RYALS_STEPS,
    STEP4_DIMENSIONS,
    THESIS_RECOMMENDATION,
    BreakdownCause,
    CrmType,
    KamProgramme,
    KeyAccountSelection,
    KeyCustomerTier,
    Petal,
    PortfolioAction,
    RelationshipFlower,
    RelationshipForm,
    SalesForceProfile,
    SalesForceStructure,
    benefit_chain,
    benefits,
    capabilities,
    capabilities_of_type,
    channel_crm_type,
    form_coverage,
    key_customer_tier,
    key_customer_tiers,
    portfolio_action,
    portfolio_actions,
    recommend_structure,
    stage_profile,
)
from crmkit.strategy.capabilities import REGISTRY


def test_relationship_flower_has_five_petals_and_finds_the_weakest() -> None:
    # reference: seed-003.md L169-L179 — five petals, trust at the centre
    assert [p.value for p in Petal] == [
        "logistics", "competence", "social_competence", "product_service", "economics",
    ]  # fmt: skip
    assert len(Petal.LOGISTICS.attributes) == 4  # availability, response time, follow-up, info
    flower = RelationshipFlower("acme", dict.fromkeys(Petal, 4) | {Petal.ECONOMICS: 2})
    assert flower.weakest() == [Petal.ECONOMICS]
    assert flower.mean == pytest.approx(3.6)
    with pytest.raises(ValidationError, match=r"ratings\.competence"):
        RelationshipFlower("acme", {p: 3 for p in Petal if p is not Petal.COMPETENCE})
    with pytest.raises(ValidationError, match="is not a petal"):
        RelationshipFlower("acme", dict.fromkeys(Petal, 3) | {"trust": 3})


def test_four_relationship_forms_and_the_formal_contract_types() -> None:
    # reference: seed-003.md L206-L213 — four forms; three contract types of the formal one
    assert len(RelationshipForm) == 4
    assert RelationshipForm.FORMAL.contract_types == (
        AgreementType.COOPERATION, AgreementType.PROJECT, AgreementType.TIME_LIMITED,
    )  # fmt: skip
    assert all(not f.contract_types for f in RelationshipForm if f is not RelationshipForm.FORMAL)
    cov = form_coverage(["social", RelationshipForm.PROFESSIONAL, "social"])
    assert cov.main_forms_present
    assert not cov.complete
    assert cov.missing == (RelationshipForm.TECHNOLOGICAL, RelationshipForm.FORMAL)


def test_sales_force_structures_and_the_thesis_recommendation() -> None:
    # reference: seed-003.md L144-L155 — four structures; product-specialised + customer-size
    assert len(SalesForceStructure) == 4
    smart_media = SalesForceProfile(complex_products=True, very_large_customers=True)
    assert tuple(recommend_structure(smart_media)) == THESIS_RECOMMENDATION
    assert recommend_structure(SalesForceProfile(industry_focus=True)) == [
        SalesForceStructure.MARKET_CENTRED
    ]
    assert SalesForceStructure.MARKET_CENTRED.weakness == ""


def test_portfolio_actions_follow_the_tiers() -> None:
    # reference: seed-003.md L240, L246-L249 — develop / retain / maintain / eliminate
    customers = [
        {"id": "a", "value": 900, "cost_to_serve": 10},
        {"id": "b", "value": 900, "cost_to_serve": 80},
        {"id": "c", "value": 100, "cost_to_serve": 10},
        {"id": "d", "value": 100, "cost_to_serve": 80},
    ]
    rows = customer_portfolio(customers, value_cutoff=500, cost_cutoff=50)
    assert [a.value for a in portfolio_actions(rows).values() if a] == [
        a.value for a in PortfolioAction
    ]
    assert portfolio_action("gold", {"gold": PortfolioAction.DEVELOP}) is PortfolioAction.DEVELOP
    with pytest.raises(ValidationError):
        portfolio_action("iron")


def test_key_customer_tiers_are_not_revenue_abc() -> None:
    # reference: seed-003.md L252 — portfolio category plus own criteria; A gets a KA manager
    rows = [PortfolioRow("big_cheap", "platinum", "superior"), PortfolioRow("big", "gold", "best"),
            PortfolioRow("small", "silver", "good")]  # fmt: skip
    sel = KeyAccountSelection(threshold=0.25)
    picks = sel.rank({"big_cheap": {"profit_contribution": 1, "prestige": 1},
                      "small": {"profit_contribution": 1, "early_adopter": 1}})  # fmt: skip
    tiers = key_customer_tiers(rows, picks)
    assert tiers == {"big_cheap": KeyCustomerTier.A, "big": KeyCustomerTier.B,
                     "small": KeyCustomerTier.B}  # fmt: skip
    assert tiers["big_cheap"].contact == "key_account_manager"
    assert key_customer_tier(None, False) is KeyCustomerTier.C
    with pytest.raises(ValidationError):
        key_customer_tier("diamond", True)
    # revenue-Pareto ABC is a different function with a different input
    assert abc_classes is not key_customer_tiers


def test_kam_stage_profiles_and_breakdown_causes() -> None:
    # reference: seed-003.md L194-L201 — four stages; three breakdown causes, around bow-tie
    assert len(BreakdownCause) == 3
    assert set(stage_profile(KamStage.BOW_TIE).breakdown_risk) == set(BreakdownCause)
    assert [stage_profile(s).is_key_account for s in KamStage] == [False, False, True, True]
    assert "hand the customer" in stage_profile("one_on_many").advice[0]
    with pytest.raises(ValidationError):
        stage_profile("platinum")


def test_ryals_steps_are_taken_in_order() -> None:
    # reference: seed-003.md L99-L109 — incremental; organisational before operational
    prog = KamProgramme()
    for sub in RYALS_STEPS[0].sub_points:
        prog.complete(sub.key)
    prog.complete("high_level_buy_in")
    with pytest.raises(InvalidTransitionError, match="before step 3"):
        prog.complete("hire_and_train")
    for step in RYALS_STEPS[2:]:
        prog.complete(step.key)
    assert prog.progress() == 1.0


def test_step4_dimensions_in_key_account_selection() -> None:
    # reference: seed-003.md L106 — profitability, growth potential, established relationships
    assert STEP4_DIMENSIONS == ("profitability", "growth_potential", "established_relationship")
    sel = KeyAccountSelection(threshold=0.25, dimension_threshold=0.5)
    criteria = {"profit_contribution": 1, "sales_potential": 1}
    strong = sel.score("a", criteria | {"profitability": 1, "growth_potential": 1})
    weak = sel.score("b", criteria | {"profitability": 0.5})
    unrated = sel.score("c", criteria)
    assert strong.dimension_score == pytest.approx(2 / 3, abs=1e-6)
    assert strong.selected
    assert weak.dimension_score == pytest.approx(1 / 6, abs=1e-6)
    assert not weak.selected
    assert unrated.dimension_score is None
    assert not unrated.selected
    assert strong.score == weak.score == 0.25  # dimensions do not change the criteria score
    assert KeyAccountSelection(threshold=0.25).score("c", criteria).selected
    with pytest.raises(ValidationError):
        KeyAccountSelection(dimension_threshold=2)


def test_crm_types_tag_capabilities_channels_and_the_benefit_chain() -> None:
    # reference: seed-000.md L309-L315; seed-001.md L115-L123 — three types, figure 3 chain
    assert [t.value for t in CrmType] == ["analytical", "operational", "collaborative"]
    paths = {p for p, *_ in REGISTRY}
    assert paths >= OPERATIONAL
    assert paths >= COLLABORATIVE
    assert not OPERATIONAL & COLLABORATIVE
    assert {c.crm_type for c in capabilities()} == set(CrmType)
    assert sum(len(capabilities_of_type(t)) for t in CrmType) == len(capabilities())
    assert channel_crm_type(default_catalogue()["web_shop"]) is CrmType.COLLABORATIVE
    assert [len(benefits(t)) for t in CrmType] == [4, 4, 4]
    outcomes = [link.target for link in BENEFIT_CHAIN if link.source == "prospecting"]
    assert outcomes == [p.key for p in QUALITY_PARAMETERS]
    for t in CrmType:
        chain = benefit_chain(t)
        assert chain[0].source == t.value
        assert chain[-1].target == "cost_per_new_customer"


def test_selection_rejects_non_numeric_ratings_with_the_field() -> None:
    with pytest.raises(ValidationError, match=r"acme\.prestige"):
        KeyAccountSelection().score("acme", {"prestige": "high"})  # type: ignore[dict-item]
