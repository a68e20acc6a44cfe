"""Support for testing crmkit code and plugins: the adapter compliance suite.

Needs pytest and Hypothesis (the ``dev`` extra).

Examples:
    >>> from crmkit.testing import AdapterComplianceSuite
    >>> class TestMyStore(AdapterComplianceSuite):
    ...     store_url = "memory://"
    >>> TestMyStore.store_url
    'memory://'
"""

from crmkit.testing.adapter_suite import AdapterComplianceSuite, entity_strategies, sample_entity

__all__ = ["AdapterComplianceSuite", "entity_strategies", "sample_entity"]
