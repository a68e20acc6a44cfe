"""Generated code is registered with linecache: a traceback through it shows its source."""

from __future__ import annotations

import linecache
import traceback

import pytest

from crmkit._codegen import define
from crmkit.frames import Agg, Aggregation


def test_a_defined_function_shows_its_line_in_a_traceback() -> None:
    made = define("def half(x):\n    return x / 2\n", "<crmkit test half>")
    with pytest.raises(TypeError) as caught:
        made["half"]("ten")
    last = traceback.extract_tb(caught.value.__traceback__)[-1]
    assert last.filename == "<crmkit test half>"
    assert last.line == "return x / 2"


def test_the_aggregation_evaluator_is_generated_code_with_its_source() -> None:
    spec = Aggregation(("k",), (Agg("top", "max", "v"),))
    with pytest.raises(TypeError) as caught:
        spec.columns({"a": (["x", 1],)})  # an analytic checks its values first; this one does not
    frame = traceback.extract_tb(caught.value.__traceback__)[-1]
    assert frame.filename.startswith("<crmkit aggregation ")
    assert "max(" in (frame.line or "")
    assert linecache.getline(frame.filename, 1).startswith("def evaluate(groups):")
