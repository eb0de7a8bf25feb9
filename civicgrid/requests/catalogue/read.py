"""Reading the catalogue: versions, the tree, rows of a version, and the operator's search."""

from typing import Any

from django.db.models import Count, Q, QuerySet

from civicgrid.core.validators import fold
from civicgrid.requests.models import CatalogueVersion, Category
from civicgrid.requests.selectors import current_catalogue


def catalogue_versions() -> QuerySet[CatalogueVersion]:
    """Every version, newest first, with its number of leaves."""
    leaves = Count("categories", filter=Q(categories__level=3))
    return CatalogueVersion.objects.select_related("created_by").annotate(leaves=leaves).order_by("-number")


def catalogue_version_get(number: int | None) -> CatalogueVersion | None:
    if number is None:
        return current_catalogue()
    return CatalogueVersion.objects.filter(number=number).first()


def catalogue_categories(version: CatalogueVersion) -> QuerySet[Category]:
    """All categories of a version in code order (parents before their children)."""
    return Category.objects.filter(version=version).select_related("responsible_unit").order_by("code")


def catalogue_tree(version: CatalogueVersion) -> list[dict[str, Any]]:
    """Nested level 1 → 2 → 3 from one query: ``[{"node": c, "children": [...]}, ...]``."""
    nodes: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for category in catalogue_categories(version):
        entry: dict[str, Any] = {"node": category, "children": []}
        nodes[category.pk] = entry
        parent = nodes.get(category.parent_id) if category.parent_id else None
        (parent["children"] if parent else roots).append(entry)
    for root in roots:
        root["leaves"] = sum(len(group["children"]) for group in root["children"])
    return roots


def catalogue_rows(version: CatalogueVersion) -> list[dict[str, Any]]:
    """The leaves of a version as rows (the inverse of ``catalogue_publish``)."""
    leaves = (
        Category.objects.filter(version=version, level=3)
        .select_related("parent__parent", "responsible_unit")
        .order_by("code")
    )
    return [
        {
            "level1": leaf.parent.parent.name if leaf.parent and leaf.parent.parent else "",
            "level2": leaf.parent.name if leaf.parent else "",
            "level3": leaf.name,
            "code": leaf.code,
            "responsible_kind": leaf.responsible_kind,
            "responsible_unit": leaf.responsible_unit.code if leaf.responsible_unit else "",
            "responsible_unit_name": leaf.responsible_unit.name if leaf.responsible_unit else "",
            "response_tier": leaf.response_tier,
            "response_limit": leaf.response_limit,
            "response_unit": leaf.response_unit,
            "resolution_limit": leaf.resolution_limit,
            "resolution_unit": leaf.resolution_unit,
            "needs_callback": leaf.needs_callback,
            "needs_verification": leaf.needs_verification,
            "keywords": leaf.keywords,
        }
        for leaf in leaves
    ]


def _term_q(term: str) -> Q:
    if term.isascii() and term.isalnum():
        return (
            Q(initials__startswith=term)
            | Q(initials__contains=f" {term}")
            | Q(name__icontains=term)
            | Q(keywords__icontains=term)
        )
    return Q(name__contains=term) | Q(keywords__contains=term) | Q(full_name__contains=term)


def _rank(category: Category, q: str) -> tuple[int, str]:
    own = category.initials.rsplit(" ", 1)[-1]
    if category.name == q:
        score = 0
    elif category.name.startswith(q) or own.startswith(q):
        score = 1
    elif q in category.name:
        score = 2
    elif q in category.keywords:
        score = 4
    else:
        score = 3 if q in category.initials else 5
    return score, category.code


def catalogue_search(q: str, *, limit: int = 20, version: CatalogueVersion | None = None) -> list[Category]:
    """Leaves of the current version matching every term of ``q``: a name or keyword
    substring, or the start of the pinyin initials of any level ("dtgz" → 电梯故障). Full-width
    letters and digits (ＤＴＧＺ, typed with a Chinese input method) are searched as ASCII,
    as the import folds codes (``fold``)."""
    terms = [t.lower() if t.isascii() else t for t in fold(q).split()][:5]
    version = version or current_catalogue()
    if not terms or version is None:
        return []
    qs = Category.objects.filter(version=version, level=3).order_by("code")
    for term in terms:
        qs = qs.filter(_term_q(term))
    found = list(qs.select_related("responsible_unit")[:200])
    found.sort(key=lambda c: _rank(c, terms[0]))
    return found[:limit]
