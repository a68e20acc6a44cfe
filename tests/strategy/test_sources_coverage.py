"""The sources coverage page names only what exists: every name it lists imports."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

PAGE = Path(__file__).parents[2] / "docs" / "concepts" / "sources-coverage.md"
NAME = re.compile(r"`(crmkit(?:\.\w+)+)`")


def _split(dotted: str) -> tuple[str, list[str]]:
    """The longest importable module prefix of ``dotted`` and the attributes after it."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        module = ".".join(parts[:cut])
        try:
            importlib.import_module(module)
        except ModuleNotFoundError:
            continue
        return module, parts[cut:]
    raise AssertionError(f"{dotted}: no part of it imports")  # pragma: no cover


def test_every_listed_name_imports_and_is_public() -> None:
    names = NAME.findall(PAGE.read_text(encoding="utf-8"))
    assert len(names) > 100
    problems = []
    for dotted in names:
        module, attrs = _split(dotted)
        obj: object = importlib.import_module(module)
        if attrs and attrs[0] not in getattr(obj, "__all__", attrs[:1]):
            problems.append(f"{dotted}: {attrs[0]} is not in {module}.__all__")
            continue
        for attr in attrs:
            if not hasattr(obj, attr):
                problems.append(f"{dotted}: {attr} does not exist")
                break
            obj = getattr(obj, attr)
    assert problems == []


def test_page_names_sources_by_author_and_title_not_seed_numbers() -> None:
    text = PAGE.read_text(encoding="utf-8").lower()
    assert "seed" not in text
    for title in ("payne & frow", "big data och crm", "prospektering", "ramverk för",
                  "key account management – smart media", "computersweden"):  # fmt: skip
        assert title in text
