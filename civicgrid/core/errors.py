"""One exception hierarchy for the whole product.

Services raise these; the web layer maps them once to a page message and the API maps
them once to a JSON body ``{"code": ..., "message": ..., "detail": ...}``.
Messages are shown to users: callers pass them through gettext (``_("…")``, Chinese msgids);
a lazy message or reason (``gettext_lazy``) is rendered to ``str`` here, once.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from civicgrid.core.i18n import StrOrPromise


class CivicError(Exception):
    """Base of every expected, user-facing error."""

    code = "error"
    http_status = 400
    # Seconds after which trying again may succeed (a 429's ``Retry-After`` header).
    retry_after: int | None = None

    def __init__(
        self,
        message: StrOrPromise,
        *,
        code: str | None = None,
        detail: Any = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        self.detail = detail
        if retry_after is not None:
            self.retry_after = max(1, int(retry_after))

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "detail": self.detail}


class ValidationError(CivicError):
    """Bad input. ``detail`` maps field names to lists of reasons.

    Without a ``message`` the message is the reasons alone ("请填写情况描述；经度应为数字"):
    the field codes are for programs (``errors``, ``detail``), never glued in front of a
    reason a person reads. A page or the API that wants the fields named words it with
    their Chinese labels (``core.views_forms.labelled``, ``civicgrid.api``)."""

    code = "invalid"
    http_status = 422

    def __init__(
        self,
        message: StrOrPromise | None = None,
        *,
        field: str | None = None,
        errors: Mapping[str, Sequence[StrOrPromise]] | None = None,
        code: str | None = None,
    ) -> None:
        reasons_by_field: dict[str, list[str]] = {
            name: [str(reason) for reason in reasons] for name, reasons in (errors or {}).items()
        }
        if field and message:
            reasons_by_field.setdefault(field, []).append(str(message))
        if message is None:
            message = "；".join(reason for reasons in reasons_by_field.values() for reason in reasons)
        super().__init__(message, code=code, detail=reasons_by_field)
        self.errors = reasons_by_field


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
