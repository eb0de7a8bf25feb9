"""Text that goes through Django's translation machinery.

User-facing strings are written in Chinese (the source language) and wrapped: ``gettext``
(``_``) in code that runs per request, ``gettext_lazy`` where the text is evaluated at
import (models, forms, admin, apps, module-level tables of labels). A lazy string is not a
``str``: where one must be (a pydantic field, ``json.dumps``, an Excel cell, ``str.join``),
pass ``str(label)``. Tables of lazy labels are typed ``dict[str, StrOrPromise]``.
"""

from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise
else:
    StrOrPromise = str | Promise

__all__ = ["StrOrPromise", "plain"]


def plain(value: Any) -> Any:
    """``value`` with a lazy string rendered to ``str`` (for Excel cells, JSON, pydantic)."""
    return str(value) if isinstance(value, Promise) else value
