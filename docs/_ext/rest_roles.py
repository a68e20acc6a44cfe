"""A griffe extension that turns reST roles in docstrings into Markdown cross-references.

crmkit's docstrings are Google style but use Sphinx roles for cross-references
(``:func:`summarise```, ``:class:`~crmkit.domain.Money```, ``:meth:`Opportunity.move_to```)
and reST literals (````text````). mkdocstrings renders Markdown, so without this extension
the roles show literally on the reference pages. Once griffe has loaded the whole package,
:class:`RestRoles` rewrites every docstring:

* a role whose target griffe resolves (absolute, or relative to the object's class, module or
  package) becomes an autorefs link titled with the name as written (``~`` keeps only the
  last component), in code style;
* a role whose target does not resolve becomes inline code; when the target is not a
  standard-library, builtin or dependency name the extension logs a warning naming the
  object and the target, so ``mkdocs build --strict`` fails on a broken crmkit reference;
* ````literal```` becomes ```literal```;
* "seed 000" … "seed 004" (the research documents as the code comments call them) become
  the sources' authors and titles, which is how the documentation names them.

Doctest lines (``>>>`` / ``...``) and fenced code are left alone. Configured in ``mkdocs.yml``
under the python handler's ``extensions``.
"""

from __future__ import annotations

import builtins
import html
import logging
import re
import sys
from typing import Any

import griffe

_log = logging.getLogger("mkdocs.plugins.crmkit_rest_roles")

ROLE = re.compile(
    r":(?:py:)?(?P<role>func|class|meth|attr|mod|data|exc|obj|const|type)"
    r":`(?P<body>[^`]+)`"
)
LITERAL = re.compile(r"``(?P<text>[^`]+?)``")
EXPLICIT_TITLE = re.compile(r"^(?P<title>.+?)\s*<(?P<target>[^>]+)>$")
#: top-level names outside crmkit: a role pointing there is shown as code, not linked
EXTERNAL = {
    *sys.stdlib_module_names,
    *dir(builtins),
    *("attrs", "cattrs", "dateutil", "narwhals", "numpy", "scipy", "pandas", "polars"),
    *("pyarrow", "duckdb", "dask", "pyspark", "sqlalchemy", "psycopg", "rich", "pytest"),
    *("hypothesis", "lifetimes", "pymc_marketing", "matplotlib"),
}


