"""Every Python example in the README and the documentation runs as written.

Each page (``README.md`` and ``docs/**/*.md``) runs in its own fresh interpreter, in a temporary
working directory: its ```` ```python ```` blocks execute top to bottom in one namespace, exactly
as a reader would paste them. The test fails on any exception and on any printed output that
differs from what the page shows. The page shows output in one of two ways (see
``docs/contributing.md``):

* ``print(x)  # expected`` — the comment is what that call prints (one line);
* a ```` ```text title="Output" ```` block right after the Python block — everything the Python
  block printed, line by line.

In both, ``…`` (or ``...``) stands for any text. A Python block titled ``"needs PostgreSQL"`` or
``"needs Spark"`` makes its page need that backend: the page runs when the backend is present and
otherwise skips locally / fails in CI (``tests/backends.py``), never silently.

Run one page by hand with ``python tests/test_docs_examples.py docs/guides/segmentation.md``.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import subprocess
import sys
import tokenize
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,})(?P<lang>[\w+-]*)(?P<attrs>.*)$")
TITLE = re.compile(r'title="(?P<title>[^"]*)"')
#: block titles that make a page need a backend, with the backend's name
BACKEND_TITLES = {"needs PostgreSQL": "postgres", "needs Spark": "spark"}


@dataclass(frozen=True)
class Block:
    """One fenced code block of a Markdown page."""

    lang: str
    title: str
    line: int  # 1-based line number of the block's first code line in the page
    code: str


@dataclass(frozen=True)
class Example:
    """A Python block and the output block shown right after it (if any)."""

    block: Block
    output: str | None


def pages() -> list[str]:
    """README.md and every Markdown page under docs/, relative to the repository root."""
    found = ["README.md", *(str(p.relative_to(ROOT)) for p in (ROOT / "docs").rglob("*.md"))]
    return sorted(found)


def blocks(text: str) -> Iterator[Block | None]:
    """The fenced blocks of ``text``; ``None`` between two blocks separated by prose."""
    lines = text.splitlines()
    i = 0
    prose = False
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            if lines[i].strip():
                prose = True
            i += 1
            continue
        if prose:
            yield None
            prose = False
        indent, fence = match["indent"], match["fence"]
        body: list[str] = []
        start = i + 2
        i += 1
        while i < len(lines) and lines[i].strip() != fence:
            line = lines[i]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            i += 1
        i += 1
        title = TITLE.search(match["attrs"])
        yield Block(match["lang"], title["title"] if title else "", start, "\n".join(body) + "\n")


def examples(text: str) -> list[Example]:
    """The Python blocks of a page, each with the output block that follows it directly."""
    found: list[Example] = []
    previous: Block | None = None
    for block in blocks(text):
        if (
            block is not None
            and block.lang == "text"
            and block.title == "Output"
            and previous is not None
            and previous.lang == "python"
        ):
            found[-1] = Example(found[-1].block, block.code)
        elif block is not None and block.lang == "python":
            found.append(Example(block, None))
        previous = block
    return found


def matches(shown: str, printed: str) -> bool:
    """Whether ``printed`` is what the page ``shows``; ``…`` or ``...`` match any text."""
    parts = re.split(r"…|\.\.\.", shown)
    pattern = ".*?".join(re.escape(part) for part in parts)
    return re.fullmatch(pattern, printed, re.DOTALL) is not None


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip("\n").splitlines())


def _comments(code: str) -> dict[int, str]:
    """The text of each line's trailing ``#`` comment, by line number within ``code``."""
    found: dict[int, str] = {}
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type == tokenize.COMMENT:
            found[token.start[0]] = token.string[1:].strip()
    return found


class _CheckPrints(ast.NodeTransformer):
    """Turn ``print(x)  # shown`` into ``__docs_print__(line, "shown", x)``."""

    def __init__(self, comments: dict[int, str], offset: int) -> None:
        self.comments = comments
        self.offset = offset

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        end = node.end_lineno or node.lineno
        if (
            isinstance(node.func, ast.Name)
            and node.func.id == "print"
            and end in self.comments
            and not any(keyword.arg == "file" for keyword in node.keywords)
        ):
            shown = ast.Constant(self.comments[end])
            line = ast.Constant(end + self.offset)
            checker = ast.Name("__docs_print__", ast.Load())
            return ast.copy_location(
                ast.Call(checker, [line, shown, *node.args], node.keywords), node
            )
        return node


def _checking_print(page: str) -> Callable[..., None]:
    def docs_print(line: int, shown: str, *args: object, **kwargs: object) -> None:
        out = io.StringIO()
        print(*args, **kwargs, file=out)
        printed = out.getvalue().rstrip("\n")
        sys.stdout.write(out.getvalue())
        if not matches(shown, printed):
            raise AssertionError(
                f"{page}:{line}: the page shows {shown!r} but the call printed {printed!r}"
            )

    return docs_print


