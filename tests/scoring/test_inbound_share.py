"""Inbound share and its trend (reference: seed-001.md L180-L206, F17 at L598)."""

from __future__ import annotations

import math

import pandas as pd
import polars as pl
import pytest

from crmkit.domain import Direction, Lead
from crmkit.errors import ValidationError
from crmkit.scoring import inbound_share, inbound_share_trend


def test_six_of_ten_leads_inbound_is_sixty_percent() -> None:
    # reference: seed-001.md L598 — "share of 6 inbound of 10 leads = 0.6; trend positive"
    leads = [Direction.INBOUND] * 6 + [Direction.OUTBOUND] * 4
    assert inbound_share(leads).share == 0.6
    trend = inbound_share_trend({"before": leads[3:], "after": leads})
    assert trend.change > 0
    assert trend.shifting_inbound


def test_records_leads_and_frames_agree() -> None:
    rows = [{"direction": d} for d in ["inbound", "outbound", "inbound", "both", None]]
    expected = inbound_share(rows)
    assert (expected.inbound, expected.outbound, expected.unattributed) == (2, 1, 2)
    for frame in (pd.DataFrame(rows), pl.DataFrame(rows), pl.DataFrame(rows).lazy()):
        assert inbound_share(frame) == expected
    lead = Lead("Nordvind AB", first_name="Anna", direction=Direction.OUTBOUND)
    assert inbound_share([lead]).outbound == 1


def test_empty_and_bad_input() -> None:
    assert math.isnan(inbound_share([]).share)
    assert math.isnan(inbound_share_trend({"only": ["inbound"]}).change)
    with pytest.raises(ValidationError, match="must be inbound, outbound or both"):
        inbound_share([{"direction": "up"}])
    with pytest.raises(ValidationError):
        inbound_share(pd.DataFrame({"other": [1]}))
