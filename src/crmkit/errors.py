"""The crmkit exception hierarchy.

Every error crmkit raises on purpose derives from :class:`CrmkitError`. Bad input raises
:class:`ValidationError`, which is also a :class:`ValueError` and carries one
:class:`Problem` per thing that is wrong, each with the field path, the offending value and a
sentence a user understands.

Examples:
    >>> from crmkit.errors import Problem, ValidationError
    >>> err = ValidationError([Problem("opportunity.amount.currency", "SEKK",
    ...                                "is not an ISO 4217 currency code")])
    >>> print(err)
    opportunity.amount.currency: 'SEKK' is not an ISO 4217 currency code
    >>> isinstance(err, ValueError)
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "ChromiumError",
    "ConflictError",
    "ConsentRequiredError",
    "CrmkitError",
    "CrmkitWarning",
    "DroppedRowsWarning",
    "FitError",
    "HierarchyCycleError",
    "ImportRejectedError",
    "ImportRolledBackError",
    "InvalidTransitionError",
    "MissingDependencyError",
    "NotFoundError",
    "OutputError",
    "PluginError",
    "Problem",
    "SchemaVersionError",
    "StoreCorruptError",
    "StoreError",
    "StoreLockedError",
    "UnitOfWorkClosedError",
    "ValidationError",
]

_MISSING = object()


class CrmkitWarning(UserWarning):
    """Base class of the warnings crmkit emits (for example a documented NaN result).

    Examples:
        >>> import warnings
        >>> from crmkit.errors import CrmkitWarning
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     warnings.warn("constant item", CrmkitWarning)
        >>> caught[0].category is CrmkitWarning
        True
    """


class DroppedRowsWarning(CrmkitWarning):
    """Rows an analytic left out because the caller asked it to, with how many.

    ``path`` names the column or field (``orders.total``) and ``count`` the rows left out;
    for example the refunds and credit notes of ``negative="drop"`` in the transaction
    analytics (docs page *Segmentation*, "Refunds and credit notes").

    Examples:
        >>> from crmkit.errors import DroppedRowsWarning
        >>> warning = DroppedRowsWarning("orders.total", 2, "negative amounts left out")
        >>> print(warning), warning.count
        orders.total: 2 negative amounts left out
        (None, 2)
    """

    def __init__(self, path: str, count: int, message: str) -> None:
        self.path = path
        self.count = count
        super().__init__(f"{path}: {count} {message}")


class CrmkitError(Exception):
    """Root of every exception crmkit raises on purpose.

    Examples:
        >>> from crmkit.errors import CrmkitError, NotFoundError
        >>> issubclass(NotFoundError, CrmkitError)
        True
    """


class Problem:
    """One thing wrong with an input: where (``path``), what (``value``) and why (``message``).

    Examples:
        >>> from crmkit.errors import Problem
        >>> str(Problem("account.employees", -3, "must be zero or more"))
        'account.employees: -3 must be zero or more'
    """

    __slots__ = ("message", "path", "value")

    def __init__(self, path: str, value: Any = _MISSING, message: str = "is invalid") -> None:
        self.path = path
        self.value = value
        self.message = message

    @property
    def has_value(self) -> bool:
        """Whether the problem names an offending value (a missing field has none)."""
        return self.value is not _MISSING

    def prefixed(self, prefix: str) -> Problem:
        """Return the same problem with ``prefix`` put in front of its path.

        Examples:
            >>> from crmkit.errors import Problem
            >>> Problem("currency", "X", "is bad").prefixed("amount").path
            'amount.currency'
        """
        if not prefix:
            return self
        if not self.path:
            path = prefix
        elif self.path.startswith("["):
            path = prefix + self.path
        else:
            path = f"{prefix}.{self.path}"
        return Problem(path, self.value, self.message)

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        if self.has_value:
            return f"{where}{self.value!r} {self.message}"
        return f"{where}{self.message}"

    def __repr__(self) -> str:
        return f"Problem({self.path!r}, {self.value!r}, {self.message!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Problem):
            return NotImplemented
        return (self.path, self.message) == (other.path, other.message) and (
            self.has_value == other.has_value
        )

    def __hash__(self) -> int:
        return hash((self.path, self.message))


class ValidationError(CrmkitError, ValueError):
    """Bad input: one error that lists every problem found, each with its field path.

    ``problems`` holds the :class:`Problem` entries; ``str(error)`` lists them one per line.

    Examples:
        >>> from crmkit.errors import Problem, ValidationError
        >>> err = ValidationError.single("lead.buying_stage", 9, "must be between 1 and 8")
        >>> err.problems[0].path
        'lead.buying_stage'
        >>> print(err)
        lead.buying_stage: 9 must be between 1 and 8
    """

    def __init__(self, problems: Sequence[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("", message=problems)]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid input")

    @classmethod
    def single(
        cls, path: str, value: Any = _MISSING, message: str = "is invalid"
    ) -> ValidationError:
        """Build an error holding one problem.

        Examples:
            >>> from crmkit.errors import ValidationError
            >>> ValidationError.single("x", 1, "is odd").problems[0].message
            'is odd'
        """
        return cls([Problem(path, value, message)])

    def prefixed(self, prefix: str) -> ValidationError:
        """The same error with ``prefix`` put in front of every path.

        Examples:
            >>> from crmkit.errors import ValidationError
            >>> err = ValidationError.single("currency", "X", "is bad").prefixed("amount")
            >>> err.problems[0].path
            'amount.currency'
        """
        return ValidationError([p.prefixed(prefix) for p in self.problems])

    @classmethod
    def collect(cls, errors: Iterable[ValidationError]) -> ValidationError:
        """Merge several errors into one.

        Examples:
            >>> from crmkit.errors import ValidationError
            >>> a = ValidationError.single("a", 1, "is bad")
            >>> b = ValidationError.single("b", 2, "is bad")
            >>> len(ValidationError.collect([a, b]).problems)
            2
        """
        problems: list[Problem] = []
        for err in errors:
            problems.extend(err.problems)
        return cls(problems)

    @property
    def paths(self) -> list[str]:
        """The field paths of all problems, in order."""
        return [p.path for p in self.problems]


class InvalidTransitionError(ValidationError):
    """A state change that the business rules forbid (moving to a stage of another pipeline,
    an illegal key-account relationship move, converting a lead twice ...).

    Examples:
        >>> from crmkit.errors import InvalidTransitionError, ValidationError
        >>> issubclass(InvalidTransitionError, ValidationError)
        True
    """


class HierarchyCycleError(InvalidTransitionError):
    """A parent account that would make an account its own ancestor (an account hierarchy
    must stay a tree); the message names both accounts.

    Examples:
        >>> from crmkit.errors import HierarchyCycleError, ValidationError
        >>> issubclass(HierarchyCycleError, ValidationError)
        True
    """


class NotFoundError(CrmkitError, LookupError):
    """A requested entity, stage, item or adapter does not exist.

    Examples:
        >>> from crmkit.errors import NotFoundError
        >>> issubclass(NotFoundError, LookupError)
        True
    """


class ConflictError(CrmkitError):
    """An entity was saved from a stale version (optimistic concurrency).

    Examples:
        >>> from crmkit.errors import ConflictError
        >>> str(ConflictError("opportunity 01H… is at version 3, not 2"))
        'opportunity 01H… is at version 3, not 2'
    """


class ImportRejectedError(CrmkitError):
    """An import that the caller asked to be all-or-nothing had rejected rows and was rolled
    back. ``rejects`` lists every rejected row.

    Examples:
        >>> from crmkit.errors import ImportRejectedError
        >>> ImportRejectedError("2 rows rejected", rejects=[]).rejects
        []
    """

    def __init__(self, message: str, rejects: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.rejects: list[Any] = list(rejects)


class FitError(CrmkitError):
    """A statistical model failed to fit (no convergence, degenerate data). The message says
    what to try.

    Examples:
        >>> from crmkit.errors import FitError
        >>> issubclass(FitError, CrmkitError)
        True
    """


class MissingDependencyError(CrmkitError, ImportError):
    """An optional extra is needed but not installed; the message names the extra.

    Examples:
        >>> from crmkit.errors import MissingDependencyError
        >>> err = MissingDependencyError.for_extra("narwhals", "frames")
        >>> "pip install 'crmkit[frames]'" in str(err)
        True
    """

    @classmethod
    def for_extra(cls, package: str, extra: str) -> MissingDependencyError:
        """Build the error for a missing ``package`` that the ``extra`` installs."""
        return cls(
            f"{package} is required for this feature; install it with pip install 'crmkit[{extra}]'"
        )


class OutputError(ValidationError):
    """An output file that crmkit refuses to write: it is one of the operation's input files
    (or a link to one), it is not a regular file, or it cannot be written. The problem names
    the output path and, for an input, the input path too. Nothing was written.

    Examples:
        >>> from crmkit.errors import OutputError, ValidationError
        >>> err = OutputError.single("output", "a.csv", "is the input file 'a.csv'")
        >>> isinstance(err, ValidationError), str(err)
        (True, "output: 'a.csv' is the input file 'a.csv'")
    """


class StoreError(CrmkitError):
    """A store cannot do what was asked: its file or server is unusable, busy or of another
    schema version. The message names the store (file or URL) and says what to do.

    Examples:
        >>> from crmkit.errors import CrmkitError, StoreError
        >>> issubclass(StoreError, CrmkitError)
        True
    """


class StoreLockedError(StoreError):
    """The database stayed locked by another writer for longer than the busy timeout.

    Examples:
        >>> from crmkit.errors import StoreError, StoreLockedError
        >>> issubclass(StoreLockedError, StoreError)
        True
    """


class StoreCorruptError(StoreError):
    """The store's file is not a database, is damaged, or is not a crmkit database.

    Examples:
        >>> from crmkit.errors import StoreCorruptError, StoreError
        >>> issubclass(StoreCorruptError, StoreError)
        True
    """


class SchemaVersionError(StoreError, ValidationError):
    """The database's schema version is not the one this crmkit uses (older without
    ``upgrade=True``, or newer than this crmkit knows).

    Examples:
        >>> from crmkit.errors import SchemaVersionError, StoreError, ValidationError
        >>> err = SchemaVersionError.single("schema_version", 9, "is newer than 2")
        >>> isinstance(err, StoreError), isinstance(err, ValidationError)
        (True, True)
    """


class UnitOfWorkClosedError(StoreError):
    """A unit of work was used after its ``with`` block ended; open a new one.

    Examples:
        >>> from crmkit.errors import StoreError, UnitOfWorkClosedError
        >>> issubclass(UnitOfWorkClosedError, StoreError)
        True
    """


class PluginError(CrmkitError):
    """An adapter plugin is broken: it cannot be imported, its factory failed or returned
    something that is not a store. The message names the plugin and its entry point.

    Examples:
        >>> from crmkit.errors import CrmkitError, PluginError
        >>> issubclass(PluginError, CrmkitError)
        True
    """


class ChromiumError(CrmkitError):
    """Headless Chromium is missing or failed to print the page.

    Examples:
        >>> from crmkit.errors import ChromiumError, CrmkitError
        >>> issubclass(ChromiumError, CrmkitError)
        True
    """


class ImportRolledBackError(ImportRejectedError):
    """An ``ALL_OR_NOTHING`` import had rejected rows, so nothing was stored.

    ``report`` is the full :class:`~crmkit.adapters.files.ImportReport` (anything with its
    ``source``, ``rows``, ``rejected`` and ``rejects``); ``rejects`` lists the rejects.

    Examples:
        >>> from crmkit.adapters.files import ImportPolicy, ImportReport
        >>> from crmkit.errors import ImportRejectedError, ImportRolledBackError
        >>> err = ImportRolledBackError(ImportReport("a.csv", "accounts",
        ...                                          ImportPolicy.ALL_OR_NOTHING, rows=5,
        ...                                          rejected=1))
        >>> isinstance(err, ImportRejectedError), str(err)
        (True, 'a.csv: 1 of 5 rows rejected; the import was rolled back and nothing was stored')
    """

    def __init__(self, report: Any) -> None:
        super().__init__(
            f"{report.source}: {report.rejected} of {report.rows} rows rejected; the import "
            "was rolled back and nothing was stored",
            rejects=report.rejects,
        )
        self.report = report


class ConsentRequiredError(ValidationError):
    """A message was refused because the contact has no active consent (or other lawful
    basis) for its purpose. Nothing was sent.

    Examples:
        >>> from crmkit.errors import ConsentRequiredError, ValidationError
        >>> issubclass(ConsentRequiredError, ValidationError)
        True
    """
