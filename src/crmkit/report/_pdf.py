"""Print an HTML report to PDF (or a PNG screenshot) with headless Chromium.

The page is written to a temporary folder and printed by the ``chromium`` found on ``PATH``
(or the browser given), with its print stylesheet applied: A4 pages, the cover on a page of
its own, the technical appendix starting on a new page. The browser runs with a throw-away
profile, no network services and no sandbox-dependent features, so it works in CI containers.

Examples:
    >>> from crmkit.report._pdf import pdf_page_count
    >>> pdf_page_count(b"%PDF-1.4 1 0 obj << /Type /Pages /Count 2 >> 2 0 obj << /Type /Page >>"
    ...                b" 3 0 obj << /Type /Page >>")
    2
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from crmkit.errors import ChromiumError, ValidationError

__all__ = [
    "find_chromium",
    "html_to_pdf",
    "html_to_png",
    "pdf_page_count",
    "rendered_dom",
]

_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def find_chromium(browser: str | None = None) -> str:
    """The path of the browser to print with: ``browser`` or the first Chromium on ``PATH``.

    Examples:
        >>> from crmkit.report._pdf import find_chromium
        >>> find_chromium("/no/such/browser")
        Traceback (most recent call last):
        ...
        crmkit.errors.ChromiumError: browser '/no/such/browser' not found; install Chromium (apt-get install chromium) or pass its path
    """
    candidates = (browser,) if browser else _BROWSERS
    for name in candidates:
        found = shutil.which(name) if name else None
        if found:
            return found
    shown = browser or " / ".join(_BROWSERS)
    raise ChromiumError(
        f"browser {shown!r} not found; install Chromium (apt-get install chromium) or pass its path"
    )


def _run(
    html: str, target: Path | None, flags: list[str], browser: str | None, timeout: float
) -> str:
    exe = find_chromium(browser)
    with tempfile.TemporaryDirectory(prefix="crmkit-print-") as work:
        page = Path(work) / "report.html"
        page.write_text(html, encoding="utf-8")
        command = [
            exe,
            *_FLAGS,
            f"--user-data-dir={Path(work) / 'profile'}",
            *flags,
            page.as_uri(),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            raise ChromiumError(f"{exe} did not finish printing within {timeout:g} s") from None
        made = target is None or (target.exists() and target.stat().st_size > 0)
        if done.returncode != 0 or not made:
            tail = (done.stderr or "").strip().splitlines()[-3:]
            what = target.name if target else "the page"
            raise ChromiumError(f"{exe} could not render {what}: {' | '.join(tail)}")
        return done.stdout


def _target(path: str | Path, suffix: str) -> Path:
    """``path`` resolved and cleared for the browser to write; it must end in ``suffix``."""
    target = Path(path)
    if target.suffix.lower() != suffix:
        raise ValidationError.single("path", str(path), f"must end in {suffix}")
    target = target.resolve()
    target.unlink(missing_ok=True)
    return target


def html_to_pdf(
    html: str, path: str | Path, *, browser: str | None = None, timeout: float = 120.0
) -> Path:
    """Print ``html`` to the PDF file ``path`` (A4, the page's print stylesheet); returns it.

    Examples:
        >>> from crmkit.report._pdf import html_to_pdf
        >>> html_to_pdf("<p>x</p>", "out.txt")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: path: 'out.txt' must end in .pdf
    """
    target = _target(path, ".pdf")
    _run(html, target, ["--no-pdf-header-footer", f"--print-to-pdf={target}"], browser, timeout)
    return target


def html_to_png(
    html: str,
    path: str | Path,
    *,
    width: int = 1100,
    height: int = 1400,
    browser: str | None = None,
    timeout: float = 120.0,
) -> Path:
    """Screenshot ``html`` at ``width`` × ``height`` pixels into the PNG file ``path``.

    Examples:
        >>> from crmkit.report._pdf import html_to_png
        >>> html_to_png("<p>x</p>", "shot.png", width=0)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: width: 0 must be a positive number of pixels
    """
    for name, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValidationError.single(name, value, "must be a positive number of pixels")
    target = _target(path, ".png")
    _run(
        html,
        target,
        [f"--window-size={width},{height}", f"--screenshot={target}"],
        browser,
        timeout,
    )
    return target


def rendered_dom(html: str, *, browser: str | None = None, timeout: float = 120.0) -> str:
    """The page's DOM after Chromium has loaded and laid it out (``--dump-dom``).

    Examples:
        >>> from crmkit.report._pdf import rendered_dom
        >>> rendered_dom("<p>x</p>", timeout=0)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: timeout: 0 must be a positive number of seconds
    """
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ValidationError.single("timeout", timeout, "must be a positive number of seconds")
    return _run(html, None, ["--dump-dom"], browser, timeout)


def pdf_page_count(pdf: bytes | str | Path) -> int:
    """The number of pages of a PDF (its ``/Type /Page`` objects), from bytes or a file.

    Counts page objects in the file's text, which is how Chromium writes them; a PDF whose page
    objects are compressed away raises rather than answering 0.

    Examples:
        >>> from crmkit.report._pdf import pdf_page_count
        >>> pdf_page_count(b"not a pdf")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: pdf: b'not a pdf' is not a PDF
    """
    data = pdf if isinstance(pdf, bytes) else Path(pdf).read_bytes()
    if not data.startswith(b"%PDF"):
        raise ValidationError.single("pdf", data[:16], "is not a PDF")
    count = len(_PAGE.findall(data))
    if count == 0:
        raise ValidationError.single("pdf", data[:16], "has no readable page objects")
    return count
