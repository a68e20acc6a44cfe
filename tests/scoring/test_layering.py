"""Scoring stands on frames and domain: it does not import its sibling ``crmkit.survey``."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import crmkit.scoring
import crmkit.survey


def test_importing_scoring_does_not_import_survey() -> None:
    code = (
        "import sys, json, crmkit.scoring\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('crmkit.survey'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out) == []


@pytest.mark.parametrize("name", ["csat", "nps", "satisfaction_index"])
def test_old_scoring_names_resolve_to_survey_with_a_deprecation_warning(name: str) -> None:
    with pytest.warns(DeprecationWarning, match=f"crmkit.scoring.{name} .*crmkit.survey"):
        moved = getattr(crmkit.scoring, name)
    assert moved is getattr(crmkit.survey, name)


def test_from_import_of_an_old_name_still_works() -> None:
    with pytest.warns(DeprecationWarning, match="import it from crmkit.survey"):
        from crmkit.scoring import nps
    assert nps([10, 9, 3]).score == pytest.approx(100 / 3)


def test_unknown_scoring_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        _ = crmkit.scoring.no_such_thing
