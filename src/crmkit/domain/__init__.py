"""crmkit's domain model: entities and value objects, validated, with no I/O.

Example:
    >>> from crmkit.domain import Money
    >>> Money("10", "SEK").currency
    'SEK'
"""

from crmkit.domain.channel import (
    Channel,
    ChannelCatalogue,
    ChannelCategory,
    Direction,
    MediaType,
    default_catalogue,
)
from crmkit.domain.ids import IdGenerator, id_timestamp, is_id, new_id
from crmkit.domain.key_account import KamStage, KamStageChange, KeyAccountRelationship
from crmkit.domain.money import CURRENCY_MINOR_UNITS, Money, minor_unit

__all__ = [
    "CURRENCY_MINOR_UNITS",
    "Channel",
    "ChannelCatalogue",
    "ChannelCategory",
    "Direction",
    "IdGenerator",
    "KamStage",
    "KamStageChange",
    "KeyAccountRelationship",
    "MediaType",
    "Money",
    "default_catalogue",
    "id_timestamp",
    "is_id",
    "minor_unit",
    "new_id",
]
