"""Channels: the six Payne–Frow channel categories and a catalogue of concrete channels.

Payne & Frow group the channels through which a company meets its customers into six
categories (sales force, outlets, telephony, direct marketing, electronic commerce, mobile
commerce). crmkit's :class:`ChannelCatalogue` holds concrete channels (field sales, web shop,
LinkedIn ...), each mapped to its category, its media type (owned / earned / paid, seed 001
L472) and its direction (inbound / outbound / both). Users register their own channels.

Examples:
    >>> from crmkit.domain import ChannelCategory, default_catalogue
    >>> catalogue = default_catalogue()
    >>> catalogue["web_shop"].category is ChannelCategory.ELECTRONIC_COMMERCE
    True
    >>> [c.key for c in catalogue.in_category(ChannelCategory.MOBILE_COMMERCE)]
    ['sms', 'mobile_app']
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator

import attrs

from crmkit.domain.limits import KEY_MAX
from crmkit.domain.validators import (
    compile_validation,
    instance_of,
    non_empty,
    non_empty_text,
    text,
)
from crmkit.errors import NotFoundError, ValidationError

__all__ = [
    "Channel",
    "ChannelCatalogue",
    "ChannelCategory",
    "Direction",
    "MediaType",
    "default_catalogue",
]


class ChannelCategory(enum.Enum):
    """The six channel categories of the Payne–Frow multichannel integration process.

    Examples:
        >>> from crmkit.domain import ChannelCategory
        >>> len(ChannelCategory), ChannelCategory.SALES_FORCE.value
        (6, 'sales_force')
    """

    SALES_FORCE = "sales_force"
    OUTLETS = "outlets"
    TELEPHONY = "telephony"
    DIRECT_MARKETING = "direct_marketing"
    ELECTRONIC_COMMERCE = "electronic_commerce"
    MOBILE_COMMERCE = "mobile_commerce"

    @property
    def is_physical(self) -> bool:
        """Sales force and outlets meet the customer in person; the rest are remote/virtual.

        Examples:
            >>> from crmkit.domain import ChannelCategory
            >>> ChannelCategory.OUTLETS.is_physical, ChannelCategory.TELEPHONY.is_physical
            (True, False)
        """
        return self in (ChannelCategory.SALES_FORCE, ChannelCategory.OUTLETS)


class MediaType(enum.Enum):
    """Owned, earned or paid media (Olsen & Peretz, seed 001 L472).

    Examples:
        >>> from crmkit.domain import MediaType
        >>> MediaType("paid") is MediaType.PAID
        True
    """

    OWNED = "owned"
    EARNED = "earned"
    PAID = "paid"


class Direction(enum.Enum):
    """Who starts the contact: the customer (inbound), the company (outbound) or either.

    Examples:
        >>> from crmkit.domain import Direction
        >>> Direction.INBOUND.value
        'inbound'
    """

    INBOUND = "inbound"
    OUTBOUND = "outbound"
    BOTH = "both"


@compile_validation
@attrs.frozen
class Channel:
    """A concrete channel, mapped to its Payne–Frow category.

    Attributes:
        key: stable identifier (``"linkedin"``), used by entities that name a channel.
        name: display name.
        category: the Payne–Frow category.
        media_type: owned, earned or paid.
        direction: inbound, outbound or both.
        description: free text.

    Examples:
        >>> from crmkit.domain import Channel, ChannelCategory, MediaType, Direction
        >>> Channel("trade_fair", "Trade fair", ChannelCategory.OUTLETS, MediaType.PAID,
        ...         Direction.BOTH).key
        'trade_fair'
    """

    key: str = attrs.field(validator=non_empty_text(KEY_MAX))
    name: str = attrs.field(validator=non_empty)
    category: ChannelCategory = attrs.field(validator=instance_of(ChannelCategory))
    media_type: MediaType = attrs.field(validator=instance_of(MediaType))
    direction: Direction = attrs.field(validator=instance_of(Direction))
    description: str = attrs.field(default="", validator=text())


_C = ChannelCategory
_M = MediaType
_D = Direction

_DEFAULT_CHANNELS: tuple[Channel, ...] = (
    Channel("field_sales", "Field sales", _C.SALES_FORCE, _M.OWNED, _D.OUTBOUND,
            "Sellers visiting customers and prospects."),
    Channel("key_account_manager", "Key account manager", _C.SALES_FORCE, _M.OWNED, _D.BOTH,
            "A dedicated manager for a key account (seed 003)."),
    # Trade fairs and own resellers are outlets, as in the Pyramid workbook's sales-channel
    # grid ("Eget återförsäljarled", "Mässor"; reference: seed-002-004.md L294, L298).
    Channel("events", "Trade fairs and events", _C.OUTLETS, _M.OWNED, _D.BOTH,
            "Trade fairs, exhibitions, conferences and customer events."),
    Channel("partners", "Partners and resellers", _C.OUTLETS, _M.EARNED, _D.BOTH,
            "The company's own reseller network, partners and agents."),
    Channel("stores", "Stores and branches", _C.OUTLETS, _M.OWNED, _D.INBOUND,
            "Branches, stores, depots and kiosks."),
    Channel("phone", "Telephone", _C.TELEPHONY, _M.OWNED, _D.BOTH,
            "Calls by and to sellers, including cold calling."),
    Channel("contact_centre", "Contact centre", _C.TELEPHONY, _M.OWNED, _D.INBOUND,
            "Customer service and call centre."),
    Channel("direct_mail", "Direct mail", _C.DIRECT_MARKETING, _M.PAID, _D.OUTBOUND,
            "Letters, catalogues, radio and TV."),
    Channel("email", "E-mail", _C.ELECTRONIC_COMMERCE, _M.OWNED, _D.BOTH,
            "Personal e-mail, newsletters and e-mail sequences."),
    Channel("website", "Website", _C.ELECTRONIC_COMMERCE, _M.OWNED, _D.INBOUND,
            "The company's website and its interest forms."),
    Channel("web_shop", "Web shop", _C.ELECTRONIC_COMMERCE, _M.OWNED, _D.INBOUND,
            "Online ordering."),
    Channel("landing_page", "Landing pages", _C.ELECTRONIC_COMMERCE, _M.OWNED, _D.INBOUND,
            "Campaign landing pages with forms."),
    Channel("seo", "Organic search (SEO)", _C.ELECTRONIC_COMMERCE, _M.EARNED, _D.INBOUND,
            "Organic traffic from search engines."),
    Channel("paid_search", "Paid search", _C.ELECTRONIC_COMMERCE, _M.PAID, _D.INBOUND,
            "Search advertising such as Google Ads (inbound-like, seed 001 L448)."),
    Channel("linkedin", "LinkedIn", _C.ELECTRONIC_COMMERCE, _M.EARNED, _D.BOTH,
            "LinkedIn posts, messages and thought leadership."),
    Channel("social_media", "Other social media", _C.ELECTRONIC_COMMERCE, _M.EARNED, _D.BOTH,
            "Facebook, Instagram, X and similar."),
    Channel("webinar", "Webinars", _C.ELECTRONIC_COMMERCE, _M.OWNED, _D.BOTH,
            "Online seminars."),
    # A podcast is inbound content: prospects come to it (reference: seed-001.md L203).
    Channel("podcast", "Podcasts", _C.ELECTRONIC_COMMERCE, _M.OWNED, _D.INBOUND,
            "Podcast episodes with guests (seed 001 L454)."),
    Channel("sms", "SMS", _C.MOBILE_COMMERCE, _M.OWNED, _D.BOTH, "Text messages."),
    Channel("mobile_app", "Mobile app", _C.MOBILE_COMMERCE, _M.OWNED, _D.INBOUND,
            "The company's mobile application."),
)  # fmt: skip


class ChannelCatalogue:
    """A registry of channels by key; starts with crmkit's defaults or with the ones given.

    Examples:
        >>> from crmkit.domain import (Channel, ChannelCatalogue, ChannelCategory, MediaType,
        ...                            Direction)
        >>> catalogue = ChannelCatalogue.default()
        >>> catalogue.register(Channel("whatsapp", "WhatsApp", ChannelCategory.MOBILE_COMMERCE,
        ...                            MediaType.OWNED, Direction.BOTH))
        >>> catalogue.category_of("whatsapp").value
        'mobile_commerce'
        >>> "whatsapp" in catalogue, len(catalogue)
        (True, 21)
    """

    def __init__(self, channels: Iterable[Channel] = ()) -> None:
        self._channels: dict[str, Channel] = {}
        for channel in channels:
            self.register(channel)

    @classmethod
    def default(cls) -> ChannelCatalogue:
        """A catalogue holding crmkit's 20 default channels."""
        return cls(_DEFAULT_CHANNELS)

    def register(self, channel: Channel, *, replace: bool = False) -> None:
        """Add ``channel``; a key already present is refused unless ``replace`` is true."""
        if not isinstance(channel, Channel):
            raise ValidationError.single("channel", channel, "must be a Channel")
        if channel.key in self._channels and not replace:
            raise ValidationError.single(
                "channel.key", channel.key, "is already registered; pass replace=True"
            )
        self._channels[channel.key] = channel

    def __getitem__(self, key: str) -> Channel:
        try:
            return self._channels[key]
        except KeyError:
            known = ", ".join(sorted(self._channels))
            raise NotFoundError(f"unknown channel {key!r}; known channels: {known}") from None

    def get(self, key: str) -> Channel | None:
        """The channel with ``key`` or ``None``."""
        return self._channels.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._channels

    def __iter__(self) -> Iterator[Channel]:
        return iter(self._channels.values())

    def __len__(self) -> int:
        return len(self._channels)

    def keys(self) -> list[str]:
        """All channel keys in registration order."""
        return list(self._channels)

    def category_of(self, key: str) -> ChannelCategory:
        """The Payne–Frow category of the channel ``key``."""
        return self[key].category

    def in_category(self, category: ChannelCategory) -> list[Channel]:
        """The channels of one category, in registration order."""
        return [c for c in self._channels.values() if c.category is category]


def default_catalogue() -> ChannelCatalogue:
    """A fresh catalogue of crmkit's default channels (safe to extend).

    Examples:
        >>> from crmkit.domain import default_catalogue
        >>> len(default_catalogue())
        20
    """
    return ChannelCatalogue.default()
