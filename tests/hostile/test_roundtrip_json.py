"""Hostile JSON at the serde boundary: every bad document is one ValidationError with a path
(``json`` for what cannot be parsed, the field path for what cannot be held), never a raw
``ValueError``/``RecursionError``/``UnicodeDecodeError``; and ``to_json`` never writes NaN."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmkit.domain import Account, Opportunity, OrderLine
from crmkit.errors import ValidationError
from crmkit.serde import from_dict, from_json, read_json, to_dict, to_json
from crmkit.testing.strategies import aggregates, hostile_json, hostile_numbers, hostile_text

_ACCOUNT = '{"name": "Acme", %s}'


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        (_ACCOUNT % '"custom": {"x": NaN}', "NaN is not a JSON number"),
        (_ACCOUNT % '"custom": {"x": Infinity}', "Infinity is not a JSON number"),
        (_ACCOUNT % '"custom": {"x": -Infinity}', "-Infinity is not a JSON number"),
        (_ACCOUNT % '"custom": {"x": 1e400}', "beyond the range"),
        (_ACCOUNT % '"custom": {"x": -1e400}', "beyond the range"),
        (_ACCOUNT % '"remote_data": {"a": [1, {"b": 1E999}]}', "beyond the range"),
        ('{"probability": NaN}', "NaN is not a JSON number"),
        (_ACCOUNT % '"custom": {"x": %s}' % ("9" * 5000), "digits"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ('{"name": "Acme"', "Expecting"),
        ('{"name": "Acme", "name": "Evil"}', "appears twice"),
        (_ACCOUNT % '"custom": {"x": 1, "x": 2}', "appears twice"),
        ("\ufeff" + _ACCOUNT % '"tier": "A"', "BOM"),
        ("", "Expecting value"),
    ],
    ids=lambda v: str(v)[:30],
)
def test_documents_that_are_not_strict_json_are_refused(document: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        from_json(Account, document)
    problem = caught.value.problems[0]
    assert problem.path == "json"
    assert fragment in problem.message


@pytest.mark.parametrize(
    "data",
    [
        b'{"name": "\xff"}',  # not UTF-8 at all
        b'{"name": "\xc0\xaf"}',  # over-long encoding of "/"
        b'{"name": "\xed\xa0\x80"}',  # a surrogate encoded as UTF-8
        b'{"name": "\xe2\x82"}',  # truncated sequence
        '{"name": "Acme"}'.encode("utf-16"),  # another encoding
    ],
    ids=["ff", "overlong", "surrogate", "truncated", "utf16"],
)
def test_bytes_that_are_not_utf8_are_refused(data: bytes) -> None:
    with pytest.raises(ValidationError) as caught:
        from_json(Account, data)
    assert caught.value.problems[0].path == "json"
    assert "UTF-8" in caught.value.problems[0].message


def test_utf8_bytes_and_bytearrays_are_read() -> None:
    data = '{"name": "Åsa Öberg AB 🙂"}'.encode()
    assert from_json(Account, data).name == "Åsa Öberg AB 🙂"
    assert from_json(Account, bytearray(data)).name == "Åsa Öberg AB 🙂"


def test_read_json_refuses_what_is_not_text() -> None:
    with pytest.raises(ValidationError) as caught:
        read_json(42)  # type: ignore[arg-type]
    assert caught.value.problems[0].path == "json"


@pytest.mark.parametrize(
    ("document", "path", "fragment"),
    [
        ('{"name": "A\\ud800"}', "account.name", "surrogates"),
        ('{"name": "A\\udc00B"}', "account.name", "surrogates"),
        ('{"name": "A\\u0000"}', "account.name", "NUL"),
        (_ACCOUNT % '"custom": {"x": "\\u0000"}', "account.custom.x", "NUL"),
        (_ACCOUNT % '"custom": {"x": 9223372036854775808}', "account.custom.x", "between"),
        (_ACCOUNT % '"remote_data": {"k\\ud83d": 1}', "account.remote_data", "surrogates"),
        (
            _ACCOUNT % '"remote_data": {"a": %s}' % ("[" * 40 + "]" * 40),
            "account.remote_data.a",
            "",
        ),
        (_ACCOUNT % '"id": "%s"' % ("x" * 65), "account.id", "at most 64"),
        (_ACCOUNT % '"tier": "%s"' % ("x" * 129), "account.tier", "at most 128"),
        (_ACCOUNT % '"employees": 1e3', "account.employees", ""),
        (_ACCOUNT % '"turnover": {"amount": "1_000", "currency": "SEK"}', "account.turnover", ""),
        (_ACCOUNT % '"turnover": {"amount": "١٢", "currency": "SEK"}', "account.turnover", ""),
        (_ACCOUNT % '"turnover": {"amount": "1e30", "currency": "SEK"}', "account.turnover", ""),
        (_ACCOUNT % '"turnover": {"amount": 1.5, "currency": "SEK"}', "account.turnover", ""),
    ],
    ids=lambda v: str(v)[:40],
)
def test_values_the_domain_cannot_hold_are_named(document: str, path: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        from_json(Account, document)
    problems = caught.value.problems
    assert any(p.path.startswith(path) and fragment in p.message for p in problems), str(
        caught.value
    )


def test_decimal_fields_read_ascii_digits_only() -> None:
    line = {
        "product_id": "p-1",
        "quantity": 1,
        "unit_price": {"amount": "10", "currency": "SEK"},
        "discount": "0.25",
    }
    assert from_dict(OrderLine, line).discount == Decimal("0.25")
    assert to_dict(from_dict(OrderLine, line))["discount"] == "0.25"
    for bad in ("0_5", "٠.٥", "NaN", "Infinity", " ", "0x1"):
        with pytest.raises(ValidationError) as caught:
            from_dict(OrderLine, {**line, "discount": bad})
        assert caught.value.problems[0].path == "order_line.discount"


def test_to_json_never_writes_nan() -> None:
    account = Account("Acme")
    account.custom["score"] = math.inf  # changed in place: no validator ran
    with pytest.raises(ValidationError) as caught:
        to_json(account)
    assert caught.value.problems[0].path == "json"


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(aggregates(), st.data())
def test_hostile_payloads_give_an_entity_or_a_validation_error(entity: Any, data: Any) -> None:
    """Any field of a valid document replaced by hostile JSON-ish data (written with Python's
    lenient json.dumps, so NaN and Infinity appear as they would from another program)."""
    document = to_dict(entity)
    field = data.draw(st.sampled_from(sorted(document)), label="field")
    value = data.draw(st.one_of(hostile_json(), hostile_numbers(), hostile_text()), label="value")
    document[field] = value
    try:
        text = json.dumps(document, default=repr)
    except (ValueError, RecursionError):
        text = json.dumps({**document, field: None})
    refused: ValidationError | None = None
    try:
        got = from_json(type(entity), text)
    except ValidationError as error:
        refused = error
    if refused is not None:
        assert refused.problems
        assert all(p.path for p in refused.problems)
        return
    again = from_json(type(got), to_json(got))
    assert again == got


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([Account, Opportunity]), hostile_json())
def test_from_dict_of_anything_is_an_entity_or_a_validation_error(cls: type, data: Any) -> None:
    refused: ValidationError | None = None
    try:
        from_dict(cls, data)
    except ValidationError as error:
        refused = error
    if refused is not None:
        assert refused.problems
