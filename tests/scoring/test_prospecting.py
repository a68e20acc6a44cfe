"""ICP fit, priority, score-band evaluation, routing and follow-up."""

from __future__ import annotations

import datetime as dt

import attrs
import hypothesis.strategies as st
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings

from crmkit.errors import ValidationError
from crmkit.frames import col
from crmkit.scoring import (
    EmailSequence,
    IcpDimension,
    IdealCustomerProfile,
    Seller,
    SequenceStep,
    neglected,
    overdue_follow_ups,
    prospect_priority,
    route_leads,
    score_bands,
)
from tests.engines import (
    IN_PROCESS,
    frame_rows,
    is_lazy_native,
    to_frame,
)

ICP = IdealCustomerProfile(
    [
        IcpDimension("need", col("needs_crm") == True, weight=3),  # noqa: E712
        IcpDimension("buying_behaviour", col("orders_per_year") >= 4, weight=2),
        IcpDimension("firmographics", col("employees").between(20, 500), weight=2),
        IcpDimension("challenges", col("pain").is_in(["churn", "manual work"]), weight=1),
    ]
)

rows = st.lists(
    st.fixed_dictionaries(
        {
            "needs_crm": st.none() | st.booleans(),
            "orders_per_year": st.none() | st.integers(0, 10),
            "employees": st.none() | st.integers(0, 900),
            "pain": st.none() | st.sampled_from(["churn", "manual work", "price"]),
            "lead_score": st.none() | st.integers(-20, 100),
            "converted": st.booleans(),
            "last_contact_at": st.none() | st.dates(dt.date(2024, 10, 1), dt.date(2025, 4, 1)),
        }
    ),
    min_size=1,
    max_size=25,
).map(lambda rs: [{"id": i, **r} for i, r in enumerate(rs)])
SCHEMA = {"id": pl.Int64, "needs_crm": pl.Boolean, "orders_per_year": pl.Int64,
          "employees": pl.Int64, "pain": pl.String, "lead_score": pl.Int64,
          "converted": pl.Boolean, "last_contact_at": pl.Date}  # fmt: skip


def _plain(bands: list[object]) -> list[tuple[object, ...]]:
    """Bands as tuples with NaN as None (NaN never equals itself)."""
    return [
        tuple(None if isinstance(v, float) and v != v else v for v in attrs.astuple(b))
        for b in bands
    ]


@pytest.mark.parametrize("engine", IN_PROCESS)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=rows)
def test_records_and_frames_agree(engine: str, data: list[dict[str, object]]) -> None:
    def frame() -> object:
        return to_frame(data, engine, SCHEMA)

    want = dict(zip([r["id"] for r in data], ICP.score(data), strict=True))
    got = {r["id"]: r["icp_fit"] for r in frame_rows(ICP.score(frame()))}
    assert got == pytest.approx(want)
    assert _plain(score_bands(frame(), edges=[0, 40, 70])) == _plain(
        score_bands(data, edges=[0, 40, 70])
    )
    as_of = dt.date(2025, 3, 31)
    assert sorted(r["id"] for r in frame_rows(neglected(frame(), days=30, as_of=as_of))) == sorted(
        r["id"] for r in neglected(data, days=30, as_of=as_of)
    )


def test_icp_fit_is_a_weighted_share() -> None:
    prospect = {"needs_crm": True, "orders_per_year": 1, "employees": 50, "pain": "price"}
    assert ICP.matches(prospect) == ["need", "firmographics"]
    assert ICP.score_one(prospect) == pytest.approx(5 / 8)
    with pytest.raises(ValidationError) as err:
        ICP.score_one({"needs_crm": True})
    assert err.value.paths[0].startswith("prospect.")
    with pytest.raises(ValidationError, match="distinct names"):
        IdealCustomerProfile([IcpDimension("need", col("a") > 1)] * 2)


def test_priority_follows_interest_then_buying_stage() -> None:
    leads = [("not_interested", 4), ("evaluating", 1), ("very_interested", 8),
             ("very_interested", 4), ("evaluating", 4), ("very_interested", 3)]  # fmt: skip
    assert sorted(leads, key=lambda lead: prospect_priority(*lead)) == [
        ("very_interested", 4), ("very_interested", 3), ("very_interested", 8),
        ("evaluating", 4), ("evaluating", 1), ("not_interested", 4),
    ]  # fmt: skip
    with pytest.raises(ValidationError, match="buying stage"):
        prospect_priority("evaluating", 9)


