"""What a refused form held, kept across the redirect back to its page.

``views_forms.act`` runs a service from a form and redirects back with one message; on a
refusal the page used to open with its form empty, so whatever was typed (a long note, a
date, the unit picked) had to be typed again. ``keep`` puts the posted text fields (never a
password, the CSRF token or the one-time token, never a file) and the refused fields in the
session; the next full page takes them (``take``, by ``{% kept_form %}`` in each base
template) and ``static/civicgrid/kept-form.js`` fills the form that posted them again and
marks the refused fields. Kept once: a reload shows the page as it is.
"""

from typing import Any

from django.http import HttpRequest

from civicgrid.core.errors import CivicError, ValidationError

SESSION_KEY = "kept_form"
MAX_CHARS = 50_000  # more than any form of ours holds; beyond it nothing is kept


def _kept_field(name: str) -> bool:
    from civicgrid.core import once  # once imports the form helpers, which import this

    return name not in ("csrfmiddlewaretoken", once.FIELD) and "password" not in name


def keep(request: HttpRequest, exc: CivicError) -> None:
    """Remember what ``request`` posted and which of its fields ``exc`` refused."""
    session = getattr(request, "session", None)
    if session is None or request.method != "POST":
        return
    fields = {name: request.POST.getlist(name) for name in request.POST if _kept_field(name)}
    if sum(len(v) for values in fields.values() for v in values) > MAX_CHARS:
        return
    refused = list(exc.errors) if isinstance(exc, ValidationError) else []
    session[SESSION_KEY] = {
        "path": request.path,
        "action": str(request.POST.get("action", "")),
        "fields": fields,
        "refused": [name for name in refused if _kept_field(name)],
    }


def take(request: HttpRequest) -> dict[str, Any] | None:
    """What the last refused form held, once (None when nothing is kept)."""
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session:
        return None
    kept: dict[str, Any] = session.pop(SESSION_KEY)
    return kept
