from __future__ import annotations

import random

from crmkit.domain import IdGenerator, id_timestamp, is_id, new_id
from crmkit.domain.ids import _ALPHABET, _encode


def _reference_encode(value: int) -> str:
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def test_ids_made_later_sort_later() -> None:
    ids = [new_id() for _ in range(500)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 500
    assert all(is_id(i) for i in ids)


def test_seeded_generator_with_clock_is_reproducible_and_ordered() -> None:
    ticks = [1_700_000_000_000, 1_700_000_000_000, 1_600_000_000_000, 1_700_000_000_500]

    def make() -> list[str]:
        it = iter(ticks)
        gen = IdGenerator(seed=5, clock=lambda: next(it))
        return [gen.new() for _ in ticks]

    first = make()
    assert first == make()
    # a clock going backwards never breaks the order
    assert first == sorted(first)
    assert id_timestamp(first[0]).year == 2023


def test_fast_encoding_matches_the_base32_definition() -> None:
    rng = random.Random(3)
    values = [0, 1, 31, 32, (1 << 128) - 1] + [rng.getrandbits(128) for _ in range(2000)]
    for value in values:
        assert _encode(value) == _reference_encode(value)
