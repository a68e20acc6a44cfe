"""Sections of ``crmkit demo``: each module has ``render(ctx: DemoContext) -> None``."""
