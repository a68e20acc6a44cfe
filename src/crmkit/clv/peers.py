"""Converting summaries to and from the input frames of lifetimes and pymc-marketing.

lifetimes reads a pandas frame indexed by customer with ``frequency``, ``recency``, ``T``
(and ``monetary_value``); pymc-marketing's CLV models read a frame with a ``customer_id``
column and the same four columns. Both use the same definitions as
:func:`crmkit.clv.summarise`.

Examples:
    >>> from crmkit.clv import CustomerSummary, to_pymc_marketing
    >>> to_pymc_marketing([CustomerSummary("c1", 1, 2.0, 5.0, 9.5)]).columns.tolist()
    ['customer_id', 'frequency', 'recency', 'T', 'monetary_value']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crmkit.clv.history import read_history
from crmkit.clv.summary import CustomerSummary
from crmkit.extras import require
from crmkit.frames import column_names, from_native, is_frame

__all__ = ["from_lifetimes", "from_pymc_marketing", "to_lifetimes", "to_pymc_marketing"]


def _has_monetary(summary: Any) -> bool:
    if is_frame(summary):
        return "monetary_value" in column_names(from_native(summary))
    if isinstance(summary, Mapping):
        return "monetary_value" in summary
    first = next(iter(summary), None)
    if isinstance(first, Mapping):
        return first.get("monetary_value") is not None
    return getattr(first, "monetary_value", None) is not None


def _columns(summary: Any, customer: str) -> dict[str, Any]:
    history = read_history(summary, monetary=_has_monetary(summary), customer=customer)
    columns: dict[str, Any] = {
        "frequency": history.frequency.astype(int),
        "recency": history.recency,
        "T": history.T,
    }
    if history.monetary_value is not None:
        columns["monetary_value"] = history.monetary_value
    ids = history.customer_ids or list(range(history.size))
    return {"customer_id": ids, **columns}


def to_lifetimes(summary: Any, *, customer: str = "customer_id") -> Any:
    """A pandas frame for lifetimes' fitters: customer index, lifetimes' column names.

    Examples:
        >>> from crmkit.clv import CustomerSummary, to_lifetimes
        >>> df = to_lifetimes([CustomerSummary("c1", 1, 2.0, 5.0)])
        >>> df.index.name, df.columns.tolist()
        ('customer_id', ['frequency', 'recency', 'T'])
    """
    pd = require("pandas", "frames")
    columns = _columns(summary, customer)
    return pd.DataFrame(columns).set_index("customer_id")


def to_pymc_marketing(summary: Any, *, customer: str = "customer_id") -> Any:
    """A pandas frame for pymc-marketing's CLV models (``customer_id`` column).

    Examples:
        >>> from crmkit.clv import CustomerSummary, to_pymc_marketing
        >>> to_pymc_marketing([CustomerSummary("c1", 1, 2.0, 5.0)])["customer_id"].tolist()
        ['c1']
    """
    pd = require("pandas", "frames")
    return pd.DataFrame(_columns(summary, customer))


def _rows(frame: Any, ids: list[Any]) -> list[CustomerSummary]:
    has_value = "monetary_value" in frame.columns
    rows = []
    for cid, rec in zip(ids, frame.to_dict("records"), strict=True):
        rows.append(
            CustomerSummary(
                cid,
                int(rec["frequency"]),
                float(rec["recency"]),
                float(rec["T"]),
                float(rec["monetary_value"]) if has_value else None,
            )
        )
    read_history(rows)  # the same checks as every other input
    return rows


def from_lifetimes(frame: Any) -> list[CustomerSummary]:
    """Summaries from a lifetimes frame (customer ids from the index).

    Examples:
        >>> import pandas as pd
        >>> from crmkit.clv import from_lifetimes
        >>> df = pd.DataFrame({"frequency": [2], "recency": [30.43], "T": [38.86]},
        ...                   index=pd.Index([1], name="ID"))
        >>> from_lifetimes(df)
        [CustomerSummary(customer_id=1, frequency=2, recency=30.43, T=38.86, monetary_value=None)]
    """
    return _rows(frame, frame.index.tolist())


def from_pymc_marketing(frame: Any) -> list[CustomerSummary]:
    """Summaries from a pymc-marketing frame (``customer_id`` column).

    Examples:
        >>> import pandas as pd
        >>> from crmkit.clv import from_pymc_marketing
        >>> df = pd.DataFrame({"customer_id": ["a"], "frequency": [0], "recency": [0.0],
        ...                    "T": [5.0]})
        >>> from_pymc_marketing(df)[0].T
        5.0
    """
    return _rows(frame, frame["customer_id"].tolist())
