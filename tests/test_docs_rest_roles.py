"""The griffe extension that turns reST roles in docstrings into Markdown links (docs/_ext)."""

from __future__ import annotations

import logging
from pathlib import Path
from types import ModuleType

import griffe
import pytest

from tests.modules import load_file

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def rest_roles() -> ModuleType:
    return load_file("crmkit_docs_rest_roles", "docs/_ext/rest_roles.py")


def _link(target: str) -> str | None:
    return None if target == "missing" else f"crmkit.{target}"


def test_roles_become_autorefs_with_the_name_as_written(rest_roles: ModuleType) -> None:
    out = rest_roles.convert("See :func:`clv.summarise` and :class:`~domain.Money`.", _link)
    assert out == (
        'See <autoref identifier="crmkit.clv.summarise" optional><code>clv.summarise</code>'
        '</autoref> and <autoref identifier="crmkit.domain.Money" optional><code>Money</code>'
        "</autoref>."
    )


def test_explicit_titles_wrapped_roles_and_literals(rest_roles: ModuleType) -> None:
    text = "a :meth:`the move <domain.Opportunity.move_to>`, :class:`~domain.\n    Money` ``x``"
    out = rest_roles.convert(text, _link)
    assert '<autoref identifier="crmkit.domain.Opportunity.move_to" optional>' in out
    assert "<code>the move</code>" in out
    assert '<autoref identifier="crmkit.domain.Money" optional><code>Money</code>' in out
    assert out.endswith(" `x`")
    assert ":meth:" not in out
    assert ":class:" not in out


def test_unresolved_targets_become_code(rest_roles: ModuleType) -> None:
    assert rest_roles.convert(":exc:`missing` here", _link) == "`missing` here"


def test_doctests_and_fenced_code_are_left_alone(rest_roles: ModuleType) -> None:
    text = ">>> f(``a``)\n... :func:`b`\n```\n``c``\n```\n``d``"
    assert rest_roles.convert(text, _link) == ">>> f(``a``)\n... :func:`b`\n```\n``c``\n```\n`d`"


def test_the_extension_resolves_crmkit_names_and_warns_on_broken_ones(
    rest_roles: ModuleType, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    package = tmp_path / "demo"
    package.mkdir()
    (package / "__init__.py").write_text(
        '"""See :class:`Thing`, :func:`demo.make`, :class:`decimal.Decimal` and'
        ' :func:`demo.nope`."""\n'
        "from demo.things import Thing, make\n",
        encoding="utf-8",
    )
    (package / "things.py").write_text(
        'class Thing:\n    """A thing; :meth:`size` and :func:`make`."""\n\n'
        '    def size(self) -> int:\n        """The size."""\n        return 1\n\n\n'
        'def make() -> Thing:\n    """Make a :class:`Thing`."""\n    return Thing()\n',
        encoding="utf-8",
    )
    extensions = griffe.load_extensions(rest_roles.RestRoles())
    loader = griffe.GriffeLoader(extensions=extensions, search_paths=[str(tmp_path)])
    with caplog.at_level(logging.WARNING):
        demo = loader.load("demo")
    doc = demo.docstring.value
    assert 'identifier="demo.things.Thing"' in doc
    assert 'identifier="demo.things.make"' in doc
    assert "`decimal.Decimal`" in doc  # standard library: code, no warning
    assert "`demo.nope`" in doc
    thing = demo["things.Thing"].docstring.value
    assert 'identifier="demo.things.Thing.size"' in thing
    assert 'identifier="demo.things.make"' in thing
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["demo: cross-reference target 'demo.nope' not found"]


def test_seed_numbers_become_authors_and_titles(rest_roles: ModuleType) -> None:
    out = rest_roles.convert("Loyalty (seed 002); seed 003's survey.\n>>> 'seed 001'", _link)
    assert out == (
        "Loyalty (Pyramid's workbook *Ramverk för: CRM-strategi*); Botn-Langøy, Buarø & Hoem,"
        " *Key Account Management – Smart Media* (2019)'s survey.\n>>> 'seed 001'"
    )


def test_seed_numbers_in_doctest_comments_but_not_outputs(rest_roles: ModuleType) -> None:
    text = ">>> f(2)  # overall, seed 003\n'seed 003'"
    out = rest_roles.convert(text, _link)
    assert out == (
        ">>> f(2)  # overall, Botn-Langøy, Buarø & Hoem, *Key Account Management – Smart Media*"
        " (2019)\n'seed 003'"
    )
