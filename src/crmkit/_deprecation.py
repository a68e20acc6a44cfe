"""Renamed parameters and defaults on their way out: one helper for every deprecation.

crmkit keeps an old name or an old default working for one release and says so with a
:class:`DeprecationWarning` that names what to use instead (the vocabulary is on the docs
page *Time and boundaries*, ``docs/concepts/time-and-boundaries.md``):

* :func:`renamed` is a decorator that accepts old keyword names and passes them on under the
  new ones;
* :func:`deprecated_default` gives the old default of an argument that is now required (such
  as a missing ``as_of``);
* :func:`renamed_function` keeps a function's old name as a warning alias of the new one.

Every message starts with ``crmkit:`` and the warning is attributed to the code that called
crmkit (the first frame outside crmkit's package for that function), so a caller's own
warning filters see their own line. crmkit's test suite turns these warnings into errors, so
nothing in crmkit itself uses an old name.

Examples:
    >>> import warnings
    >>> from crmkit._deprecation import renamed
    >>> @renamed(total="amount")
    ... def spend(*, amount: str = "total") -> str:
    ...     return amount
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     spend(total="net")
    'net'
    >>> print(caught[0].message)
    crmkit: spend(total=...) is deprecated; use amount=... (the old name goes in the next release)
"""

from __future__ import annotations

import functools
import sys
import warnings
from collections.abc import Callable
from types import FrameType
from typing import ParamSpec, TypeVar

from crmkit.errors import ValidationError

__all__ = [
    "deprecated_default",
    "renamed",
    "renamed_function",
    "warn_at_caller",
    "warn_deprecated",
    "warn_missing",
]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


