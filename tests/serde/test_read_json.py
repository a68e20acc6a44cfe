"""read_json: the fast reader (orjson, the json extra) gives exactly what the strict reader gives."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmkit.errors import ValidationError
from crmkit.serde import read_json
from crmkit.serde.converter import _MISSING, _fast_reader, _read_fast, read_json_all

texts = st.text(alphabet=st.sampled_from('ab:"\\ é\u2028\x01\U0001f600'), max_size=6)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts
)
documents = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)


def _strict_reader(text: str) -> object:
    """The standard library alone, with read_json's rules (the reference)."""
    return json.loads(text, parse_constant=_refuse, object_pairs_hook=dict)


def _refuse(name: str) -> object:
    raise ValueError(name)


@given(documents, st.booleans(), st.sampled_from([(", ", ": "), (",", ":"), (" ,", " : ")]))
def test_fast_reader_reads_what_the_standard_reader_reads(
    value: object, ascii_only: bool, separators: tuple[str, str]
) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only, separators=separators)
    expected = repr(_strict_reader(text))  # repr: 1 and 1.0, 0.0 and -0.0 differ
    assert repr(read_json(text)) == expected
    assert repr(read_json(text.encode())) == expected


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "a": 2}',
        '{"a":1,"a":2,"b":"x:y"}',  # a ':' inside a string must not hide the repeated key
        '{"a":1,"a":2,"b":"\\u003a"}',  # nor an escaped ':'
        '[{"k": {"a": [], "a": []}}]',
    ],
)
def test_a_repeated_key_is_refused_by_either_reader(text: str) -> None:
    with pytest.raises(ValidationError, match="appears twice in one object"):
        read_json(text)
    with pytest.raises(ValidationError, match="appears twice in one object"):
        read_json(text.encode())


def test_long_integers_stay_integers() -> None:
    text = "[123456789012345678901234567890, -9223372036854775809, 18446744073709551616]"
    assert read_json(text) == [123456789012345678901234567890, -(2**63) - 1, 2**64]
    assert all(type(n) is int for n in read_json(text))


def test_every_refusal_keeps_the_strict_readers_message() -> None:
    for text, message in [
        ("[1e400]", "1e400 is beyond the range of finite numbers"),
        ("[NaN]", "NaN is not a JSON number"),
        ('{"amount": ', "Expecting value"),
        ("\ufeff[1]", "Unexpected UTF-8 BOM"),
    ]:
        with pytest.raises(ValidationError, match=message):
            read_json(text)
    with pytest.raises(ValidationError, match="is not valid UTF-8"):
        read_json(b"[\xff]")
    assert read_json('["\\ud800"]') == ["\ud800"]  # a lone surrogate, as json reads it


def test_the_fast_reader_is_in_use() -> None:  # the dev install holds the json extra
    assert _fast_reader() is not None
    assert _read_fast(b'{"a": [1, 2.5]}') == {"a": [1, 2.5]}
    assert _read_fast(b'{"a": 1, "a": 2}') is _MISSING


def _outcome(read: object, text: object) -> str:
    """repr of what ``read(text)`` gives, or of the ValidationError it raises."""
    try:
        return repr(read(text))  # type: ignore[operator]
    except ValidationError as exc:
        return f"error: {exc}"


@given(
    st.lists(
        st.one_of(
            documents.map(lambda value: json.dumps(value, ensure_ascii=False)),
            st.sampled_from(
                [
                    '{"a": 1, "a": 2}',
                    '{"a":1,"a":2,"b":"\\u003a"}',
                    "[123456789012345678901234567890]",
                    "[NaN]",
                    '{"a": ',
                    "",
                    '["\\ud800"]',
                    "1, 2",
                    '{"a": "x:y"}',
                ]
            ),
        ),
        max_size=6,
    ),
    st.booleans(),
)
def test_read_json_all_reads_each_text_as_read_json_does(texts: list[str], as_bytes: bool) -> None:
    items: list[str | bytes] = (
        [t.encode("utf-8", "surrogatepass") for t in texts] if as_bytes else list(texts)
    )
    expected = [_outcome(read_json, item) for item in items]
    errors = [outcome for outcome in expected if outcome.startswith("error: ")]
    got = _outcome(read_json_all, items)
    if errors:  # the first text read_json refuses decides
        assert got == errors[0]
    else:
        assert got == repr([read_json(item) for item in items])


def test_read_json_all_keeps_a_repeated_key_apart_from_other_texts_colons() -> None:
    # one text drops a key, another has one ':' more than its keys only inside a string
    with pytest.raises(ValidationError, match="appears twice in one object"):
        read_json_all(['{"a": 1, "a": 2}', '{"b": "x:y"}'])
    with pytest.raises(ValidationError, match="must be text or bytes"):
        read_json_all(['{"a": 1}', 5])  # type: ignore[list-item]


def test_deep_nesting_that_orjson_cannot_write_back_is_read_by_the_strict_reader() -> None:
    # orjson reads 1,024 levels but writes only 254: its check must not raise a TypeError
    text = "[" * 300 + "]" * 300
    assert read_json(text) == json.loads(text)
    assert read_json_all([text, "[1]"]) == [json.loads(text), [1]]
