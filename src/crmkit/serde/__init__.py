"""Serialisation: one cattrs converter; dict and JSON round trips for every public type.

Examples:
    >>> from crmkit.domain import Money
    >>> from crmkit.serde import from_json, to_json
    >>> from_json(Money, to_json(Money("9.90", "SEK"))) == Money("9.90", "SEK")
    True
"""

from crmkit.serde.converter import (
    converter,
    from_dict,
    from_json,
    read_json,
    structure,
    to_dict,
    to_json,
)

__all__ = [
    "converter",
    "from_dict",
    "from_json",
    "read_json",
    "structure",
    "to_dict",
    "to_json",
]
