"""crmkit — CRM domain modelling for Python.

Typed CRM entities (:mod:`crmkit.domain`), their serialisation (:mod:`crmkit.serde`), the
Payne–Frow strategy model (:mod:`crmkit.strategy`), segmentation, scoring, lifetime value and
survey analytics on records and dataframes, and adapters for storage and file formats.
Any list of result rows becomes a pandas, Polars or PyArrow frame with
:func:`crmkit.frames.to_frame`; fitted lifetime-value models print a table of estimates with
``summary()``.

Importing ``crmkit`` loads only its three core dependencies (attrs, cattrs, python-dateutil)
and the standard library; every subpackage that needs an extra imports it lazily.

Examples:
    >>> import crmkit
    >>> from crmkit.domain import Money
    >>> str(Money("1250.50", "SEK"))
    '1250.50 SEK'
"""

from crmkit.errors import CrmkitError, ValidationError

__all__ = ["CrmkitError", "ValidationError", "__version__"]

__version__ = "0.1.0"
