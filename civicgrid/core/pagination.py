from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def paginate(
    request: HttpRequest, qs: QuerySet[Any], per_page: int | None = None, *, param: str = "page"
) -> Page[Any]:
    """A page of ``qs`` from ``?page=N`` (or ``?<param>=N``: a second list on the same page,
    whose pager says ``param``); a bad page number gives the nearest valid page."""
    paginator = Paginator(qs, per_page or settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get(param))


def query_without_page(request: HttpRequest, *also: str, param: str = "page") -> str:
    """The query string for the pager's links: without ``page`` (or the pager's ``param``)
    and the ``also`` names."""
    params = request.GET.copy()
    for name in (param, *also):
        params.pop(name, None)
    return params.urlencode()