def test_score_bands_lift() -> None:
    data = [{"lead_score": s, "converted": c} for s, c in
            [(5, False), (15, False), (30, False), (35, True), (60, True), (75, True),
             (80, False), (95, True)]]  # fmt: skip
    bands = score_bands(data, edges=[0, 50])
    assert [(b.band, b.leads, b.converted) for b in bands] == [("0–50", 4, 1), ("50+", 4, 3)]
    assert [b.lift for b in bands] == pytest.approx([0.25 / 0.5, 0.75 / 0.5])
    with pytest.raises(ValidationError, match="increasing"):
        score_bands(data, edges=[50, 0])


def test_routing_by_segment_experience_and_capacity() -> None:
    sellers = [
        Seller("ann", {"smb"}, capacity=1, experience={"smb": 9}),
        Seller("bo", {"smb", "enterprise"}, capacity=2, experience={"smb": 2, "enterprise": 4}),
        Seller("cy", {"enterprise"}, capacity=1, experience={"enterprise": 4}),
    ]
    leads = [{"id": f"l{i}", "segment": s} for i, s in
             enumerate(["smb", "smb", "enterprise", "enterprise", "smb", "public"])]  # fmt: skip
    got = [(a.lead_id, a.seller_id) for a in route_leads(leads, sellers)]
    assert got == [
        ("l0", "ann"),  # most smb experience
        ("l1", "bo"),  # ann is full
        ("l2", "bo"),  # tie on experience (4) and free capacity (1): seller id decides
        ("l3", "cy"),  # bo is full now
        ("l4", None),  # every smb seller is full
        ("l5", None),  # nobody covers public
    ]
    # deterministic: the same input gives the same answer
    assert [(a.lead_id, a.seller_id) for a in route_leads(leads, sellers)] == got
    reasons = [a.reason for a in route_leads(leads, sellers)]
    assert reasons[-1] == "no seller covers segment 'public'"
    assert reasons[-2] == "every seller covering 'smb' is at capacity"


def test_email_sequence_and_overdue() -> None:
    seq = EmailSequence([SequenceStep("intro"), SequenceStep("nudge", 3), SequenceStep("last", 7)])
    assert seq.next_step(sent=2, last_sent_on=dt.date(2025, 3, 4), replied=False) == (
        SequenceStep("last", 7),
        dt.date(2025, 3, 11),
    )
    assert seq.next_step(sent=3, last_sent_on=dt.date(2025, 3, 11), replied=False) is None
    with pytest.raises(ValidationError):
        seq.next_step(sent=4, last_sent_on=None, replied=False)
    t = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)
    items = [
        {"id": "a", "status": "planned", "planned_at": t},
        {"id": "b", "status": "planned", "planned_at": t - dt.timedelta(days=2)},
        {"id": "c", "status": "planned", "planned_at": t + dt.timedelta(days=9)},
        {"id": "d", "status": "done", "planned_at": t - dt.timedelta(days=9)},
    ]
    late = overdue_follow_ups(items, as_of=(t + dt.timedelta(days=1)).date())
    assert [i["id"] for i in late] == ["b", "a"]
    # planned for the as-of day itself: not overdue yet (follow-ups count by UTC day)
    assert [i["id"] for i in overdue_follow_ups(items, as_of=t.date())] == ["b"]
    with pytest.warns(DeprecationWarning, match="overdue_follow_ups.as_of=<datetime>"):
        old = overdue_follow_ups(items, as_of=t + dt.timedelta(days=1))
    assert old == late


def test_neglect_flag_lazy() -> None:
    data = [{"id": 1, "last_contact_at": dt.date(2025, 1, 1)}]
    rel = to_frame(data, "duckdb", {"id": pl.Int64, "last_contact_at": pl.Date})
    out = neglected(rel, days=30, as_of=dt.date(2025, 3, 1))
    assert is_lazy_native(out)
    assert [r["id"] for r in frame_rows(out)] == [1]
