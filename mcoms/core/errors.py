"""The one error type that services raise; interfaces map it to a form message
or to a JSON error with a machine-readable ``code``."""

from __future__ import annotations


class DomainError(Exception):
    """A refused operation. ``code`` is stable and machine-readable."""

    status = 400

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


class ValidationFailed(DomainError):
    status = 400


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409
