"""A mkdocs hook that renders the plot gallery (``docs/guides/plots.md``) at build time.

The page's ```` ```python ```` blocks are the gallery's only source: :func:`render_gallery`
runs them top to bottom in one fresh interpreter, in a temporary directory, exactly as a
reader would paste them; every PNG they save becomes ``guides/plots/<name>.png`` in the built
site (:func:`on_files`), where the page's images point. So the images always show what the
code on the page draws today, and nothing is committed. Configured in ``mkdocs.yml`` under
``hooks``; ``tests/plot/test_gallery.py`` checks every image the page shows is rendered.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

PAGE = Path(__file__).resolve().parent.parent / "guides" / "plots.md"
#: where the images land in the site, relative to the docs directory
TARGET = "guides/plots"
_BLOCK = re.compile(r"^```python[^\n]*\n(?P<code>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def gallery_code(page: Path = PAGE) -> str:
    """The page's Python blocks joined into one script, in page order."""
    return "\n".join(m["code"] for m in _BLOCK.finditer(page.read_text(encoding="utf-8")))


def render_gallery(page: Path = PAGE, timeout: float = 600.0) -> dict[str, bytes]:
    """Run the page's code in a fresh interpreter and a temporary directory; name → PNG bytes.

    A failing example fails the build with the interpreter's error output.
    """
    with tempfile.TemporaryDirectory(prefix="crmkit-gallery-") as work:
        done = subprocess.run(
            [sys.executable, "-c", gallery_code(page)],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"the plot gallery {page.name} failed:\n{done.stderr}")
        return {p.name: p.read_bytes() for p in sorted(Path(work).glob("*.png"))}


def on_files(files: Any, config: Any) -> Any:
    """mkdocs event: add the rendered gallery images to the site's files."""
    from mkdocs.structure.files import File

    for name, png in render_gallery().items():
        files.append(File.generated(config, f"{TARGET}/{name}", content=png))
    return files