def _package(module: str) -> str:
    """``crmkit.clv.summary`` → ``crmkit.clv`` (the frames to look past)."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "crmkit" and len(parts) > 1 else module


def _stacklevel(inside: str) -> int:
    """The ``stacklevel`` of the first frame outside ``inside`` and this module."""
    level = 1
    frame: FrameType | None = sys._getframe(1)  # the caller of warn_deprecated
    while frame is not None:
        name = str(frame.f_globals.get("__name__", ""))
        if name != __name__ and name != inside and not name.startswith(inside + "."):
            return level
        frame = frame.f_back
        level += 1
    return level


def warn_at_caller(warning: Warning, *, inside: str) -> None:
    """Emit ``warning`` pointing at the first caller outside the package of module
    ``inside`` (crmkit's own warnings, such as :class:`~crmkit.errors.DroppedRowsWarning`,
    point at the user's line like its deprecations do).

    Examples:
        >>> import warnings
        >>> from crmkit._deprecation import warn_at_caller
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     warn_at_caller(UserWarning("careful"), inside="crmkit.segmentation.rfm")
        >>> str(caught[0].message)
        'careful'
    """
    warnings.warn(warning, stacklevel=_stacklevel(_package(inside)))


def warn_deprecated(message: str, *, inside: str) -> None:
    """Warn that ``message`` (prefixed ``crmkit:``), pointing at the first caller outside
    the package of module ``inside``.

    Examples:
        >>> import warnings
        >>> from crmkit._deprecation import warn_deprecated
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     warn_deprecated("x= is deprecated", inside="crmkit.clv.summary")
        >>> caught[0].category.__name__, str(caught[0].message)
        ('DeprecationWarning', 'crmkit: x= is deprecated')
    """
    warnings.warn(
        f"crmkit: {message}", DeprecationWarning, stacklevel=_stacklevel(_package(inside))
    )


def renamed(**old_to_new: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Accept the old keyword names ``old_to_new`` of a function for one more release.

    An old name gives the same result as the new one, with a :class:`DeprecationWarning`
    naming the new one; both at once raise :class:`~crmkit.errors.ValidationError`.

    Examples:
        >>> import warnings
        >>> from crmkit._deprecation import renamed
        >>> @renamed(observation_end="as_of")
        ... def end(*, as_of: int) -> int:
        ...     return as_of
        >>> end(observation_end=1, as_of=2)
        Traceback (most recent call last):
        ...
        crmkit.errors.ValidationError: observation_end: 1 is the old name of as_of; give only as_of
    """

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        name = function.__qualname__
        module = function.__module__

        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if kwargs:
                for old, new in old_to_new.items():
                    if old in kwargs:
                        value = kwargs.pop(old)
                        if new in kwargs:
                            raise ValidationError.single(
                                old, value, f"is the old name of {new}; give only {new}"
                            )
                        warn_deprecated(
                            f"{name}({old}=...) is deprecated; use {new}=... "
                            "(the old name goes in the next release)",
                            inside=module,
                        )
                        kwargs[new] = value
            return function(*args, **kwargs)

        wrapper.__crmkit_renamed__ = dict(old_to_new)  # type: ignore[attr-defined]
        return wrapper

    return decorate


def renamed_function(function: Callable[P, R], *, old: str) -> Callable[P, R]:
    """``function`` under its old name ``old``, warning on each call that the name is
    deprecated (the alias lives in ``function``'s module; the warning points at the caller).

    Examples:
        >>> import warnings
        >>> from crmkit._deprecation import renamed_function
        >>> def loyal_percent_of_flags(flags: list[bool]) -> float:
        ...     return 100.0 * sum(flags) / len(flags)
        >>> loyal = renamed_function(loyal_percent_of_flags, old="loyal")
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     loyal([True, False])
        50.0
        >>> print(caught[0].message)
        crmkit: loyal() is deprecated; use loyal_percent_of_flags() (the old name goes in the next release)
    """
    new = function.__name__
    module = function.__module__

    @functools.wraps(function)
    def alias(*args: P.args, **kwargs: P.kwargs) -> R:
        warn_deprecated(
            f"{old}() is deprecated; use {new}() (the old name goes in the next release)",
            inside=module,
        )
        return function(*args, **kwargs)

    alias.__name__ = alias.__qualname__ = old
    alias.__doc__ = f"Deprecated alias of :func:`{new}` (the old name goes in the next release)."
    return alias


def deprecated_default(
    value: T | None, *, name: str, where: str, module: str, default: Callable[[], T], old: str
) -> T:
    """``value``, or (when it is ``None``) the old ``default()`` with a warning that ``name``
    is required from the next release.

    ``where`` names the function for the message, ``module`` is its module (the warning
    points at the first caller outside its package) and ``old`` describes the old default.

    Examples:
        >>> import datetime as dt
        >>> import warnings
        >>> from crmkit._deprecation import deprecated_default
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     deprecated_default(None, name="as_of", where="summarise", module="x",
        ...                        default=lambda: dt.date(2024, 1, 31), old="the last day")
        datetime.date(2024, 1, 31)
        >>> print(caught[0].message)
        crmkit: summarise() without as_of is deprecated; pass as_of=... (today it defaults to the last day; it will be required in the next release)
    """
    if value is not None:
        return value
    warn_missing(name, where=where, old=old, inside=module)
    return default()


def warn_missing(name: str, *, where: str, old: str, inside: str) -> None:
    """Warn that calling ``where`` without ``name`` is deprecated (it defaulted to ``old``).

    For a default the function still computes itself (such as the last transaction); see
    :func:`deprecated_default` for one given as a function.

    Examples:
        >>> import warnings
        >>> from crmkit._deprecation import warn_missing
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     warn_missing("as_of", where="summarise", old="the last transaction",
        ...                  inside="x")
        >>> "summarise() without as_of is deprecated" in str(caught[0].message)
        True
    """
    warn_deprecated(
        f"{where}() without {name} is deprecated; pass {name}=... (today it defaults to "
        f"{old}; it will be required in the next release)",
        inside=inside,
    )
