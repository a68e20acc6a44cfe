"""Importing crmkit.clv must not import numpy, scipy, pandas or narwhals."""

from __future__ import annotations

import subprocess
import sys


def test_import_is_light():
    code = (
        "import sys, crmkit.clv; "
        "heavy = [m for m in ('numpy', 'scipy', 'pandas', 'narwhals', 'polars') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
