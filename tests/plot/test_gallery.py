"""The plot gallery page is rendered by its mkdocs hook: every image it shows is drawn."""

from __future__ import annotations

import io
import re
from pathlib import Path
from types import ModuleType

import pytest
from PIL import Image

from tests.modules import load_file

ROOT = Path(__file__).resolve().parents[2]


def _hook() -> ModuleType:
    return load_file("plot_gallery", "docs/_ext/plot_gallery.py")


def test_mkdocs_config_runs_the_gallery_hook_and_lists_the_page() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^hooks:\n(?:  - .*\n)*  - docs/_ext/plot_gallery\.py$", config, re.M)
    assert "guides/plots.md" in config


@pytest.mark.slow
def test_every_image_on_the_gallery_page_is_rendered_by_the_hook() -> None:
    hook = _hook()
    page = (ROOT / "docs" / "guides" / "plots.md").read_text(encoding="utf-8")
    shown = set(re.findall(r"!\[[^\]]*\]\(plots/([\w-]+\.png)\)", page))
    images = hook.render_gallery()
    assert shown
    assert set(images) == shown
    for name, data in images.items():
        image = Image.open(io.BytesIO(data))
        assert image.format == "PNG", name
        assert image.width >= 600, name
        assert image.height >= 300, name
        colours = image.convert("RGB").getcolors(maxcolors=image.width * image.height)
        assert colours is not None
        assert len(colours) > 10, name  # a drawn plot, not a blank canvas


def test_a_failing_gallery_example_fails_the_build(tmp_path: Path) -> None:
    page = tmp_path / "plots.md"
    page.write_text("```python\nraise SystemExit('broken example')\n```\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="broken example"):
        _hook().render_gallery(page)
