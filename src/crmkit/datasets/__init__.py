"""Synthetic data: a deterministic, realistic Nordic B2B CRM for demos, tests and benchmarks.

Examples:
    >>> from crmkit.datasets import make_b2b
    >>> data = make_b2b(seed=42, n_accounts=30)
    >>> dict(data.summary())["accounts"]
    30
"""

from crmkit.datasets.b2b import B2BDataset, CustomerTruth, GroundTruth, User, make_b2b

__all__ = ["B2BDataset", "CustomerTruth", "GroundTruth", "User", "make_b2b"]
