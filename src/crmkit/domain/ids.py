"""Opaque, time-ordered string identifiers.

An id is 26 characters of Crockford base-32 (the ULID layout): 48 bits of milliseconds since
the Unix epoch followed by 80 bits of randomness. Ids made later sort after ids made earlier,
and ids made in the same millisecond by one generator still sort in creation order. Treat them
as opaque strings; only their order is promised.

Examples:
    >>> from crmkit.domain import IdGenerator, new_id
    >>> a, b = new_id(), new_id()
    >>> len(a), a < b
    (26, True)
    >>> gen = IdGenerator(seed=7, clock=lambda: 1_700_000_000_000)
    >>> gen.new() == IdGenerator(seed=7, clock=lambda: 1_700_000_000_000).new()
    True
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

__all__ = ["IdGenerator", "id_timestamp", "is_id", "new_id"]

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}
_RANDOM_BITS = 80
_RANDOM_MAX = (1 << _RANDOM_BITS) - 1


# Two base-32 digits per table entry: 13 lookups of 10 bits encode the 130-bit id.
_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]
_SHIFTS = tuple(range(120, -1, -10))


def _encode(value: int) -> str:
    pairs = _PAIRS
    return "".join([pairs[(value >> shift) & 1023] for shift in _SHIFTS])


def _encode_parts(ms: int, rand: int) -> str:
    """``_encode((ms << 80) | rand)`` without building the 130-bit integer."""
    p = _PAIRS
    return "".join(
        (
            p[(ms >> 40) & 1023],
            p[(ms >> 30) & 1023],
            p[(ms >> 20) & 1023],
            p[(ms >> 10) & 1023],
            p[ms & 1023],
            p[(rand >> 70) & 1023],
            p[(rand >> 60) & 1023],
            p[(rand >> 50) & 1023],
            p[(rand >> 40) & 1023],
            p[(rand >> 30) & 1023],
            p[(rand >> 20) & 1023],
            p[(rand >> 10) & 1023],
            p[rand & 1023],
        )
    )


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class IdGenerator:
    """Makes time-ordered ids; seed it (and give it a clock) for reproducible ids.

    Args:
        seed: seed for the random part; ``None`` uses the operating system's randomness.
        clock: returns milliseconds since the epoch; defaults to the system clock.

    Examples:
        >>> from crmkit.domain import IdGenerator
        >>> ticks = iter(range(1_000, 2_000))
        >>> gen = IdGenerator(seed=1, clock=lambda: next(ticks))
        >>> ids = [gen.new() for _ in range(3)]
        >>> ids == sorted(ids)
        True
    """

    def __init__(self, seed: int | None = None, clock: Callable[[], int] | None = None) -> None:
        self._random: Callable[[], int]
        if seed is None:
            self._random = lambda: int.from_bytes(os.urandom(10), "big")
        else:
            rng = random.Random(seed)
            self._random = lambda: rng.getrandbits(_RANDOM_BITS)
        self._clock = clock or _now_ms
        self._last_ms = -1
        self._last_rand = 0
        self._lock = threading.Lock()

    def new(self) -> str:
        """Return a new id, greater than every id this generator made before.

        Examples:
            >>> from crmkit.domain import IdGenerator
            >>> len(IdGenerator().new())
            26
        """
        with self._lock:
            ms = max(self._clock(), self._last_ms)
            if ms == self._last_ms:
                rand = self._last_rand + 1
                if rand > _RANDOM_MAX:  # pragma: no cover - 2**80 ids in one millisecond
                    ms += 1
                    rand = self._random()
            else:
                rand = self._random()
            self._last_ms, self._last_rand = ms, rand
            return _encode_parts(ms, rand)


_default = IdGenerator()


def new_id() -> str:
    """A new id from the process-wide generator.

    Examples:
        >>> from crmkit.domain import new_id, is_id
        >>> is_id(new_id())
        True
    """
    return _default.new()


def is_id(value: object) -> bool:
    """Whether ``value`` has the shape of a crmkit-generated id.

    Any non-empty string is accepted as an id by the domain types (ids from other systems
    are welcome); this checks only the shape crmkit itself makes.

    Examples:
        >>> from crmkit.domain import is_id
        >>> is_id("01HZX3Q9W7G8M2K4N6P8R0S2T4"), is_id("abc")
        (True, False)
    """
    return isinstance(value, str) and len(value) == 26 and all(c in _INDEX for c in value)


def id_timestamp(value: str) -> datetime:
    """The creation time encoded in a crmkit id (UTC, millisecond precision).

    Examples:
        >>> from crmkit.domain import IdGenerator, id_timestamp
        >>> gen = IdGenerator(seed=1, clock=lambda: 1_700_000_000_000)
        >>> id_timestamp(gen.new()).isoformat()
        '2023-11-14T22:13:20+00:00'
    """
    number = 0
    for char in value:
        number = (number << 5) | _INDEX[char]
    return datetime.fromtimestamp((number >> _RANDOM_BITS) / 1000, tz=UTC)
