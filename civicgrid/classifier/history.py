"""Training rows from the deployment's own requests, and the catalogue the model maps onto.

A row is a request's title and content with the category it has now (after any
recategorisation by an operator, so corrections are learned) and its lead unit. Merged
duplicates share a group with the request they were merged into, so cross-validation
never sees one in training and the other in testing. Labels are category codes: codes are
stable across catalogue versions, and suggestions map them onto the current version.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from civicgrid.requests.models import CatalogueVersion, Category, HandlingUnit, Request

HISTORY_LIMIT = 200_000
NO_UNIT = ""


@dataclass
class HistoryRows:
    texts: list[str]
    categories: list[str]
    units: list[str]
    groups: list[str]

    def unit_prior(self) -> dict[str, dict[str, float]]:
        """For each category code, the share of its requests each lead unit handled."""
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for code, unit in zip(self.categories, self.units, strict=True):
            if unit != NO_UNIT:
                counts[code][unit] += 1
        return {
            code: {unit: n / sum(c.values()) for unit, n in c.most_common(10)} for code, c in counts.items()
        }


def history_rows(*, limit: int = HISTORY_LIMIT) -> HistoryRows:
    """The newest ``limit`` categorised requests."""
    qs = (
        Request.objects.filter(category__isnull=False)
        .order_by("-received_at", "-id")
        .values_list("id", "title", "content", "category__code", "lead_unit_id", "merged_into_id")[:limit]
    )
    rows = HistoryRows([], [], [], [])
    for pk, title, content, code, unit_id, merged_into in qs.iterator(chunk_size=5000):
        rows.texts.append(f"{title} {content}")
        rows.categories.append(code)
        rows.units.append(str(unit_id) if unit_id else NO_UNIT)
        rows.groups.append(str(merged_into or pk))
    return rows


@dataclass(frozen=True)
class CatalogueEntry:
    category_id: int
    code: str
    path: tuple[str, ...]
    level: int
    responsible_unit_id: int | None


_catalogue_cache: dict[int, dict[str, CatalogueEntry]] = {}


def current_catalogue() -> dict[str, CatalogueEntry]:
    """Code → entry of the current catalogue version (cached per version; versions never change)."""
    version_id = CatalogueVersion.objects.filter(is_current=True).values_list("id", flat=True).first()
    if version_id is None:
        return {}
    cached = _catalogue_cache.get(version_id)
    if cached is None:
        cached = _load_catalogue(version_id)
        _catalogue_cache.clear()
        _catalogue_cache[version_id] = cached
    return cached


def _load_catalogue(version_id: int) -> dict[str, CatalogueEntry]:
    rows = list(
        Category.objects.filter(version_id=version_id).values_list(
            "id", "code", "name", "level", "parent_id", "responsible_unit_id"
        )
    )
    by_id: dict[int, tuple[Any, ...]] = {row[0]: row for row in rows}

    def path(row: tuple[Any, ...]) -> tuple[str, ...]:
        names = [row[2]]
        while row[4] is not None and row[4] in by_id:
            row = by_id[row[4]]
            names.append(row[2])
        return tuple(reversed(names))

    return {row[1]: CatalogueEntry(row[0], row[1], path(row), row[3], row[5]) for row in rows}


def unit_names(ids: set[int]) -> dict[int, str]:
    """Names of the active units among ``ids``."""
    if not ids:
        return {}
    return dict(HandlingUnit.objects.filter(pk__in=ids, is_active=True).values_list("id", "name"))
