"""Channel integration from the workbook's channel grids (S07–S09) and channel ticks (S10).

Payne & Frow ask that the same standard holds on every channel and that channels are integrated
so the customer sees one company. The workbook makes this measurable: each channel row says
whether the channel is in use and how it is IT-supported. A channel in use without integrated
IT support is a :class:`ChannelGap`; :func:`same_standard_on_every_channel` passes only when
every channel in use is integrated and the situation analysis does not say customers are
treated inconsistently (S04 #11).

One channel is counted once: rows naming the same catalogue channel (``Item.channel``, e.g.
telemarketing and the contact centre both on the telephone) or the same name are one channel,
judged by its weakest row, so a channel never appears twice under two names.

Examples:
    >>> from crmkit.strategy.answers import WorkbookAnswers
    >>> from crmkit.strategy.channel_integration import channel_integration_gaps
    >>> wb = WorkbookAnswers()
    >>> wb.fill({"s08.field_sales": {"used": True, "it_support": "integrated"},
    ...          "s08.e_commerce": {"used": True, "it_support": "none"}})
    >>> [(g.item_id, g.category.value) for g in channel_integration_gaps(wb)]
    [('s08.e_commerce', 'electronic_commerce')]
"""

from __future__ import annotations

import attrs

from crmkit.domain import ChannelCategory
from crmkit.strategy.answers import ChannelUse, WorkbookAnswers
from crmkit.strategy.workbook import AnswerType, Item, ItSupport

__all__ = [
    "CHANNEL_SECTIONS",
    "ChannelGap",
    "SameStandardCheck",
    "categories_in_use",
    "channel_integration_gaps",
    "channel_items_in_use",
    "channel_key",
    "same_standard_on_every_channel",
]

#: The workbook sections that are channel grids with an IT-support level.
CHANNEL_SECTIONS: tuple[str, ...] = ("S07", "S08", "S09")


@attrs.frozen
class ChannelGap:
    """A channel in use without integrated IT support.

    Examples:
        >>> from crmkit.strategy.channel_integration import ChannelGap
        >>> ChannelGap("s08.e_commerce", "E-commerce", None, None).describe()
        'E-commerce is in use without integrated IT support (IT support not stated)'
    """

    item_id: str
    channel: str
    category: ChannelCategory | None
    it_support: ItSupport | None

    def describe(self) -> str:
        """A sentence for reports."""
        level = self.it_support.label("en") if self.it_support else "IT support not stated"
        return f"{self.channel} is in use without integrated IT support ({level})"


def channel_key(item: Item) -> str:
    """The identity of the channel a workbook row names: its catalogue channel, else its
    English name folded to lower-case letters and digits.

    Examples:
        >>> from crmkit.strategy.channel_integration import channel_key
        >>> from crmkit.strategy.workbook import workbook
        >>> wb = workbook()
        >>> channel_key(wb.item("s08.contact_center")) == channel_key(
        ...     wb.item("s09.call_contact_center"))
        True
        >>> channel_key(wb.item("s10.voip"))
        'voiceoverip'
    """
    if item.channel:
        return item.channel
    return "".join(ch for ch in item.en.casefold() if ch.isalnum())


_WEAKNESS = {ItSupport.NONE: 0, None: 1, ItSupport.STAND_ALONE: 2, ItSupport.INTEGRATED: 3}


def _rows(answers: WorkbookAnswers) -> list[tuple[str, str, ChannelCategory | None, ChannelUse]]:
    """One row per channel in use (its first row, with the weakest IT support of its rows)."""
    by_key: dict[str, tuple[str, str, ChannelCategory | None, ChannelUse]] = {}
    for sid in CHANNEL_SECTIONS:
        for item in answers.workbook.section(sid).items:
            value = answers.get(item.id)
            if not (isinstance(value, ChannelUse) and value.used):
                continue
            key = channel_key(item)
            seen = by_key.get(key)
            if seen is None:
                by_key[key] = (item.id, item.en, item.channel_category, value)
            elif _WEAKNESS[value.it_support] < _WEAKNESS[seen[3].it_support]:
                by_key[key] = (seen[0], seen[1], seen[2], value)
    return list(by_key.values())


