"""Excel exports of lists (filled in by the exchange module)."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse


def residents_xlsx(actor: Any, qs: QuerySet[Any]) -> HttpResponse:
    raise NotImplementedError


def dwellings_xlsx(actor: Any, qs: QuerySet[Any]) -> HttpResponse:
    raise NotImplementedError


def organisations_xlsx(actor: Any, qs: QuerySet[Any]) -> HttpResponse:
    raise NotImplementedError
