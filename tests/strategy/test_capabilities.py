from __future__ import annotations

import importlib

import pytest

from crmkit.errors import NotFoundError
from crmkit.strategy import (
    REGISTRY,
    Process,
    capabilities,
    capabilities_for,
    element,
    elements,
    resolve,
    uncovered_elements,
)

#: Leaf elements crmkit has no capability for yet (documented in crmkit.strategy.capabilities
#: and docs/concepts/payne-frow.md). Registering one removes it from this list.
UNCOVERED = ["outlets", "employee_value", "shareholder_value"]

ANALYTICS = ("segmentation", "scoring", "clv", "survey")


@pytest.mark.parametrize("row", REGISTRY, ids=[f"{r[0]}->{r[2]}" for r in REGISTRY])
def test_every_registry_entry_is_a_real_public_callable(row: tuple[str, str, str, str]) -> None:
    path, _, key, description = row
    assert callable(resolve(path))
    assert element(key)  # a real element key
    assert description.strip()


def test_rows_are_unique() -> None:
    pairs = [(path, key) for path, _, key, _ in REGISTRY]
    assert len(pairs) == len(set(pairs))


def test_entries_name_a_process_and_its_element() -> None:
    for cap in capabilities():
        assert element(cap.element_key).process is cap.process
    assert {c.process for c in capabilities()} == set(Process)
    assert [c.path for c in capabilities("MCI")][:2] == [
        "crmkit.strategy:channel_integration_gaps",
        "crmkit.strategy:same_standard_on_every_channel",
    ]


def test_every_analytics_package_is_registered() -> None:
    packages = {c.path.split(":")[0].split(".")[1] for c in capabilities()}
    assert {"segmentation", "scoring", "clv", "survey", "domain", "adapters"} <= packages


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("crmkit.clv:BetaGeo", "customer_segment_lifetime_value"),
        ("crmkit.clv:customer_lifetime_value", "customer_segment_lifetime_value"),
        ("crmkit.domain:KPI", "metrics_and_kpis"),
        ("crmkit.domain:ChannelCatalogue", "channel_categories"),
        ("crmkit.adapters.files:import_csv", "data_repository"),
        ("crmkit.adapters.inbound:InboundDesk", "integrated_channel_management"),
        ("crmkit.adapters.outbound:MessageSender", "direct_marketing"),
        ("crmkit.segmentation:rfm", "segment_granularity"),
        ("crmkit.segmentation:customer_status", "customer_choice"),
        ("crmkit.scoring:LeadScoringModel", "acquisition_economics"),
        ("crmkit.scoring:WinProbabilityModel", "analysis_tools"),
        ("crmkit.survey:nps", "customer_value"),
    ],
)
def test_issue_examples_are_registered_where_the_issue_says(path: str, key: str) -> None:
    assert path in [c.path for c in capabilities_for(key) if c.element_key == key]


#: Public functions of the analytics packages that are not capabilities in their own right:
#: rule builders, row builders and converters, bridges to peer libraries, simulators, numeric
#: helpers and re-exports (scoring re-exports survey's nps / csat / satisfaction_index).
NOT_CAPABILITIES = {
    "segmentation": {"convert_records", "bucket_segments", "portfolio_segments", "profitability_segments",
                     "tier_segments", "wallet_segments"},
    "scoring": {"closed_opportunity_rows", "criteria_table", "stage_change_rows", "stage_table",
                "csat", "nps", "satisfaction_index"},
    "clv": {"from_lifetimes", "from_pymc_marketing", "to_lifetimes", "to_pymc_marketing",
            "from_pymc_marketing_model", "to_pymc_marketing_model",
            "from_lifetimes_fitter", "to_lifetimes_fitter", "calibration_part",
            "load_model", "simulate_beta_geo"},
    "survey": {"alpha_from_mean_correlation", "as_item_table", "check_correlation_report",
               "check_descriptives_report", "check_rounding", "check_scale_range",
               "check_share_report", "check_variance_explained", "classify_loading",
               "coefficient_test", "correlation_from_summary", "infer_ddof",
               "mean_correlation_from_alpha", "recode", "simulate_responses", "t_interval"},
}  # fmt: skip


@pytest.mark.parametrize("package", ANALYTICS)
def test_every_public_analytic_function_is_registered(package: str) -> None:
    # a new public function of an analytics package is registered (or listed above)
    module = importlib.import_module(f"crmkit.{package}")
    registered = {c.path for c in capabilities()}
    functions = {
        name for name in module.__all__ if name[0].islower() and callable(getattr(module, name))
    }
    missing = sorted(
        name
        for name in functions - NOT_CAPABILITIES[package]
        if f"crmkit.{package}:{name}" not in registered
    )
    assert missing == [], f"register in crmkit.strategy.capabilities.REGISTRY: {missing}"


def test_elements_without_a_capability_are_the_documented_ones() -> None:
    assert [e.key for e in uncovered_elements()] == UNCOVERED
    # every other leaf element points at a capability of its own
    for e in elements():
        if e.is_leaf and e.key not in UNCOVERED:
            assert [c for c in capabilities_for(e.key) if c.element_key == e.key], e.key


def test_capabilities_for_walks_up_the_tree_nearest_first() -> None:
    paths = [c.path for c in capabilities_for("retention_economics")]
    assert "crmkit.strategy:profitability_shares" in paths  # registered on the parent
    assert "crmkit.strategy:cross_sell_percent" in paths
    assert paths[0] == "crmkit.segmentation:repurchase_buckets"  # own element first
    keys = [c.element_key for c in capabilities_for("retention_economics")]
    assert keys.index("value_organisation_receives") > keys.index("retention_economics")
    # an uncovered leaf still gets its parent's capabilities
    assert [c.path for c in capabilities_for("outlets")] == ["crmkit.domain:ChannelCatalogue"]


def test_resolve_refuses_private_and_missing() -> None:
    with pytest.raises(NotFoundError):
        resolve("crmkit.strategy:_entries")
    with pytest.raises(NotFoundError):
        resolve("crmkit.nothing_here:x")
    with pytest.raises(NotFoundError):
        resolve("crmkit.strategy.capabilities:_entries")
