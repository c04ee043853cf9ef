"""The engine's error types: each carries one sentence a person can act on.

Owns: the exception hierarchy the CLI maps to exit codes and the GUI shows as notices.
Must not: format tracebacks or decide exit codes (the CLI does).
"""


class LookalikeError(Exception):
    """A failure to report to the user as one clear sentence."""


class ModelUnavailable(LookalikeError):
    """The weights of a model could not be found, loaded or downloaded. `downloadable` is
    True when a download (or, for SSCD, a package install) would fix it."""

    def __init__(self, model: str, message: str, downloadable: bool = False) -> None:
        super().__init__(message)
        self.model = model
        self.downloadable = downloadable


class NotScanned(LookalikeError):
    """The library has no vectors of `model` yet: a scan with that model makes them. The GUI
    offers its Scan now button; the message names the command for the CLI."""

    def __init__(self, model: str, message: str) -> None:
        super().__init__(message)
        self.model = model


class CatalogError(LookalikeError):
    """The catalog cannot be opened or used (newer than this app, corrupt, locked)."""


class UsageError(LookalikeError):
    """The caller asked for something that makes no sense (unknown model, bad threshold)."""


class LibraryBusy(LookalikeError):
    """Another program kept writing the library for longer than this one would wait."""
