"""Money under hostile callers: a changed thread decimal context, wrong operand types, sums,
amounts at and past the documented bounds. Every failure is a ValidationError."""

from __future__ import annotations

import decimal
import threading
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.domain import Money, OrderLine
from crmkit.domain.money import CONTEXT, MAX_AMOUNT, MIN_ADJUSTED
from crmkit.errors import ValidationError
from crmkit.testing.strategies import hostile_numbers, hostile_text, money


def _hostile_context() -> decimal.Context:
    """A thread context no library should use: 3 digits, rounding down, every signal trapped."""
    return decimal.Context(
        prec=3,
        rounding=decimal.ROUND_DOWN,
        Emax=5,
        Emin=-5,
        traps=list(decimal.Context().flags),
    )


def _operations() -> dict[str, Any]:
    a, b = Money("123456.789", "SEK"), Money("0.005", "SEK")
    return {
        "add": a + b,
        "sub": a - b,
        "mul": a * 3,
        "mul_decimal": a * Decimal("1.5"),
        "div": a / 7,
        "neg": -a,
        "rounded": a.rounded(),
        "str": str(a),
        "sum": sum([a, b, b]),
        "line_total": OrderLine("p-1", 7, a, discount=Decimal("0.125")).total,
    }


def test_arithmetic_ignores_the_callers_decimal_context() -> None:
    expected = _operations()
    with decimal.localcontext(_hostile_context()) as ctx:
        got = _operations()
        assert ctx.prec == 3  # crmkit did not change the caller's context
        assert not any(ctx.flags.values())  # and raised no signal in it
    assert got == expected
    assert expected["div"].amount == Decimal("17636.684142857142857142857142857142857")
    assert expected["rounded"].amount == Decimal("123456.79")


def test_the_declared_validators_ignore_the_callers_decimal_context() -> None:
    # attrs.validate runs the validators as declared (what runs with
    # CRMKIT_COMPILED_VALIDATION=0): the range check must not negate under the caller's context
    amounts = [Money("123456.789", "SEK"), Money(-MAX_AMOUNT, "SEK"), Money(MAX_AMOUNT, "EUR")]
    with decimal.localcontext(_hostile_context()) as ctx:
        for amount in amounts:
            attrs.validate(amount)
        assert not any(ctx.flags.values())
    with decimal.localcontext(_hostile_context()), pytest.raises(ValidationError) as caught:
        Money(Decimal("1E20"), "SEK")
    assert caught.value.problems[0].path == "amount"


def test_arithmetic_in_another_thread_gives_the_same_results() -> None:
    results: list[dict[str, Any]] = []

    def work() -> None:
        decimal.setcontext(_hostile_context())  # this thread's own context only
        results.append(_operations())

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert results == [_operations()]
    assert decimal.getcontext().prec == 28  # the main thread's context is untouched


def test_the_context_is_crmkits_own() -> None:
    assert CONTEXT is not decimal.getcontext()
    assert (CONTEXT.prec, CONTEXT.rounding) == (38, decimal.ROUND_HALF_EVEN)


def test_sum_of_money() -> None:
    prices = [Money("1.10", "SEK"), Money("2.20", "SEK"), Money("3.30", "SEK")]
    assert sum(prices) == Money("6.60", "SEK")
    assert sum(prices, Money.zero("SEK")) == Money("6.60", "SEK")
    assert sum([Money("5", "EUR")]) == Money("5", "EUR")
    assert sum([]) == 0  # Python's own start value: crmkit cannot know a currency


@pytest.mark.parametrize(
    ("expression", "path", "fragment"),
    [
        (lambda m: m * "3", "factor", "not str"),
        (lambda m: "3" * m, "factor", "not str"),
        (lambda m: m * 1.5, "factor", "floats are refused"),
        (lambda m: m * True, "factor", "not bool"),
        (lambda m: m * m, "factor", "not Money"),
        (lambda m: m * None, "factor", "not NoneType"),
        (lambda m: m / "2", "divisor", "not str"),
        (lambda m: m / 0, "divisor", "zero"),
        (lambda m: m / Decimal("0.0"), "divisor", "zero"),
        (lambda m: m * Decimal("NaN"), "amount", "finite"),
        (lambda m: m * Decimal("sNaN"), "amount", "InvalidOperation"),
        (lambda m: m * Decimal("Infinity"), "amount", "finite"),
        (lambda m: m * 10**30, "amount", "out of range"),
        (lambda m: m / Decimal("1e-30"), "amount", "out of range"),
        (lambda m: 5 + m, "amount", "must be Money"),
        (lambda m: m + 0, "amount", "must be Money"),
        (lambda m: sum([m, Money("1", "EUR")]), "currency", "cannot be combined"),
        (lambda m: m < 5, "amount", "must be Money"),
    ],
)
def test_wrong_operands_are_validation_errors(expression: Any, path: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        expression(Money("12.50", "SEK"))
    problem = caught.value.problems[0]
    assert problem.path == path
    assert fragment in problem.message


@settings(max_examples=200, deadline=None)
@given(st.one_of(hostile_numbers(), hostile_text(12)), st.sampled_from(["SEK", "JPY", "KWD"]))
def test_any_amount_is_money_or_a_validation_error(amount: Any, currency: str) -> None:
    refused: ValidationError | None = None
    try:
        value = Money(amount, currency)
    except ValidationError as error:
        refused = error
    if refused is not None:
        assert refused.problems[0].path == "amount"
        return
    assert value.amount.is_finite()
    assert value.amount.copy_abs() <= MAX_AMOUNT
    assert value.amount.is_zero() or value.amount.adjusted() >= MIN_ADJUSTED
    # everything a valid amount supports works, in any caller context
    carries = value.amount.copy_abs() >= _TOP
    with decimal.localcontext(_hostile_context()):
        text = str(value)
        total = sum([value, Money.zero(currency)])
        if not carries:
            assert value.rounded().amount.as_tuple().exponent >= -4
    assert text.endswith(currency)
    assert total.amount == CONTEXT.add(value.amount, Decimal(0))  # 38 significant digits


_TOP = Decimal("1e16") - 1  # rounding a larger amount may carry past the top bound


@settings(max_examples=100, deadline=None)
@given(money("SEK"), st.integers(-(10**6), 10**6) | st.decimals(-1000, 1000, places=4))
def test_arithmetic_is_money_or_a_validation_error(price: Money, factor: Any) -> None:
    try:
        product = price * factor
    except ValidationError:
        return
    assert product.currency == "SEK"
    assert product.amount == CONTEXT.multiply(price.amount, Decimal(factor))


@pytest.mark.parametrize("amount", [Decimal("0E-40"), Decimal("-0E-60")])
def test_a_zero_amount_with_any_exponent_is_zero_not_too_small(amount: Decimal) -> None:
    assert Money(amount, "SEK") == Money("0", "SEK")


def test_arithmetic_that_ends_at_zero_is_zero_not_refused() -> None:
    third = Decimal("0.33333333333333333333333333333333333333")
    assert Money("0.00", "SEK") * third == Money("0", "SEK")
    line = OrderLine("p", 1, Money("0.00", "SEK"), discount=third)
    assert line.total == Money("0", "SEK")


def test_a_tiny_non_zero_amount_is_still_refused() -> None:
    with pytest.raises(ValidationError, match="too small"):
        Money(Decimal("1E-40"), "SEK")
