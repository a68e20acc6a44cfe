from __future__ import annotations

import subprocess
import sys


def test_importing_segmentation_and_frames_loads_no_dataframe_library() -> None:
    code = (
        "import sys, crmkit.frames, crmkit.segmentation, crmkit.frames.expression\n"
        "bad = sorted(m for m in ('narwhals', 'pandas', 'polars', 'numpy', 'pyarrow', 'duckdb',"
        " 'dask', 'pyspark', 'scipy') if m in sys.modules)\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)  # fmt: skip
    assert result.stdout.strip() == ""