def run_page(page: str) -> None:
    """Run the Python blocks of ``page`` in order in this interpreter (the subprocess side)."""
    text = (ROOT / page).read_text(encoding="utf-8")
    namespace: dict[str, object] = {
        "__name__": "__main__",
        "__docs_print__": _checking_print(page),
    }
    for example in examples(text):
        block = example.block
        tree = ast.parse(block.code, filename=page)
        tree = _CheckPrints(_comments(block.code), block.line - 1).visit(tree)
        ast.increment_lineno(tree, block.line - 1)
        ast.fix_missing_locations(tree)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(tree, page, "exec"), namespace)
        sys.stdout.write(out.getvalue())
        if example.output is not None:
            shown, printed = _normalise(example.output), _normalise(out.getvalue())
            if not matches(shown, printed):
                raise AssertionError(
                    f"{page}:{block.line}: the output block shows\n{shown}\n"
                    f"but the Python block printed\n{printed}"
                )


if __name__ == "__main__":
    # a reader's interpreter does not have tests/ on its path (tests/packaging would shadow
    # the packaging library)
    del sys.path[0]
    run_page(sys.argv[1])
    sys.exit(0)


# ---------------------------------------------------------------------------------------------
# the tests (pytest side)

import pytest  # noqa: E402

from tests.backends import SPARK_JAVA_OPTIONS, have_java, pg_url, require_backend  # noqa: E402

PAGES_WITH_EXAMPLES = [
    page for page in pages() if examples((ROOT / page).read_text(encoding="utf-8"))
]


def test_every_page_is_collected() -> None:
    assert "README.md" in pages()
    assert "docs/getting-started.md" in PAGES_WITH_EXAMPLES
    assert len(PAGES_WITH_EXAMPLES) >= 10, PAGES_WITH_EXAMPLES


@pytest.mark.parametrize("page", pages())
def test_pages_name_sources_by_author_and_title(page: str) -> None:
    """Readers do not know the research documents as "seed 000" … "seed 004"."""
    text = (ROOT / page).read_text(encoding="utf-8")
    found = re.findall(r".{0,30}\b[Ss]eeds?[ -]00\d.{0,30}", text)
    assert not found, f"{page}: name the source by author and title instead: {found}"


@pytest.mark.slow  # a fresh interpreter per page
@pytest.mark.parametrize("page", PAGES_WITH_EXAMPLES)
def test_page_examples_run_as_written(page: str, tmp_path: Path) -> None:
    text = (ROOT / page).read_text(encoding="utf-8")
    titles = {example.block.title for example in examples(text)}
    if BACKEND_TITLES["needs PostgreSQL"] in titles:
        require_backend("postgres", pg_url() is not None, "set CRMKIT_PG_URL")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONHASHSEED": "0"}
    if BACKEND_TITLES["needs Spark"] in titles:
        require_backend("spark", have_java(), "PySpark needs Java on PATH")
        # the page's code as written; only its driver JVM compiles with the quick JIT
        java = f'"spark.driver.extraJavaOptions={SPARK_JAVA_OPTIONS}"'
        env["PYSPARK_SUBMIT_ARGS"] = f"--conf {java} pyspark-shell"
    result = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), page],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"{page} failed:\n{result.stderr[-6000:]}"


# the runner itself, on small pages


def _run_text(text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    page = tmp_path / "page.md"
    page.write_text(text, encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run_page("page.md")
    return out.getvalue()


def test_blocks_share_a_namespace_and_inline_outputs_are_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "```python\nx = 2\n```\n\nprose\n\n```python\nprint(x * 3)  # 6\n```\n"
    assert _run_text(text, tmp_path, monkeypatch) == "6\n"


def test_a_wrong_inline_output_fails_naming_the_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "# t\n\n```python\nprint(1 + 1)  # 3\n```\n"
    with pytest.raises(AssertionError, match=r"page\.md:4: the page shows '3'"):
        _run_text(text, tmp_path, monkeypatch)


def test_output_blocks_are_checked_with_ellipsis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = '```python\nprint("a 1")\nprint("b")\n```\n\n```text title="Output"\na …\nb\n```\n'
    assert _run_text(good, tmp_path, monkeypatch) == "a 1\nb\n"
    bad = good.replace("\nb\n```", "\nc\n```")
    with pytest.raises(AssertionError, match="the output block shows"):
        _run_text(bad, tmp_path, monkeypatch)


def test_an_output_block_after_prose_is_not_an_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = '```python\nprint("a")\n```\n\nprose\n\n```text title="Output"\nb\n```\n'
    assert _run_text(text, tmp_path, monkeypatch) == "a\n"


def test_indented_blocks_run_and_errors_propagate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = '!!! note\n    ```python\n    raise KeyError("boom")\n    ```\n'
    with pytest.raises(KeyError, match="boom"):
        _run_text(text, tmp_path, monkeypatch)


def test_matches_treats_ellipsis_as_any_text() -> None:
    assert matches("RFMRow(id='…', n=3)", "RFMRow(id='01J2', n=3)")
    assert matches("a...c", "abc")
    assert not matches("RFMRow(n=3)", "RFMRow(n=4)")
