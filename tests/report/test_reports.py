from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from crmkit.report import RADAR_FILL, assessment_html, assessment_markdown, radar_svg
from crmkit.strategy import ScoringRule, WorkbookAnswers, assess, capabilities_for
from tests.backends import have_chromium, require_backend


def _assessment():  # type: ignore[no-untyped-def]
    wb = WorkbookAnswers(company="Acme <AB>")
    wb.fill({i.id: True for i in wb.workbook.section("S04").items})
    wb.fill(
        {
            "s04.know_lifetime_value": False,
            "s04.data_in_one_place": False,
            "s08.e_commerce": {"used": True, "it_support": "none"},
            "s08.field_sales": {"used": True, "it_support": "integrated"},
        }
    )
    return assess(wb, rule=ScoringRule(unanswered="skip"))


def test_markdown_report() -> None:
    md = assessment_markdown(_assessment())
    assert md.startswith("# CRM strategy assessment")
    assert "**Weakest process:** Value creation" in md
    assert "| Value creation | 3.3 |" in md
    assert "does not know customers' lifetime value" in md
    assert "E-commerce is in use without integrated IT support (No IT support)" in md
    sv = assessment_markdown(_assessment(), lang="sv")
    assert "Den värdeskapande processen" in sv


def test_html_is_standalone_and_escaped() -> None:
    page = assessment_html(_assessment())
    assert "Acme &lt;AB&gt;" in page
    assert "Acme <AB>" not in page
    # no external assets: no src/href attributes, no <link>, no scripts
    assert not re.search(r"\s(src|href)\s*=", page)
    assert "<link" not in page
    assert "<script" not in page
    assert page.count("<svg") == 1
    assert 'class="radar-area"' in page
    assert "does not know customers&#x27; lifetime value" in page


def test_radar_geometry() -> None:
    svg = radar_svg({"a": 5.0, "b": 5.0, "c": 5.0, "d": 5.0, "e": 5.0}, size=400)
    area = re.search(r'class="radar-area" points="([^"]+)"', svg)
    assert area is not None
    xs_ys = [tuple(map(float, p.split(","))) for p in area.group(1).split()]
    # full scores reach the outer ring: the first point is straight above the centre
    assert xs_ys[0] == (400.0, 50.0)
    empty = radar_svg({"a": None, "b": None, "c": None})
    assert "(n/a)" in empty


@pytest.mark.browser
def test_html_renders_in_headless_chromium_with_visible_radar(tmp_path: Path) -> None:
    require_backend("chromium", have_chromium(), "install Debian's chromium package")
    from PIL import Image

    page = tmp_path / "report.html"
    page.write_text(assessment_html(_assessment()), encoding="utf-8")
    shot = tmp_path / "shot.png"
    profile = tmp_path / "profile"
    subprocess.run(
        [
            "/usr/bin/chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            f"--screenshot={shot}",
            "--window-size=1200,1600",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    image = Image.open(shot).convert("RGB")
    assert image.size == (1200, 1600)
    fill = tuple(int(RADAR_FILL[i : i + 2], 16) for i in (1, 3, 5))

    def pixels(box: tuple[int, int, int, int]) -> list[tuple[int, int, int]]:
        raw = image.crop(box).tobytes()
        return [(raw[i], raw[i + 1], raw[i + 2]) for i in range(0, len(raw), 3)]

    # the chart sits at the top left of the page (below the heading); count fill pixels there
    hits = sum(
        1 for p in pixels((0, 60, 900, 520)) if all(abs(p[k] - fill[k]) <= 6 for k in range(3))
    )
    assert hits > 2000, f"only {hits} radar-fill pixels in the chart region"
    # ... and nowhere else on the page
    rest = pixels((0, 560, 1200, 1600))
    assert sum(1 for p in rest if all(abs(p[k] - fill[k]) <= 6 for k in range(3))) == 0
    # the page is not blank below the chart: the gap table rendered (dark text pixels)
    assert sum(1 for p in rest if max(p) < 80) > 500


def test_long_capability_lists_are_shortened_with_a_count() -> None:
    a = assess(ratings={"customer_segment_lifetime_value": 0})
    n = len(capabilities_for("customer_segment_lifetime_value"))
    assert n > 4
    md = assessment_markdown(a)
    assert "`crmkit.clv:customer_lifetime_value`" in md
    assert f"and {n - 4} more" in md
    assert f"and {n - 2} more" in assessment_html(a, capabilities=2)
    assert "more" not in assessment_markdown(a, capabilities=n).split("## Top gaps")[1]
