"""``crmkit demo``: build an embedded CRM from synthetic data and show every capability.

The demo makes a synthetic B2B company with :func:`crmkit.datasets.make_b2b` and hands it to
each section in :data:`SECTIONS` in turn; every capability of crmkit adds a section.

Examples:
    >>> from crmkit.cli._demo import SECTIONS
    >>> SECTIONS[0]
    'dataset'
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Sequence
from pathlib import Path

from crmkit.cli._console import Console
from crmkit.cli._context import DemoContext
from crmkit.errors import NotFoundError

__all__ = ["SECTIONS", "run_demo"]

#: Demo sections in the order they run; each is ``crmkit.cli._sections.<name>.render``.
SECTIONS: tuple[str, ...] = (
    "dataset",
    "storage",
    "safety",
    "segments",
    "leads",
    "lifetime_value",
    "models",
    "plots",
    "edges",
    "survey",
    "sources",
    "privacy",
    "object_model",
    "assessment",
)


def run_demo(
    *,
    seed: int = 42,
    n_accounts: int = 2000,
    output_dir: Path = Path("demo-output"),
    only: Sequence[str] = (),
    plain: bool = False,
) -> DemoContext:
    """Run the demo sections (all, or those named in ``only``) and return the context.

    Examples:
        >>> from crmkit.cli._demo import run_demo
        >>> run_demo(only=["nope"])
        Traceback (most recent call last):
        ...
        crmkit.errors.NotFoundError: unknown demo section 'nope'; sections: dataset, storage, safety, segments, leads, lifetime_value, models, plots, edges, survey, sources, privacy, object_model, assessment
    """
    unknown = [name for name in only if name not in SECTIONS]
    if unknown:
        raise NotFoundError(f"unknown demo section {unknown[0]!r}; sections: {', '.join(SECTIONS)}")
    from crmkit.datasets import make_b2b

    console = Console(plain=plain)
    output_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    data = make_b2b(seed=seed, n_accounts=n_accounts)
    console.text(
        f"Synthetic company: {n_accounts} accounts, seed {seed} "
        f"(built in {time.perf_counter() - started:.1f} s); files go to {output_dir}/"
    )
    ctx = DemoContext(data=data, console=console, output_dir=output_dir, seed=seed)
    for name in SECTIONS:
        if only and name not in only:
            continue
        module = importlib.import_module(f"crmkit.cli._sections.{name}")
        module.render(ctx)
    return ctx
