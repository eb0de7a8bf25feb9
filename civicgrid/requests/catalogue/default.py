"""Publishing the shipped default catalogue (``civicgrid.requests.defaults``)."""

from typing import Any

from django.utils.translation import gettext as _

from civicgrid.requests.catalogue.publish import catalogue_publish
from civicgrid.requests.catalogue.read import catalogue_rows
from civicgrid.requests.catalogue.rows import check_configure
from civicgrid.requests.constants import ResponsibleKind
from civicgrid.requests.defaults import default_rows
from civicgrid.requests.models import CatalogueVersion, HandlingUnit
from civicgrid.requests.selectors import current_catalogue


def _default_rows_linked() -> tuple[list[dict[str, Any]], int]:
    """The default rows with unit codes that do not exist yet left blank (and how many)."""
    existing = set(HandlingUnit.objects.filter(is_active=True).values_list("code", flat=True))
    rows, unlinked = [], 0
    for row in default_rows():
        if row["responsible_unit"] and row["responsible_unit"] not in existing:
            row = {**row, "responsible_unit": ""}
            unlinked += 1
        rows.append(row)
    return rows, unlinked


def catalogue_load_default(
    *, actor: Any, force: bool = False, system: bool = False
) -> tuple[CatalogueVersion | None, int]:
    """Publish the shipped default catalogue unless a version exists (``force`` publishes anyway).

    Returns the new version (None when nothing was done) and the number of leaves whose
    responsible unit does not exist yet (they are dispatched by place until it does).
    """
    check_configure(actor, system)
    if not force and CatalogueVersion.objects.exists():
        return None, 0
    rows, unlinked = _default_rows_linked()
    version = catalogue_publish(actor=actor, rows=rows, note=_("默认派单目录"), system=system)
    return version, unlinked


def catalogue_link_default_units(*, actor: Any, system: bool = False) -> CatalogueVersion | None:
    """Publish a new version that fills the responsible units the default catalogue names,
    for leaves of the current version that have none yet (e.g. loaded before the
    departments existed). Nothing happens when there is nothing to fill."""
    check_configure(actor, system)
    current = current_catalogue()
    if current is None:
        return None
    wanted = {(r["level1"], r["level2"], r["level3"]): r["responsible_unit"] for r in default_rows()}
    existing = set(HandlingUnit.objects.filter(is_active=True).values_list("code", flat=True))
    rows, filled = catalogue_rows(current), 0
    for row in rows:
        code = wanted.get((row["level1"], row["level2"], row["level3"]), "")
        if (
            row["responsible_kind"] != ResponsibleKind.LOCATION
            and not row["responsible_unit"]
            and code in existing
        ):
            row["responsible_unit"] = code
            filled += 1
    if not filled:
        return None
    return catalogue_publish(
        actor=actor, rows=rows, note=_("补全{filled}个分类的责任单位").format(filled=filled), system=system
    )
