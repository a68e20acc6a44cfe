"""Search works on the built documentation site, in a real browser.

The site is built with ``mkdocs build`` into a temporary directory — or, when
``CRMKIT_DOCS_SITE`` names a site that is already built (``make test`` builds ``site/`` with
``make docs`` before the tests, so the site is built once), that one is used — and served on
127.0.0.1; a headless Chromium, driven over the DevTools protocol on a pipe (no extra
packages), opens ``/?q=segmentation`` — Material for MkDocs then runs the query in its search worker — and the
test reads the result links from the page.
"""

from __future__ import annotations

import fcntl
import functools
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.backends import have_chromium, require_backend

ROOT = Path(__file__).resolve().parent.parent

# one worker builds the site once for both tests
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("docs-search")]

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RESULT_LINKS = (
    "[...document.querySelectorAll('.md-search-result__item .md-search-result__link')]"
    ".map(a => a.getAttribute('href'))"
)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The built site, served over HTTP on a free local port; yields its base URL."""
    require_backend("chromium", have_chromium(), "install Debian's chromium package")
    built = os.environ.get("CRMKIT_DOCS_SITE")
    if built:
        out = ROOT / built  # an absolute path stays as it is
        assert (out / "index.html").is_file(), f"CRMKIT_DOCS_SITE={built}: no built site there"
    else:
        out = tmp_path_factory.mktemp("site")
        mkdocs = [sys.executable, "-m", "mkdocs", "build", "--quiet", "--site-dir", str(out)]
        result = subprocess.run(mkdocs, cwd=ROOT, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr[-4000:]
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _Chromium:
    """A headless Chromium speaking the DevTools protocol over ``--remote-debugging-pipe``."""

    def __init__(self, profile: Path) -> None:
        to_child, self._out = os.pipe()
        self._in, from_child = os.pipe()
        # above fd 9 (bash, not dash, takes such fds), so that "3<&… 4>&…" cannot clobber one
        to_child, from_child = _high_fd(to_child), _high_fd(from_child)
        binary = shutil.which("chromium")
        assert binary is not None
        flags = " ".join([*CHROMIUM_FLAGS, f"--user-data-dir={profile}"])
        # the protocol pipe is fds 3 (commands in) and 4 (replies out) in the child
        command = (
            f"exec {binary} {flags} --remote-debugging-pipe about:blank"
            f" 3<&{to_child} 4>&{from_child}"
        )
        self._process = subprocess.Popen(
            ["bash", "-c", command],
            pass_fds=(to_child, from_child),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_child)
        os.close(from_child)
        self._buffer = b""
        self._id = 0

    def call(self, method: str, params: dict[str, Any] | None = None, **extra: Any) -> Any:
        self._id += 1
        message = {"id": self._id, "method": method, "params": params or {}, **extra}
        os.write(self._out, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self._buffer:
                chunk = os.read(self._in, 1 << 16)
                assert chunk, "chromium closed the DevTools pipe"
                self._buffer += chunk
            raw, _, self._buffer = self._buffer.partition(b"\0")
            reply = json.loads(raw)
            if reply.get("id") == self._id:
                assert "error" not in reply, reply["error"]
                return reply["result"]

    def close(self) -> None:
        try:
            self.call("Browser.close")
        finally:
            os.close(self._out)
            os.close(self._in)
            self._process.wait(timeout=30)


def _high_fd(fd: int) -> int:
    high = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return high


def _search(site: str, query: str, profile: Path) -> list[str]:
    browser = _Chromium(profile)
    try:
        target = browser.call("Target.createTarget", {"url": f"{site}/?q={query}"})
        attach = {"targetId": target["targetId"], "flatten": True}
        session = browser.call("Target.attachToTarget", attach)["sessionId"]
        links: list[str] = []
        give_up = time.monotonic() + 60  # the worker indexes the site first
        while not links and time.monotonic() < give_up:
            evaluate = {"expression": RESULT_LINKS, "returnByValue": True}
            result = browser.call("Runtime.evaluate", evaluate, sessionId=session)
            links = result["result"].get("value") or []
            if not links:
                time.sleep(0.25)
        return links
    finally:
        browser.close()


def test_searching_the_site_finds_the_segmentation_guide(site: str, tmp_path: Path) -> None:
    links = _search(site, "segmentation", tmp_path / "profile")
    assert any("guides/segmentation/" in link for link in links), links


def test_searching_finds_api_reference_entries(site: str, tmp_path: Path) -> None:
    links = _search(site, "summarise", tmp_path / "profile")
    assert any("reference/clv/" in link for link in links), links
