


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
