"""One importer per kind of file; ``IMPORTERS[kind](actor)`` validates, then saves."""

from civicgrid.exchange.importers.base import Importer, RowError
from civicgrid.exchange.importers.registry import DwellingImporter, OrganisationImporter, ResidentImporter
from civicgrid.exchange.importers.territory import GeometryImporter, NodeImporter, PositionImporter
from civicgrid.exchange.models import ImportKind

IMPORTERS: dict[str, type[Importer]] = {
    ImportKind.NODES: NodeImporter,
    ImportKind.POSITIONS: PositionImporter,
    ImportKind.RESIDENTS: ResidentImporter,
    ImportKind.DWELLINGS: DwellingImporter,
    ImportKind.ORGANISATIONS: OrganisationImporter,
    ImportKind.GEOMETRY: GeometryImporter,
}

__all__ = ["IMPORTERS", "Importer", "RowError"]
