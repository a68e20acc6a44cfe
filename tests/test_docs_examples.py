"""The Python examples in the README and the getting-started page run and print what they say.

Each file's ```python blocks run in order in one namespace, in a temporary directory. A line
``print(...)  # expected`` must print ``expected``.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)
EXPECT = re.compile(r"^\s*print\(.*\)\s+#\s+(?P<expected>.+)$")


@pytest.mark.parametrize("page", ["README.md", "docs/getting-started.md"])
def test_examples_run_and_print_what_they_claim(
    page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (ROOT / page).read_text(encoding="utf-8")
    blocks = BLOCK.findall(text)
    assert blocks, f"{page} has no Python examples"
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    for block in blocks:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, page, "exec"), namespace)
        printed = out.getvalue()
        for line in block.splitlines():
            match = EXPECT.match(line)
            if match:
                assert match["expected"].strip() in printed, (page, line, printed)
