"""What the survey functions accept as a number: one rule for every survey entry point.

A number is any :class:`numbers.Real` that is not a truth value: ``int``, ``float``,
``fractions.Fraction`` and NumPy's integer and floating scalars of every width
(``np.int64``, ``np.uint8``, ``np.float32``, ``np.float16``, ``np.longdouble``, …), as a
column taken from an array or a dataframe yields them. ``True``/``False`` and ``np.bool_``
are refused (a yes/no is not a score: code it as 1/2 or 0/1 explicitly), as are text,
``Decimal`` and complex numbers. A NaN of any float type counts as a missing answer exactly
where a Python ``float('nan')`` does, and is refused where that is refused; infinities are
never an answer.

Examples:
    >>> import numpy as np
    >>> from crmkit.survey._number import is_missing, is_number, is_whole
    >>> is_number(np.int64(3)), is_number(np.float32(2.5)), is_number(True), is_number("3")
    (True, True, False, False)
    >>> is_missing(None), is_missing(np.float32("nan")), is_missing(0)
    (True, True, False)
    >>> is_whole(np.uint8(4)), is_whole(4.0)
    (True, False)
"""

from __future__ import annotations

import math
import numbers

from crmkit.errors import ValidationError

__all__ = ["finite_number", "is_missing", "is_number", "is_whole"]


def is_number(value: object) -> bool:
    """Whether ``value`` is a real number that is not a truth value (see the module).

    Examples:
        >>> from fractions import Fraction
        >>> from crmkit.survey._number import is_number
        >>> is_number(Fraction(1, 2)), is_number(False), is_number(None)
        (True, False, False)
    """
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_whole(value: object) -> bool:
    """Whether ``value`` is an integer (Python or NumPy) that is not a truth value.

    Examples:
        >>> import numpy as np
        >>> from crmkit.survey._number import is_whole
        >>> is_whole(7), is_whole(np.int32(7)), is_whole(np.bool_(True)), is_whole(7.0)
        (True, True, False, False)
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_missing(value: object) -> bool:
    """Whether ``value`` is a missing answer: ``None`` or a NaN of any float type.

    Examples:
        >>> import numpy as np
        >>> from crmkit.survey._number import is_missing
        >>> is_missing(float("nan")), is_missing(np.float16("nan")), is_missing("")
        (True, True, False)
    """
    return value is None or (is_number(value) and math.isnan(value))  # type: ignore[arg-type]


def finite_number(value: object, path: str, message: str = "is not a number") -> float:
    """``value`` as a ``float``; a non-number raises ``message``, an infinity or NaN raises
    "is not a finite number" (both as :class:`~crmkit.errors.ValidationError` at ``path``).

    Examples:
        >>> import numpy as np
        >>> from crmkit.survey._number import finite_number
        >>> finite_number(np.int64(5), "x[0]")
        5.0
        >>> finite_number(np.float32("inf"), "x[1]")
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: x[1]: np.float32(inf) is not a finite number
    """
    if not is_number(value):
        raise ValidationError.single(path, value, message)
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number):
        raise ValidationError.single(path, value, "is not a finite number")
    return number
