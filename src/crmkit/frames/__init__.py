"""The frames bridge: the one place in crmkit that touches narwhals.

Every analytic accepts an iterable of crmkit records or a dataframe. Dataframes go through
narwhals (extra ``frames``) and come back as the same kind of frame; lazy frames stay lazy.

Example:
    >>> from crmkit.frames import is_frame
    >>> is_frame([])
    False
"""

from crmkit.frames.columns import column_names, require_columns
from crmkit.frames.native import from_native, is_frame, is_lazy, narwhals, to_native

__all__ = [
    "column_names",
    "from_native",
    "is_frame",
    "is_lazy",
    "narwhals",
    "require_columns",
    "to_native",
]