def channel_integration_gaps(answers: WorkbookAnswers) -> list[ChannelGap]:
    """Channels (S07–S09) in use without integrated IT support, in workbook order, each
    channel once (by :func:`channel_key`, judged by its weakest row).

    Examples:
        >>> from crmkit.strategy.answers import WorkbookAnswers
        >>> from crmkit.strategy.channel_integration import channel_integration_gaps
        >>> wb = WorkbookAnswers()
        >>> wb.fill({"s08.contact_center": {"used": True, "it_support": "stand_alone"},
        ...          "s09.call_contact_center": {"used": True, "it_support": "none"}})
        >>> [(g.channel, g.it_support.value) for g in channel_integration_gaps(wb)]
        [('Contact centre', 'none')]
    """
    return [
        ChannelGap(item_id, name, category, use.it_support)
        for item_id, name, category, use in _rows(answers)
        if not use.is_integrated
    ]


def channel_items_in_use(answers: WorkbookAnswers) -> dict[ChannelCategory, list[Item]]:
    """The workbook rows of the channels in use (grids and S10 ticks) per Payne–Frow
    category, each channel once (by :func:`channel_key`, first row wins).

    Examples:
        >>> from crmkit.strategy.answers import WorkbookAnswers
        >>> from crmkit.strategy.channel_integration import channel_items_in_use
        >>> wb = WorkbookAnswers()
        >>> wb.fill({"s08.telemarketing": {"used": True}, "s10.phone_personal": True})
        >>> {c.value: [i.id for i in items] for c, items in channel_items_in_use(wb).items()}
        {'telephony': ['s08.telemarketing']}
    """
    out: dict[ChannelCategory, list[Item]] = {}
    seen: set[str] = set()
    for item in answers.workbook.items:
        if item.channel_category is None:
            continue
        value = answers.get(item.id)
        used = (
            value.used
            if isinstance(value, ChannelUse)
            else (item.answer_type is AnswerType.CHECK and value is True)
        )
        if used and channel_key(item) not in seen:
            seen.add(channel_key(item))
            out.setdefault(item.channel_category, []).append(item)
    return out


def categories_in_use(answers: WorkbookAnswers) -> dict[ChannelCategory, list[str]]:
    """The Payne–Frow channel categories in use (grids and S10 ticks), with their channels'
    names, each channel once (see :func:`channel_items_in_use`).

    Examples:
        >>> from crmkit.strategy.answers import WorkbookAnswers
        >>> from crmkit.strategy.channel_integration import categories_in_use
        >>> wb = WorkbookAnswers()
        >>> wb.fill({"s10.sms": True, "s10.email": False})
        >>> {c.value: names for c, names in categories_in_use(wb).items()}
        {'mobile_commerce': ['SMS']}
    """
    return {c: [i.en for i in items] for c, items in channel_items_in_use(answers).items()}


@attrs.frozen
class SameStandardCheck:
    """Does the same standard hold on every channel?

    ``passes`` is true when at least one channel is in use, every channel in use has integrated
    IT support and S04 #11 ("personal and consistent in all channels") is not answered "no".

    Examples:
        >>> from crmkit.strategy.answers import WorkbookAnswers
        >>> from crmkit.strategy.channel_integration import same_standard_on_every_channel
        >>> wb = WorkbookAnswers()
        >>> wb.set("s09.support", {"used": True, "it_support": "integrated"})
        >>> same_standard_on_every_channel(wb).passes
        True
        >>> wb.set("s04.consistent_all_channels", False)
        >>> same_standard_on_every_channel(wb).reason
        'the situation analysis says customers are not treated consistently in every channel'
    """

    passes: bool
    channels_in_use: int
    integrated: int
    consistent_answer: bool | None
    reason: str


def same_standard_on_every_channel(answers: WorkbookAnswers) -> SameStandardCheck:
    """Check Payne & Frow's rule that every channel meets the same standard."""
    rows = _rows(answers)
    integrated = sum(use.is_integrated for *_, use in rows)
    consistent = answers.get("s04.consistent_all_channels")
    consistent_answer = consistent if isinstance(consistent, bool) else None
    if not rows:
        passes, reason = False, "no channel is marked as in use"
    elif integrated < len(rows):
        passes = False
        reason = f"{len(rows) - integrated} of {len(rows)} channels lack integrated IT support"
    elif consistent_answer is False:
        passes = False
        reason = (
            "the situation analysis says customers are not treated consistently in every channel"
        )
    else:
        passes, reason = True, "every channel in use has integrated IT support"
    return SameStandardCheck(passes, len(rows), integrated, consistent_answer, reason)
