"""One exception hierarchy for the whole product.

Services raise these; the web layer maps them once to a page message and the API maps
them once to a JSON body ``{"code": ..., "message": ..., "detail": ...}``.
Messages are in Chinese because they are shown to users as they are.
"""

from typing import Any


class CivicError(Exception):
    """Base of every expected, user-facing error."""

    code = "error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, detail: Any = None) -> None:
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        self.detail = detail

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "detail": self.detail}


class ValidationError(CivicError):
    """Bad input. ``detail`` maps field names to lists of reasons."""

    code = "invalid"
    http_status = 422

    def __init__(
        self,
        message: str | None = None,
        *,
        field: str | None = None,
        errors: dict[str, list[str]] | None = None,
        code: str | None = None,
    ) -> None:
        errors = dict(errors or {})
        if field and message:
            errors.setdefault(field, []).append(str(message))
        if message is None:
            message = "；".join(f"{name}：{'，'.join(reasons)}" for name, reasons in errors.items())
        super().__init__(message, code=code, detail=errors)
        self.errors = errors


class PermissionDenied(CivicError):
    code = "forbidden"
    http_status = 403


class NotFound(CivicError):
    code = "not_found"
    http_status = 404


class Conflict(CivicError):
    """The record changed under the actor (a concurrent action won)."""

    code = "conflict"
    http_status = 409


class PayloadTooLarge(CivicError):
    """A request body beyond ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (``CIVICGRID_UPLOAD_MAX_BYTES``)."""

    code = "too_large"
    http_status = 413
