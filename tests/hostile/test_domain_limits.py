"""Hostile values at the domain boundary: each one is refused with a ValidationError that names
the field (with its path inside ``custom`` / ``remote_data``) — never a raw Python exception,
never stored to poison a table later (issue #11: NaN in one custom property broke every later
custom-property query of a SQLite table and was refused raw by PostgreSQL)."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from crmkit.domain import (
    KPI,
    Account,
    Address,
    Case,
    Channel,
    ChannelCategory,
    Contact,
    Direction,
    Lead,
    MediaType,
    Money,
    OrderLine,
    Probability,
    PropertyDefinition,
    PropertySchema,
    PropertyType,
    Stage,
)
from crmkit.domain.limits import (
    DEPTH_MAX,
    ID_MAX,
    INT_MAX,
    KEY_MAX,
    ORGNR_MAX,
    PHONE_MAX,
    REMOTE_ID_MAX,
    TEXT_MAX,
    WEBSITE_MAX,
)
from crmkit.errors import ValidationError


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


class _Opaque:
    pass


_PLUS_ONE = timezone(timedelta(hours=1))
_MINUS_TWO = timezone(-timedelta(hours=2))

# (build, the problem's path, a fragment of its message)
REFUSED: list[tuple[str, Callable[[], Any], str, str]] = [
    # non-finite numbers, everywhere
    ("custom NaN", lambda: Account("A", custom={"x": math.nan}), "custom.x", "NaN"),
    ("custom +inf", lambda: Account("A", custom={"x": math.inf}), "custom.x", "infinity"),
    ("custom -inf", lambda: Account("A", custom={"x": -math.inf}), "custom.x", "infinity"),
    (
        "remote NaN deep",
        lambda: Account("A", remote_data={"a": {"b": [1, math.nan]}}),
        "remote_data.a.b[1]",
        "NaN",
    ),
    ("remote inf", lambda: Account("A", remote_data={"x": math.inf}), "remote_data.x", "finite"),
    ("kpi target inf", lambda: KPI("Churn", math.inf), "target", "finite"),
    ("kpi actual NaN", lambda: KPI("Churn", 1.0, actual=math.nan), "actual", "NaN"),
    ("kpi baseline -inf", lambda: KPI("Churn", 1.0, baseline=-math.inf), "baseline", "finite"),
    ("stage probability NaN", lambda: Stage("s", "S", 1, math.nan), "probability", "between"),
    ("stage probability inf", lambda: Stage("s", "S", 1, math.inf), "probability", "between"),
    ("stage probability 10**400", lambda: Stage("s", "S", 1, 10**400), "probability", "between"),
    ("stage probability sNaN", lambda: Stage("s", "S", 1, Decimal("sNaN")), "probability", ""),
    ("employees inf", lambda: Account("A", employees=math.inf), "employees", "int"),
    ("discount NaN", lambda: _line(discount=Decimal("NaN")), "discount", "between"),
    # ints beyond 64 bits
    ("custom 2**63", lambda: Account("A", custom={"x": 2**63}), "custom.x", "between"),
    ("custom -2**63", lambda: Account("A", custom={"x": -(2**63)}), "custom.x", "between"),
    ("remote 10**30", lambda: Account("A", remote_data={"n": 10**30}), "remote_data.n", "between"),
    ("employees 2**63", lambda: Account("A", employees=2**63), "employees", "between"),
    ("stage order 2**64", lambda: Stage("s", "S", 2**64, 0.5), "order", "between"),
    ("version 10**100", lambda: Account("A", version=10**100), "version", "between"),
    ("kpi target 10**30", lambda: KPI("Churn", 10**30), "target", "between"),
    # text a store cannot hold
    ("name NUL", lambda: Account("Acme\x00AB"), "name", "NUL"),
    ("name surrogate", lambda: Account("Acme \ud800"), "name", "surrogates"),
    ("name too long", lambda: Account("n" * (TEXT_MAX + 1)), "name", "at most 100000"),
    ("id too long", lambda: Account("A", id="i" * (ID_MAX + 1)), "id", "at most 64"),
    ("owner id too long", lambda: Account("A", owner_id="o" * (ID_MAX + 1)), "owner_id", "64"),
    ("agent id NUL", lambda: Case("Broken", agent_id="u\x00"), "agent_id", "NUL"),
    ("tier too long", lambda: Account("A", tier="t" * (KEY_MAX + 1)), "tier", "at most 128"),
    (
        "remote id too long",
        lambda: Account("A", remote_id="r" * (REMOTE_ID_MAX + 1)),
        "remote_id",
        "at most 255",
    ),
    ("problem type too long", lambda: Case("S", problem_type="p" * 129), "problem_type", "128"),
    ("city NUL", lambda: Address(city="Malm\x00", country="SE"), "city", "NUL"),
    ("first name surrogate", lambda: Contact("\udc80", "Lind"), "first_name", "surrogates"),
    ("channel description NUL", lambda: _channel(description="\x00"), "description", "NUL"),
    ("email trailing newline", lambda: Contact("A", "B", email="a@b.se\n"), "email", "e-mail"),
    ("email NUL", lambda: Contact("A", "B", email="a\x00@b.se"), "email", "e-mail"),
    ("email too long", lambda: Contact("A", "B", email="a" * 250 + "@b.se"), "email", "254"),
    ("property description NUL", lambda: _definition(description="\x00"), "description", "NUL"),
    # custom property names and values
    ("custom key newline", lambda: Account("A", custom={"a\n": 1}), "custom.a\n", "name"),
    ("custom key long", lambda: Account("A", custom={"k" * 129: 1}), "custom." + "k" * 129, "name"),
    ("custom key int", lambda: Account("A", custom={1: 1}), "custom.1", "name"),
    ("custom value NUL", lambda: Account("A", custom={"x": "a\x00"}), "custom.x", "NUL"),
    ("custom value list", lambda: Account("A", custom={"x": ["a"]}), "custom.x", "string"),
    ("custom value set", lambda: Account("A", custom={"x": {1}}), "custom.x", "string"),
    ("custom value Decimal", lambda: Account("A", custom={"x": Decimal(1)}), "custom.x", "string"),
    # remote data that is not plain JSON
    ("remote set", lambda: Account("A", remote_data={"s": {1, 2}}), "remote_data.s", "set"),
    ("remote tuple", lambda: Account("A", remote_data={"t": (1,)}), "remote_data.t", "tuple"),
    ("remote object", lambda: Account("A", remote_data={"o": _Opaque()}), "remote_data.o", "type"),
    ("remote Decimal", lambda: Account("A", remote_data={"d": Decimal(1)}), "remote_data.d", ""),
    (
        "remote datetime",
        lambda: Account("A", remote_data={"at": datetime(2025, 1, 1, tzinfo=UTC)}),
        "remote_data.at",
        "datetime",
    ),
    ("remote int key", lambda: Account("A", remote_data={"a": {1: 2}}), "remote_data.a", "key"),
    ("remote NUL key", lambda: Account("A", remote_data={"\x00": 1}), "remote_data", "NUL"),
    (
        "remote surrogate",
        lambda: Account("A", remote_data={"a": ["\ud800"]}),
        "remote_data.a[0]",
        "surrogates",
    ),
    (
        "remote too deep",
        lambda: Account("A", remote_data={"a": _nested(DEPTH_MAX)}),
        "remote_data.a" + "[0]" * (DEPTH_MAX - 1),
        "deeper than 32",
    ),
    ("remote not a dict", lambda: Account("A", remote_data=[1]), "remote_data", "dict"),
    (
        "remote self reference",
        lambda: Account("A", remote_data=_cycle()),
        "remote_data" + ".self" * DEPTH_MAX,
        "deeper",
    ),
    # datetimes that overflow in UTC
    (
        "created year 1 at +01:00",
        lambda: Account("A", created_at=datetime(1, 1, 1, tzinfo=_PLUS_ONE)),
        "created_at",
        "range",
    ),
    (
        "closed year 9999 at -02:00",
        lambda: Case("S", closed_at=datetime(9999, 12, 31, 23, tzinfo=_MINUS_TWO)),
        "closed_at",
        "range",
    ),
    # numbers written as text: ASCII digits only
    ("money full-width", lambda: Money("１２", "SEK"), "amount", "decimal amount"),
    ("money Arabic-Indic", lambda: Money("١٢", "SEK"), "amount", "decimal amount"),
    ("money underscore", lambda: Money("1_000", "SEK"), "amount", "decimal amount"),
    ("money comma", lambda: Money("1,000", "SEK"), "amount", "decimal amount"),
    ("money NaN text", lambda: Money("NaN", "SEK"), "amount", "decimal amount"),
    ("money Infinity text", lambda: Money("Infinity", "SEK"), "amount", "decimal amount"),
    ("money hex", lambda: Money("0x10", "SEK"), "amount", "decimal amount"),
    ("money long text", lambda: Money("1" * 101, "SEK"), "amount", "decimal amount"),
    ("money huge exponent", lambda: Money("1e999999999999999999", "SEK"), "amount", ""),
    ("discount underscore", lambda: _line(discount="0_5"), "discount", "Decimal"),
    ("discount Arabic-Indic", lambda: _line(discount="٠.٥"), "discount", "Decimal"),
    ("probability Arabic-Indic", lambda: Probability("٠.٥"), "probability", "number"),
    ("probability underscore", lambda: Probability("0_5"), "probability", "number"),
    ("probability huge int", lambda: Probability(10**400), "probability", ""),
    ("percent sNaN", lambda: Probability.from_percent(Decimal("sNaN")), "percent", ""),
    # no silent coercion of text into a list
    (
        "enum options as one string",
        lambda: _definition(kind=PropertyType.ENUM, options="SMB"),
        "options",
        "list of strings",
    ),
    ("schema definitions as an int", lambda: PropertySchema("account", 5), "definitions", "list"),
    # Money bounds
    ("money 1e25", lambda: Money("1e25", "SEK"), "amount", "out of range"),
    ("money 1e16", lambda: Money(10**16, "SEK"), "amount", "out of range"),
    ("money past the top", lambda: Money("9999999999999999.99995", "SEK"), "amount", "range"),
    ("phone too long", lambda: Contact("A", "B", phone="1" * (PHONE_MAX + 1)), "phone", "32"),
    ("lead phone too long", lambda: Lead("Acme", phone="1" * 33), "phone", "at most 32"),
    (
        "org number too long",
        lambda: Account("A", organisation_number="5" * 33),
        "organisation_number",
        "32",
    ),
    ("website too long", lambda: Account("A", website="w" * (WEBSITE_MAX + 1)), "website", "255"),
    ("money 1e-39", lambda: Money("1e-39", "SEK"), "amount", "too small"),
    ("money 10**30", lambda: Money(10**30, "SEK"), "amount", "out of range"),
    ("money sNaN", lambda: Money(Decimal("sNaN"), "SEK"), "amount", "finite"),
]


def _cycle() -> dict[str, Any]:
    data: dict[str, Any] = {}
    data["self"] = data
    return data


def _line(**changes: Any) -> OrderLine:
    return OrderLine(
        **{"product_id": "p-1", "quantity": 1, "unit_price": Money("10", "SEK"), **changes}
    )


def _channel(**changes: Any) -> Channel:
    fields = {
        "key": "email",
        "name": "E-mail",
        "category": ChannelCategory.DIRECT_MARKETING,
        "media_type": MediaType.OWNED,
        "direction": Direction.OUTBOUND,
    }
    return Channel(**{**fields, **changes})


def _definition(kind: PropertyType = PropertyType.STRING, **changes: Any) -> PropertyDefinition:
    return PropertyDefinition("segment", kind, **changes)


@pytest.mark.parametrize(
    ("label", "build", "path", "fragment"), REFUSED, ids=[r[0] for r in REFUSED]
)
def test_hostile_value_is_refused_with_its_path(
    label: str, build: Callable[[], Any], path: str, fragment: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        build()
    problems = caught.value.problems
    assert path in [p.path for p in problems], (label, [str(p) for p in problems])
    assert any(fragment in p.message for p in problems if p.path == path), str(caught.value)
    assert str(caught.value)  # printable: no recursion, no encoding error


def test_the_decimal_property_type_refuses_infinity_and_nan() -> None:
    definition = _definition(kind=PropertyType.DECIMAL)
    assert definition.problem(math.inf) == "must be a finite number"
    assert definition.problem(math.nan) == "must be a finite number"
    assert definition.problem(1.5) is None


ACCEPTED: list[tuple[str, Callable[[], Any]]] = [
    ("id at the limit", lambda: Account("A", id="i" * ID_MAX)),
    ("tier at the limit", lambda: Account("A", tier="t" * KEY_MAX)),
    ("remote id at the limit", lambda: Account("A", remote_id="r" * REMOTE_ID_MAX)),
    ("name at the limit", lambda: Account("n" * TEXT_MAX)),
    ("strange but valid text", lambda: Account("İstanbul Straße 🙂 \u202e e\u0301 \ufeff")),
    ("custom at the int limits", lambda: Account("A", custom={"a": INT_MAX, "b": -INT_MAX})),
    ("custom subnormal float", lambda: Account("A", custom={"a": 5e-324, "b": -0.0})),
    ("remote at the depth limit", lambda: Account("A", remote_data={"a": _nested(DEPTH_MAX - 1)})),
    ("remote escaped NUL text", lambda: Account("A", remote_data={"a": "\\u0000"})),
    ("money at the top", lambda: Money("9999999999999999.9999", "SEK")),
    ("phone at the limit", lambda: Contact("A", "B", phone="+" + "4" * (PHONE_MAX - 1))),
    ("org number at the limit", lambda: Account("A", organisation_number="5" * ORGNR_MAX)),
    ("website at the limit", lambda: Account("A", website="https://" + "w" * 247)),
    ("money at the bottom", lambda: Money("1e-38", "SEK")),
    ("money with 38 digits", lambda: Money("0." + "7" * 38, "EUR")),
    ("money ASCII text with spaces", lambda: Money(" 12.50 ", "SEK")),
    ("created year 1 in UTC", lambda: Account("A", created_at=datetime(1, 1, 1, tzinfo=UTC))),
    ("probability text", lambda: Probability("0.25")),
]


@pytest.mark.parametrize(("label", "build"), ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_values_at_the_limits_are_accepted(label: str, build: Callable[[], Any]) -> None:
    assert build() is not None


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda a: a.custom.__setitem__("score", math.nan), "custom.score"),
        (lambda a: a.custom.__setitem__("note", "a\x00"), "custom.note"),
        (lambda a: a.remote_data.__setitem__("tags", {"a"}), "remote_data.tags"),
        (lambda a: a.addresses.append("not an address"), "addresses"),
    ],
    ids=["custom NaN", "custom NUL", "remote set", "list item"],
)
def test_changes_in_place_are_caught_by_revalidate(
    change: Callable[[Account], Any], path: str
) -> None:
    account = Account("Acme")
    account.revalidate()  # a valid entity passes
    change(account)
    with pytest.raises(ValidationError) as caught:
        account.revalidate()
    assert caught.value.problems[0].path == path
