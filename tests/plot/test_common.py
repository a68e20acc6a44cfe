"""What every plot promises: lazy matplotlib, no global state, ``ax=``, errors naming the input."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

import crmkit.plot
from crmkit.clv import BetaGeo, CalibrationHoldout, CustomerSummary, CustomerValue, SegmentValue
from crmkit.errors import MissingDependencyError, ValidationError
from crmkit.scoring import CohortCell, LeadScore, StageConversion
from crmkit.segmentation import ABCRow, RFMRow

from .conftest import render

MODEL = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="weeks")
DAY = dt.date(2025, 1, 6)

# one valid call per public plot: (function, positional inputs, keyword options)
CALLS: dict[str, tuple[Callable[..., Axes], tuple[Any, ...], dict[str, Any]]] = {
    "plot_frequency_recency_matrix": (
        crmkit.plot.plot_frequency_recency_matrix,
        (MODEL,),
        {"max_frequency": 3, "max_recency": 10},
    ),
    "plot_probability_alive_matrix": (
        crmkit.plot.plot_probability_alive_matrix,
        (MODEL,),
        {"max_frequency": 3, "max_recency": 10},
    ),
    "plot_period_transactions": (
        crmkit.plot.plot_period_transactions,
        (MODEL, [CustomerSummary("a", 1, 5.0, 10.0)]),
        {},
    ),
    "plot_calibration_purchases_vs_holdout_purchases": (
        crmkit.plot.plot_calibration_purchases_vs_holdout_purchases,
        (MODEL, [CalibrationHoldout("a", 1, 5.0, 10.0, None, 1, None, 4.0)]),
        {},
    ),
    "plot_cumulative_transactions": (
        crmkit.plot.plot_cumulative_transactions,
        (MODEL, [{"account_id": "a", "ordered_at": DAY}]),
        {"as_of": DAY},
    ),
    "plot_incremental_transactions": (
        crmkit.plot.plot_incremental_transactions,
        (MODEL, [{"account_id": "a", "ordered_at": DAY}]),
        {"as_of": DAY},
    ),
    "plot_history_alive": (
        crmkit.plot.plot_history_alive,
        (MODEL, [{"account_id": "a", "ordered_at": DAY}], "a"),
        {"as_of": DAY},
    ),
    "plot_clv_distribution": (
        crmkit.plot.plot_clv_distribution,
        ([CustomerValue("a", 0.5, 1.0, 10.0, 12.0)],),
        {},
    ),
    "plot_value_by_segment": (
        crmkit.plot.plot_value_by_segment,
        ([SegmentValue("A", 1, 0.5, 1.0, 12.0, 12.0)],),
        {},
    ),
    "plot_rfm_segments": (
        crmkit.plot.plot_rfm_segments,
        ([RFMRow("a", 3, 2, 100, 5, 4, 3, "champions")],),
        {},
    ),
    "plot_rf_heatmap": (
        crmkit.plot.plot_rf_heatmap,
        ([RFMRow("a", 3, 2, 100, 5, 4, 3, "champions")],),
        {},
    ),
    "plot_pareto_curve": (crmkit.plot.plot_pareto_curve, ([ABCRow("a", 1, 1.0, 1.0, "A")],), {}),
    "plot_lead_scores": (
        crmkit.plot.plot_lead_scores,
        ([LeadScore(10.0, 10.0, 0.0, "route", ())],),
        {},
    ),
    "plot_pipeline_funnel": (
        crmkit.plot.plot_pipeline_funnel,
        ([StageConversion("a", 2, 1, 0.5)],),
        {},
    ),
    "plot_stage_conversion": (
        crmkit.plot.plot_stage_conversion,
        ([StageConversion("a", 2, 1, 0.5)],),
        {},
    ),
    "plot_cohort_retention": (
        crmkit.plot.plot_cohort_retention,
        ([CohortCell("2025-01", 0, 1, 1.0)],),
        {},
    ),
}

# the position of the rows argument (the one after the model, for model plots)
ROWS_AT = {name: (1 if args and args[0] is MODEL else 0) for name, (_, args, _) in CALLS.items()}
#: the matrices read their rows from summary= (optional with explicit ranges)
MATRICES = ("plot_frequency_recency_matrix", "plot_probability_alive_matrix")


def test_every_public_plot_is_covered() -> None:
    assert sorted(CALLS) == sorted(crmkit.plot.__all__)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_each_plot_renders_on_a_new_figure_with_a_title(name: str) -> None:
    function, args, kwargs = CALLS[name]
    ax = function(*args, **kwargs)
    assert isinstance(ax, Axes)
    assert isinstance(ax.figure, Figure)
    assert ax.get_title()
    render(ax)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_each_plot_draws_on_the_axes_it_is_given(name: str) -> None:
    function, args, kwargs = CALLS[name]
    figure = Figure()
    _, ax = figure.subplots(1, 2)
    assert function(*args, **kwargs, ax=ax) is ax
    assert ax.get_title()
    assert figure.axes[0].get_title() == ""  # the other Axes is untouched


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("bad", ["ax", 3, object()])
def test_each_plot_refuses_an_ax_that_is_not_an_axes(name: str, bad: Any) -> None:
    function, args, kwargs = CALLS[name]
    with pytest.raises(ValidationError, match=r"^ax: ") as info:
        function(*args, **kwargs, ax=bad)
    assert info.value.problems[0].message == "must be a matplotlib Axes or None"


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("rows", [[], (), iter(())])
def test_each_plot_refuses_empty_input(name: str, rows: Any) -> None:
    function, args, kwargs = CALLS[name]
    if name in MATRICES:
        args, kwargs = (MODEL,), {"summary": rows}
    else:
        at = ROWS_AT[name]
        args = (*args[:at], rows, *args[at + 1 :])
    with pytest.raises(ValidationError, match="must not be empty: there is nothing to plot"):
        function(*args, **kwargs)


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        (name, rows)
        for name in sorted(CALLS)
        for rows in ("abc", 42, None, b"xy")
        # a matrix takes summary=None (with explicit ranges) on purpose
        if not (name in MATRICES and rows is None)
    ],
)
def test_each_plot_refuses_input_that_is_not_rows(name: str, rows: Any) -> None:
    function, args, kwargs = CALLS[name]
    if name in MATRICES:
        args, kwargs = (MODEL,), {"summary": rows}
    else:
        at = ROWS_AT[name]
        args = (*args[:at], rows, *args[at + 1 :])
    with pytest.raises(ValidationError, match="must be a list of rows or a dataframe"):
        function(*args, **kwargs)


@pytest.mark.parametrize("name", sorted(n for n in CALLS if ROWS_AT[n] == 1))
@pytest.mark.parametrize("model", [None, "BetaGeo", {"r": 1.0}])
def test_model_plots_refuse_something_that_is_not_a_model(name: str, model: Any) -> None:
    function, args, kwargs = CALLS[name]
    with pytest.raises(ValidationError, match=r"^model: ") as info:
        function(model, *args[1:], **kwargs)
    assert "must be a fitted crmkit.clv model" in info.value.problems[0].message


HOSTILE_ROWS: list[tuple[str, list[Any], str]] = [
    (
        "plot_clv_distribution",
        [CustomerValue("a", 0.5, 1.0, 10.0, float("nan"))],
        r"values\[0\]\.lifetime_value: nan must be a finite number",
    ),
    (
        "plot_clv_distribution",
        [CustomerValue("a", 0.5, 1.0, 10.0, float("inf"))],
        r"values\[0\]\.lifetime_value: inf must be a finite number",
    ),
    ("plot_clv_distribution", [{"value": 3}], r"values\[0\]\.lifetime_value: is missing"),
    (
        "plot_value_by_segment",
        [{"segment": "A", "customers": 1, "lifetime_value": "12"}],
        r"segments\[0\]\.lifetime_value: '12' must be a finite number",
    ),
    (
        "plot_value_by_segment",
        [{"segment": None, "customers": 1, "lifetime_value": 1.0}],
        r"segments\[0\]\.segment: None must be set",
    ),
    (
        "plot_rf_heatmap",
        [RFMRow("a", 3, 2, 100, 0, 4, 3, None)],
        r"rows\[0\]\.r_score: 0 must be a whole number between 1 and 100",
    ),
    (
        "plot_rf_heatmap",
        [RFMRow("a", 3, 2, 100, 2, True, 3, None)],  # type: ignore[arg-type]
        r"rows\[0\]\.f_score: True must be a finite number",
    ),
    (
        "plot_rfm_segments",
        [RFMRow("a", 3, 2, float("nan"), 2, 1, 3, "x")],
        r"rows\[0\]\.monetary: nan must be a finite number",
    ),
    (
        "plot_pareto_curve",
        [ABCRow("a", 1, 1.0, 1.0, None)],  # type: ignore[arg-type]
        r"rows\[0\]\.abc_class: None must be set",
    ),
    (
        "plot_lead_scores",
        [LeadScore(float("nan"), 0.0, 0.0, "route", ())],
        r"scores\[0\]\.score: nan must be a finite number",
    ),
    (
        "plot_pipeline_funnel",
        [{"stage": "a", "reached": None, "advanced": 1, "rate": 0.5}],
        r"conversions\[0\]\.reached: None must be a finite number",
    ),
    (
        "plot_cohort_retention",
        [CohortCell("2025-01", -1, 1, 1.0)],
        r"cells\[0\]\.offset: -1 must be a whole number between 0 and 10000",
    ),
    (
        "plot_cohort_retention",
        [{"cohort": "2025-01", "offset": 0, "customers": 1}],
        r"cells\[0\]\.rate: is missing from the record",
    ),
    (
        "plot_cumulative_transactions",
        [{"account_id": "a", "ordered_at": "2025-01-06"}],
        r"transactions\[0\]\.ordered_at: '2025-01-06' must be a date or datetime",
    ),
    (
        "plot_rf_heatmap",
        [RFMRow("a", 3, 2, 100, 2, 10**9, 3, None)],
        r"rows\[0\]\.f_score: 1000000000 must be a whole number between 1 and 100",
    ),
    (
        "plot_rf_heatmap",
        [{"r_score": 2.5, "f_score": 1, "monetary": 1}],
        r"rows\[0\]\.r_score: 2\.5 must be a whole number between 1 and 100",
    ),
    (
        "plot_cohort_retention",
        [CohortCell("2025-01", 10**8, 1, 1.0)],
        r"cells\[0\]\.offset: 100000000 must be a whole number",
    ),
    (
        "plot_cumulative_transactions",
        [{"account_id": None, "ordered_at": DAY}],
        r"transactions\[0\]\.account_id: None must be a customer id",
    ),
    (
        "plot_cumulative_transactions",
        [{"account_id": ["a"], "ordered_at": DAY}],
        r"transactions\[0\]\.account_id: \['a'\] must be a customer id",
    ),
    (
        "plot_cumulative_transactions",
        # a mistyped year (0202 for 2025): 95,121 weeks of work; the Monday of its week is shown
        [
            {"account_id": "a", "ordered_at": dt.date(202, 1, 6)},
            {"account_id": "a", "ordered_at": DAY},
        ],
        r"transactions: '0202-01-04 to 2025-01-06' span 95,121 weeks \(at most 20,000\)",
    ),
    (
        "plot_cumulative_transactions",
        [{"account_id": "a"}],
        r"transactions\[0\]\.ordered_at: is missing from the record",
    ),
    (
        "plot_history_alive",
        [{"account_id": "a", "ordered_at": None}],
        r"transactions\[0\]\.ordered_at: None must be a date or datetime",
    ),
    (
        "plot_period_transactions",
        [CustomerSummary("a", 1, 5.0, float("nan"))],
        r"summary\[0\]\.T: nan must be a finite number",
    ),
    (
        "plot_calibration_purchases_vs_holdout_purchases",
        [{"frequency_cal": 1, "recency_cal": 1.0, "T_cal": 2.0, "duration_holdout": 1.0}],
        r"calibration_holdout\[0\]\.frequency_holdout: is missing",
    ),
]


@pytest.mark.parametrize(("name", "rows", "message"), HOSTILE_ROWS)
def test_bad_rows_raise_a_validation_error_naming_the_row(
    name: str, rows: list[Any], message: str
) -> None:
    function, args, kwargs = CALLS[name]
    at = ROWS_AT[name]
    with pytest.raises(ValidationError, match=message):
        function(*args[:at], rows, *args[at + 1 :], **kwargs)


@pytest.mark.parametrize(
    ("name", "option", "value"),
    [
        ("plot_clv_distribution", "bins", 0),
        ("plot_clv_distribution", "bins", 2.5),
        ("plot_clv_distribution", "bins", 10**9),
        ("plot_lead_scores", "bins", 10**9),
        ("plot_period_transactions", "max_frequency", 10**9),
        ("plot_frequency_recency_matrix", "max_frequency", 10**6),  # 10^6 × 11 cells
        ("plot_probability_alive_matrix", "max_recency", 10**6),
        ("plot_probability_alive_matrix", "max_recency", float("inf")),
        ("plot_lead_scores", "bins", -1),
        ("plot_period_transactions", "max_frequency", 0),
        ("plot_calibration_purchases_vs_holdout_purchases", "n", 0),
        ("plot_cumulative_transactions", "time_unit", "fortnights"),
        ("plot_cumulative_transactions", "as_of", dt.date(2024, 1, 1)),
        ("plot_cumulative_transactions", "calibration_end", dt.date(2030, 1, 1)),
        ("plot_incremental_transactions", "calibration_end", "2025-01-06"),
        ("plot_history_alive", "as_of", "soon"),
    ],
)
def test_bad_options_raise_a_validation_error_naming_the_option(
    name: str, option: str, value: Any
) -> None:
    function, args, kwargs = CALLS[name]
    with pytest.raises(ValidationError) as info:
        function(*args, **{**kwargs, option: value})
    assert info.value.problems[0].path == option


def _run(code: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    result: dict[str, Any] = json.loads(out)
    return result


@pytest.mark.parametrize("customer_id", [["a"], {"a": 1}, None])
def test_history_alive_with_an_odd_customer_id_names_it(customer_id: Any) -> None:
    orders = [{"account_id": "a", "ordered_at": DAY}]
    with pytest.raises(ValidationError, match=r"^customer_id: .* has no transactions$"):
        crmkit.plot.plot_history_alive(MODEL, orders, customer_id, as_of=DAY)


def test_importing_crmkit_plot_does_not_import_matplotlib() -> None:
    loaded = _run(
        "import sys, json, crmkit.plot\n"
        "print(json.dumps({'mods': sorted({m.split('.')[0] for m in sys.modules})}))"
    )["mods"]
    assert "matplotlib" not in loaded
    assert "numpy" not in loaded


def test_plotting_leaves_matplotlibs_global_state_alone() -> None:
    # rcParams are read through dict.items: RcParams.__getitem__("backend") would itself
    # import pyplot to resolve the automatic backend.
    result = _run(
        "import sys, json\n"
        "import matplotlib\n"
        "def rc(): return {k: repr(v) for k, v in dict.items(matplotlib.rcParams)}\n"
        "before = rc()\n"
        "from crmkit.plot import plot_probability_alive_matrix\n"
        "from crmkit.clv import BetaGeo\n"
        "m = BetaGeo(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit='weeks')\n"
        "ax = plot_probability_alive_matrix(m, max_frequency=2, max_recency=5)\n"
        "import io; ax.figure.savefig(io.BytesIO(), format='png')\n"
        "print(json.dumps({'pyplot': 'matplotlib.pyplot' in sys.modules,\n"
        "  'rc': rc() == before}))"
    )
    assert result == {"pyplot": False, "rc": True}


def test_without_matplotlib_a_plot_names_the_extra_to_install() -> None:
    result = _run(
        "import sys, json\n"
        "sys.modules['matplotlib'] = None\n"
        "from crmkit.errors import MissingDependencyError\n"
        "from crmkit.plot import plot_pipeline_funnel\n"
        "from crmkit.scoring import StageConversion\n"
        "try:\n"
        "    plot_pipeline_funnel([StageConversion('a', 1, 1, 1.0)])\n"
        "except MissingDependencyError as e:\n"
        "    print(json.dumps({'error': str(e)}))\n"
    )
    assert "crmkit[plot]" in result["error"]
    assert MissingDependencyError  # the class the subprocess caught
