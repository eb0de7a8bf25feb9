"""Request metadata (request id, client IP) carried to the audit writer.

Only metadata lives here, never the acting user: services always receive ``actor``
explicitly. Outside a request (commands, tasks) the id is generated per call.
"""

import contextvars
import uuid
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class RequestMeta:
    request_id: str
    ip: str | None = None
    via: str = ""  # how the caller signed in when not by a page session: an API token's name


def note_via(via: str) -> None:
    """Record for the rest of this request how its caller signed in (an API token)."""
    meta = _meta.get()
    if meta is not None:
        _meta.set(replace(meta, via=via))


_meta: contextvars.ContextVar[RequestMeta | None] = contextvars.ContextVar(
    "civicgrid_request_meta", default=None
)


def new_request_id() -> str:
    return uuid.uuid4().hex


def set_request_meta(meta: RequestMeta | None) -> contextvars.Token[RequestMeta | None]:
    return _meta.set(meta)


def reset_request_meta(token: contextvars.Token[RequestMeta | None]) -> None:
    _meta.reset(token)


def current_request_meta() -> RequestMeta:
    meta = _meta.get()
    if meta is None:
        meta = RequestMeta(request_id=new_request_id(), ip=None)
    return meta
