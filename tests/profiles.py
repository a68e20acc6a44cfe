"""How many examples a property test draws: more in CI (see the profiles in ``conftest.py``)."""

from __future__ import annotations

from hypothesis import settings

__all__ = ["examples"]

#: Hypothesis' default number of examples, which the ``dev`` profile keeps.
_DEV_EXAMPLES = 100


def examples(local: int) -> int:
    """``local`` examples on a developer's machine, scaled like the loaded profile in CI.

    The ``ci`` profile draws twice Hypothesis' default, so ``examples(12)`` is 24 there.
    """
    return max(1, local * settings.default.max_examples // _DEV_EXAMPLES)
