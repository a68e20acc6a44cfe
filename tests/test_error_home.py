"""Every public exception crmkit raises is defined in ``crmkit.errors`` (one hierarchy)."""

from __future__ import annotations

import ast
from pathlib import Path

import crmkit
import crmkit.errors
from crmkit.adapters.files import ImportRolledBackError as FilesImportRolledBackError
from crmkit.adapters.outbound import ConsentRequiredError as OutboundConsentRequiredError
from crmkit.report import ChromiumError as ReportChromiumError

SRC = Path(crmkit.__file__).parent


def _public_exception_classes_outside_errors() -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path == SRC / "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef) or node.name.startswith("_"):
                continue
            bases = [ast.unparse(base).rsplit(".", 1)[-1] for base in node.bases]
            if any(b.endswith(("Error", "Exception", "Warning")) for b in bases):
                found.append(f"{path.relative_to(SRC)}:{node.name}")
    return found


def test_public_exceptions_live_in_errors_py() -> None:
    assert _public_exception_classes_outside_errors() == []


def test_moved_errors_are_still_importable_from_their_old_modules() -> None:
    assert FilesImportRolledBackError is crmkit.errors.ImportRolledBackError
    assert OutboundConsentRequiredError is crmkit.errors.ConsentRequiredError
    assert ReportChromiumError is crmkit.errors.ChromiumError
    assert issubclass(crmkit.errors.ConsentRequiredError, crmkit.errors.ValidationError)
    assert issubclass(crmkit.errors.ImportRolledBackError, crmkit.errors.ImportRejectedError)
    assert issubclass(crmkit.errors.ChromiumError, crmkit.errors.CrmkitError)