def _lookup(loader: griffe.GriffeLoader, path: str) -> griffe.Object | griffe.Alias | None:
    try:
        return loader.modules_collection[path]
    except (KeyError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None


def _scopes(obj: griffe.Object | griffe.Alias) -> list[str]:
    """The paths a relative name is looked up in, innermost first."""
    scopes: list[str] = []
    current: Any = obj
    while current is not None:
        scopes.append(current.path)
        current = current.parent
    return scopes


def _canonical(loader: griffe.GriffeLoader, path: str) -> str | None:
    """The path where the object ``path`` names is defined (re-exports followed), or ``None``."""
    found = _lookup(loader, path)
    if found is None:
        return None
    try:
        return found.canonical_path
    except (griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None


def resolve(loader: griffe.GriffeLoader, obj: griffe.Object, target: str) -> str | None:
    """The full path of ``target`` as seen from ``obj``, or ``None``.

    The path is the one where the object is defined, since the reference pages document each
    object there (a re-export such as ``crmkit.clv.BetaGeo`` links to
    ``crmkit.clv.beta_geo.BetaGeo``).
    """
    target = target.lstrip(".")
    candidates = [target, *(f"{scope}.{target}" for scope in _scopes(obj))]
    # a name imported into the module (``from crmkit.errors import ValidationError``)
    head, _, rest = target.partition(".")
    member = obj.module.members.get(head)
    if member is not None:
        base = member.target_path if member.is_alias else member.path
        candidates.append(f"{base}.{rest}" if rest else base)
    for candidate in candidates:
        path = _canonical(loader, candidate)
        if path is not None:
            return path
    return None


#: the research documents crmkit's code comments call "seed 000" … "seed 004", by author and title
SOURCES = {
    "000": "the thesis *Big data och CRM:s roll för konkurrenskraft i B2B-företag*",
    "001": "the BI thesis on CRM-supported prospecting (2023)",
    "002": "Pyramid's workbook *Ramverk för: CRM-strategi*",
    "003": "Botn-Langøy, Buarø & Hoem, *Key Account Management – Smart Media* (2019)",
    "004": "Danielsson's ComputerSweden compendium on *kundvård*",
}
DOCTEST_COMMENT = re.compile(r"^(\s*(?:>>>|\.\.\.) .*?\s#)(.*)$", re.MULTILINE)
SEED = re.compile(r"\b[Ss]eed[ -](?P<number>00[0-4])\b(?:\.md)?(?P<possessive>'s)?")


def name_sources(text: str) -> str:
    """Replace "seed 00x" with the source's author and title."""

    def named(match: re.Match[str]) -> str:
        name = SOURCES[match["number"]]
        if match["possessive"]:
            return f"{name}'s" if not name.endswith("*") else f"{name} —"
        return name

    return SEED.sub(named, text)


def _external(obj: griffe.Object, target: str) -> bool:
    """Whether ``target`` names something outside the package (not checked, not linked)."""
    head = target.lstrip(".~!").split(".", 1)[0]
    if head in EXTERNAL:
        return True
    member = obj.module.members.get(head)  # e.g. ``from datetime import date``
    return bool(
        member is not None
        and member.is_alias
        and member.target_path.split(".", 1)[0] != obj.package.name
    )


def convert(text: str, link: Any) -> str:
    """Rewrite roles and literals in ``text``; ``link(target) -> path | None`` resolves."""
    runs: list[tuple[bool, list[str]]] = []  # (is code, lines)
    fenced = False
    doctest = False  # a doctest and its output run until a blank line
    for line in text.split("\n"):
        stripped = line.lstrip()
        fence = stripped.startswith("```")
        doctest = stripped.startswith(">>>") or (doctest and bool(stripped) and not fence)
        code = fenced or fence or doctest
        if fence:
            fenced = not fenced
        if runs and runs[-1][0] == code:
            runs[-1][1].append(line)
        else:
            runs.append((code, [line]))
    out: list[str] = []
    for code, lines in runs:
        chunk = "\n".join(lines)
        if not code:  # a role or literal may wrap onto the next line
            chunk = ROLE.sub(lambda m: _role(_unwrap(m["body"]), link), chunk)
            chunk = LITERAL.sub(lambda m: f"`{m['text']}`", chunk)
            chunk = name_sources(chunk)
        else:  # only the comments of code: its output must stay what the code prints
            chunk = DOCTEST_COMMENT.sub(lambda m: m[1] + name_sources(m[2]), chunk)
        out.append(chunk)
    return "\n".join(out)


def _role(body: str, link: Any) -> str:
    explicit = EXPLICIT_TITLE.match(body)
    if explicit:
        title, target = explicit["title"], explicit["target"]
    else:
        target = body.lstrip("!")
        title = target.lstrip("~").rsplit(".", 1)[-1] if target.startswith("~") else target
        target = target.lstrip("~")
    target = target.rstrip("()")
    path = link(target)
    code = f"<code>{html.escape(title)}</code>"
    if path is None:
        return f"`{title}`"
    return f'<autoref identifier="{html.escape(path)}" optional>{code}</autoref>'


class RestRoles(griffe.Extension):
    """Convert reST roles and literals in every docstring (see the module docstring)."""

    def on_package(self, *, pkg: griffe.Module, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        for obj in _walk(pkg):
            docstring = obj.docstring
            if docstring is None:
                continue

            def link(target: str, obj: griffe.Object = obj) -> str | None:
                path = resolve(loader, obj, target)
                if path is None and not _external(obj, target):
                    _log.warning("%s: cross-reference target %r not found", obj.path, target)
                return path

            docstring.value = convert(docstring.value, link)


def _walk(obj: griffe.Object) -> list[griffe.Object]:
    found = [obj]
    for member in obj.members.values():
        if member.is_alias:
            continue
        found.extend(_walk(member))  # type: ignore[arg-type]
    return found


def _unwrap(body: str) -> str:
    """A role body that wrapped onto the next line, on one line again."""
    return " ".join(re.sub(r"\.\s+", ".", body).split())
