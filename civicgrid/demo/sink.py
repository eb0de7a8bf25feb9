"""Where generated rows go: one ``Table`` per model, with its column order, and id pools."""

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from civicgrid.demo.bulk import BulkWriter, IdPool, Table
from civicgrid.demo.plan import PNode
from civicgrid.registry.models import Dwelling, Household, Organisation, Resident, ResidentTag
from civicgrid.territory.models import Node, Position

NODE_FIELDS = (
    "id",
    "kind",
    "code",
    "name",
    "parent_id",
    "path",
    "depth",
    "grid_type",
    "geometry",
    "lon",
    "lat",
    "responsible_unit_id",
    "address",
    "sort_order",
    "is_active",
    "created_at",
    "updated_at",
)
DWELLING_FIELDS = (
    "id",
    "node_id",
    "node_path",
    "code",
    "room",
    "use",
    "area",
    "owner_name",
    "created_at",
    "updated_at",
)
HOUSEHOLD_FIELDS = (
    "id",
    "node_id",
    "node_path",
    "code",
    "dwelling_id",
    "head_name",
    "household_group_id",
    "created_at",
)
RESIDENT_FIELDS = (
    "id",
    "node_id",
    "node_path",
    "name",
    "gender",
    "birth_date",
    "id_number_enc",
    "id_number_hash",
    "id_number_masked",
    "phone_enc",
    "phone_hash",
    "phone_masked",
    "residence_type",
    "household_id",
    "relation_to_head",
    "note",
    "is_active",
    "left_reason",
    "left_on",
    "left_note",
    "created_at",
    "updated_at",
)
ORGANISATION_FIELDS = (
    "id",
    "node_id",
    "node_path",
    "name",
    "kind",
    "credit_code",
    "address",
    "contact_name",
    "contact_phone_enc",
    "contact_phone_hash",
    "contact_phone_masked",
    "employees",
    "created_at",
    "updated_at",
)
POSITION_FIELDS = (
    "node_id",
    "node_path",
    "post",
    "holder_name",
    "user_id",
    "resident_id",
    "phone_enc",
    "phone_hash",
    "organisation_name",
    "start_date",
    "end_date",
    "note",
    "created_at",
)


@dataclass
class Sink:
    writer: BulkWriter
    now: datetime = field(default_factory=timezone.now)

    def __post_init__(self) -> None:
        w = self.writer
        self.nodes: Table = w.table(Node, NODE_FIELDS)
        self.dwellings: Table = w.table(Dwelling, DWELLING_FIELDS)
        self.households: Table = w.table(Household, HOUSEHOLD_FIELDS)
        self.residents: Table = w.table(Resident, RESIDENT_FIELDS)
        self.tags: Table = w.table(Resident.tags.through, ("resident_id", "residenttag_id"))
        self.organisations: Table = w.table(Organisation, ORGANISATION_FIELDS)
        self.positions: Table = w.table(Position, POSITION_FIELDS)
        self.node_ids: IdPool = w.id_pool(Node, 2_000)
        self.dwelling_ids: IdPool = w.id_pool(Dwelling)
        self.household_ids: IdPool = w.id_pool(Household)
        self.resident_ids: IdPool = w.id_pool(Resident)
        self.organisation_ids: IdPool = w.id_pool(Organisation, 2_000)
        self.tag_ids = dict(ResidentTag.objects.values_list("code", "id"))

    def write_node(self, node: PNode) -> None:
        """Give ``node`` an id and path (its parent already has them) and queue its row."""
        parent = node.parent
        if not node.id:
            node.id = self.node_ids.next()
        node.path = f"{parent.path if parent else ''}{node.id}/"
        geometry = json.dumps(node.geometry, separators=(",", ":")) if node.geometry else None
        self.writer.add(
            self.nodes,
            (
                node.id,
                node.kind,
                node.code,
                node.name,
                parent.id if parent else None,
                node.path,
                node.depth,
                node.grid_type,
                geometry,
                node.lon,
                node.lat,
                node.responsible_unit,
                node.address,
                node.sort_order,
                True,
                self.now,
                self.now,
            ),
        )

    def position(
        self,
        node: PNode,
        post: str,
        holder: str,
        start: date,
        *,
        phone: tuple[str, str] = ("", ""),
        organisation: str = "",
        resident_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        row = (
            node.id,
            node.path,
            post,
            holder,
            user_id,
            resident_id,
            *phone,
            organisation,
            start,
            None,
            "",
            self.now,
        )
        self.writer.add(self.positions, row)
