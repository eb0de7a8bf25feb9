"""Where a form sends the user back to: its ``next``/``back`` when that is a page of this
site, never an address elsewhere (``https://evil.example/``, ``//evil.example/``, ``/\\evil``,
which a plain "starts with one slash" test let through)."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def within_site(request: HttpRequest, target: str | None, default: str) -> str:
    """``target`` when it is a page of this site, else ``default``."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
