"""The demo city: built once per module (about two seconds), then looked at from every side.

The build runs inside a transaction that is rolled back when the module ends, so the other
test modules never see the demo data; each test runs in a savepoint inside it.
"""

import hashlib
import json
import random
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
import shapely
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from shapely.geometry import shape

from civicgrid.accounts.models import AdminRole, Role, RoleAssignment, User
from civicgrid.core import crypto
from civicgrid.core.audit import audit_write
from civicgrid.core.models import AuditLog
from civicgrid.core.validators import (
    credit_code_problem,
    id_number_birth_date,
    id_number_gender,
    id_number_problem,
)
from civicgrid.demo.builder import DemoError, Report, build, status
from civicgrid.demo.divisions import VILLAGE_SUFFIXES, load_county, short_name
from civicgrid.demo.identity import CreditCodes, IdNumbers
from civicgrid.demo.layout import lay_out
from civicgrid.demo.maintenance import logins_table, reset
from civicgrid.demo.plan import REFERENCE_DATE, SIZES, Plan, apportion
from civicgrid.demo.staff import DEMO_PASSWORD
from civicgrid.registry.models import Household, Organisation, OrganisationKind, Resident
from civicgrid.territory.locator import locator
from civicgrid.territory.models import GeometryVersion, GridMatter, GridType, Node, NodeKind, Position, Post

AREA_TOLERANCE = 1e-3  # relative: stored polygons are rounded to 7 decimals (about 1 cm)


def quiet(_: str) -> None:
    pass


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Report]:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build("small", seed=1, out=quiet)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            locator.invalidate()  # its index holds the demo grids, now rolled back


@pytest.fixture
def demo_city(demo: Report, db: Any) -> Report:
    """The demo city, inside a savepoint of the test (rolled back after it)."""
    return demo


def grid_shapes(community: Node) -> list[Any]:
    grids = Node.objects.filter(parent=community, kind=NodeKind.GRID, grid_type=GridType.COMPREHENSIVE)
    return [shape(g.geometry) for g in grids]


# --- sizes and counts --------------------------------------------------------------------


def test_small_city_has_the_expected_size(demo_city: Report) -> None:
    assert Node.objects.filter(kind=NodeKind.CITY).get().code == "320200000000"
    assert Node.objects.get(kind=NodeKind.DISTRICT).name == "梁溪区"
    assert Node.objects.filter(kind=NodeKind.SUBDISTRICT).count() == 4
    assert Node.objects.filter(kind=NodeKind.GRID).count() == 80
    assert Node.objects.filter(kind=NodeKind.GRID, grid_type=GridType.DEDICATED).count() == 2
    assert 4_900 <= Resident.objects.count() <= 5_300
    assert demo_city.counts["residents"] == Resident.objects.count()
    for kind in (NodeKind.COMPOUND, NodeKind.BUILDING, NodeKind.ENTRANCE):
        assert Node.objects.filter(kind=kind).exists()


def test_real_names_and_codes_without_virtual_communities(demo_city: Report) -> None:
    subs = dict(Node.objects.filter(kind=NodeKind.SUBDISTRICT).values_list("code", "name"))
    assert subs["320213001000"] == "崇安寺街道"
    assert Node.objects.get(code="320213001001").name == "胜利门社区"
    assert not Node.objects.filter(name__contains="虚拟").exists()
    for code in Node.objects.filter(kind__in=[NodeKind.SUBDISTRICT, NodeKind.COMMUNITY]).values_list(
        "code", flat=True
    ):
        assert len(code) == 12 and code.isdigit() and code.startswith("320213")


def test_every_scoped_row_mirrors_its_node_path(demo_city: Report) -> None:
    for model in (Resident, Household, Organisation, Position):
        assert not model.objects.exclude(node_path=F("node__path")).exists()
    for node in Node.objects.exclude(parent=None).select_related("parent")[:500]:
        assert node.parent is not None
        assert node.path == f"{node.parent.path}{node.pk}/"
        assert node.depth == node.parent.depth + 1


# --- geometry ----------------------------------------------------------------------------


def test_grid_polygons_are_valid_and_inside_the_county(demo_city: Report) -> None:
    fence = load_county("320213").fence.buffer(1e-6)
    for grid in Node.objects.filter(kind=NodeKind.GRID):
        geom = shape(grid.geometry)
        assert geom.is_valid, grid.code
        assert geom.difference(fence).area < 1e-10, grid.code


def test_grids_tile_their_community(demo_city: Report) -> None:
    for community in Node.objects.filter(kind=NodeKind.COMMUNITY):
        whole = shape(community.geometry)
        pieces = grid_shapes(community)
        assert pieces, community.name
        overlap = sum(a.intersection(b).area for i, a in enumerate(pieces) for b in pieces[i + 1 :])
        assert overlap < whole.area * AREA_TOLERANCE, community.name
        assert shapely.union_all(pieces).area / whole.area == pytest.approx(1, abs=AREA_TOLERANCE)


def test_subdistrict_is_the_union_of_its_communities(demo_city: Report) -> None:
    for sub in Node.objects.filter(kind=NodeKind.SUBDISTRICT):
        parts = [shape(c.geometry) for c in Node.objects.filter(parent=sub)]
        assert shapely.union_all(parts).area / shape(sub.geometry).area == pytest.approx(
            1, abs=AREA_TOLERANCE
        )


def test_the_locator_finds_the_grid_of_every_building(demo_city: Report) -> None:
    locator.invalidate()
    comprehensive = set(
        Node.objects.filter(kind=NodeKind.GRID, grid_type=GridType.COMPREHENSIVE).values_list("pk", flat=True)
    )
    buildings = Node.objects.filter(kind=NodeKind.BUILDING)
    checked = 0
    for building in buildings:
        grid_ids = [pk for pk in building.path_ids if pk in comprehensive]
        if not grid_ids:
            continue  # office buildings of dedicated grids: a comprehensive grid answers
        assert building.lon is not None and building.lat is not None
        found = locator.locate(building.lon, building.lat, max_metres=0)
        assert found is not None and found.grid.id == grid_ids[0], building.name
        checked += 1
    assert checked > 50
    assert GeometryVersion.objects.get(pk=1).version > 0


# --- the same seed, the same city --------------------------------------------------------


def digest() -> str:
    h = hashlib.sha256()
    for node in Node.objects.order_by("code").values_list("code", "name", "kind", "grid_type", "geometry"):
        h.update(json.dumps(node, ensure_ascii=False, sort_keys=True).encode())
    residents = Resident.objects.order_by(
        "node__code", "household__code", "name", "birth_date", "id_number_hash"
    )
    for row in residents.values_list(
        "name", "birth_date", "node__code", "relation_to_head", "id_number_hash"
    ):
        h.update(repr(row).encode())
    return h.hexdigest()


def test_the_same_seed_gives_the_same_city(demo_city: Report) -> None:
    first = digest()
    reset()
    assert status() == "empty"
    build("small", seed=1, out=quiet)
    assert status() == "built"
    assert digest() == first


def test_another_seed_gives_another_layout() -> None:
    def layout_digest(seed: int) -> str:
        plan = Plan(SIZES["small"], seed)
        lay_out(plan, random.Random(seed))
        return hashlib.sha256(repr([(n.code, n.geometry) for n in plan.nodes]).encode()).hexdigest()

    assert layout_digest(1) == layout_digest(1)
    assert layout_digest(1) != layout_digest(2)


def test_building_twice_is_refused(demo_city: Report) -> None:
    nodes = Node.objects.count()
    with pytest.raises(DemoError, match="已有区域数据"):
        build("small", seed=2, out=quiet)
    assert Node.objects.count() == nodes


# --- people and organisations ------------------------------------------------------------


def test_resident_pii_is_stored_as_the_registry_stores_it(demo_city: Report) -> None:
    sample = Resident.objects.order_by("id")[::25]
    assert len(sample) > 150
    for resident in sample:
        id_number = crypto.decrypt(resident.id_number_enc)
        assert id_number_problem(id_number) is None, id_number
        assert resident.id_number_hash == crypto.blind_index(id_number)
        assert resident.id_number_masked == crypto.mask_id_number(id_number)
        assert resident.birth_date == id_number_birth_date(id_number)
        assert resident.gender == id_number_gender(id_number)
        if resident.phone_enc:
            phone = crypto.decrypt(resident.phone_enc)
            assert resident.phone_hash == crypto.blind_index(phone)
            assert resident.phone_masked == crypto.mask_phone(phone)
    registered = Resident.objects.filter(residence_type="registered").first()
    assert registered is not None
    assert crypto.decrypt(registered.id_number_enc).startswith("320213")


def test_id_numbers_are_unique(demo_city: Report) -> None:
    hashes = list(Resident.objects.values_list("id_number_hash", flat=True))
    assert all(hashes) and len(set(hashes)) == len(hashes)


def test_households_have_one_head_and_tags_are_plausible(demo_city: Report) -> None:
    heads = Resident.objects.filter(relation_to_head="户主")
    assert heads.count() == Household.objects.count()
    total = Resident.objects.count()
    share = {
        code: Resident.objects.filter(tags__code=code).count() / total
        for code in ("party_member", "disabled")
    }
    assert 0.03 < share["party_member"] < 0.12
    assert 0.005 < share["disabled"] < 0.06
    assert Resident.objects.filter(tags__code="elderly_alone").exists()
    assert Resident.objects.filter(residence_type="floating").count() > total * 0.05


def test_organisations_have_valid_unique_credit_codes(demo_city: Report) -> None:
    codes = list(Organisation.objects.values_list("credit_code", flat=True))
    assert len(codes) > 100 and len(set(codes)) == len(codes)
    for code in codes:
        assert credit_code_problem(code) is None, code
    assert Organisation.objects.filter(kind=OrganisationKind.PROPERTY_COMPANY).count() >= 2


def test_household_groups_and_responsibility_areas(demo_city: Report) -> None:
    groups = Node.objects.filter(kind=NodeKind.HOUSEHOLD_GROUP)
    assert groups.count() >= 3
    assert Household.objects.filter(household_group__in=groups).count() >= 8 * groups.count() // 2
    areas = Node.objects.filter(kind=NodeKind.RESPONSIBILITY_AREA).select_related("responsible_unit")
    assert areas.exists()
    assert all(a.responsible_unit and a.responsible_unit.kind == OrganisationKind.ORGAN for a in areas)


def test_grid_matters_apply_to_the_district(demo_city: Report) -> None:
    district = Node.objects.get(kind=NodeKind.DISTRICT)
    matters = GridMatter.objects.filter(applies_to=district)
    assert 8 <= matters.count() <= 15
    assert len(set(matters.values_list("domain", flat=True))) >= 5


# --- staff -------------------------------------------------------------------------------


def test_demo_logins_hold_their_roles(demo_city: Report) -> None:
    admins = dict(User.objects.exclude(admin_role="").values_list("username", "admin_role"))
    assert admins == {
        "sysadmin": AdminRole.SYSTEM,
        "secadmin": AdminRole.SECURITY,
        "auditor": AdminRole.AUDIT,
    }
    expected = {
        "operator": (Role.OPERATOR, NodeKind.DISTRICT),
        "leader": (Role.LEADER, NodeKind.DISTRICT),
        "handler": (Role.HANDLER, NodeKind.SUBDISTRICT),
        "community": (Role.COMMUNITY_WORKER, NodeKind.COMMUNITY),
        "gridworker": (Role.GRID_WORKER, NodeKind.GRID),
    }
    for username, (role, kind) in expected.items():
        assignment = RoleAssignment.objects.select_related("node", "user").get(user__username=username)
        assert (assignment.role, assignment.node.kind) == (role, kind)
        assert assignment.user.check_password(DEMO_PASSWORD)


def test_positions_cover_the_posts_of_the_tree(demo_city: Report) -> None:
    posts = set(Position.objects.values_list("post", flat=True))
    for post in (
        Post.GRID_WORKER_FULLTIME,
        Post.GRID_LEADER,
        Post.BUILDING_LEADER,
        Post.ENTRANCE_LEADER,
        Post.HUB_HOUSEHOLD,
        Post.LEGAL_JUDGE,
        Post.COMMUNITY_POLICE,
        Post.COMMUNITY_SECRETARY,
        Post.HOUSEHOLD_GROUP_LEADER,
    ):
        assert post in posts
    assert not Position.objects.filter(start_date__gt=REFERENCE_DATE).exists()
    secretary = Position.objects.get(user__username="community")
    assert secretary.post == Post.COMMUNITY_SECRETARY and secretary.holder_name == "李明"
    hub = Position.objects.filter(post=Post.HUB_HOUSEHOLD).select_related("resident").first()
    assert (
        hub is not None
        and hub.resident is not None
        and hub.resident.tags.filter(code="party_member").exists()
    )


def test_one_audit_row_records_the_build(demo_city: Report) -> None:
    row = AuditLog.objects.get(verb="demo.built")
    assert row.after is not None and row.after["seed"] == 1 and row.after["counts"]["residents"] > 0


def test_indexes_and_foreign_keys_are_back_after_the_bulk_load(demo_city: Report) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("indexes are dropped and rebuilt on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'registry_resident'")
        definitions = dict(cursor.fetchall())
        indexes = set(definitions)
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = %s::regclass",
            ["registry_resident"],
        )
        (foreign_keys,) = cursor.fetchone()
    assert "resident_id_number_unique" in indexes
    # The scope filter's prefix index (ScopedModel.node_path's ``_like`` twin), once; the
    # partial one of the active residents ends in its WHERE clause.
    prefix = [d for d in definitions.values() if d.endswith("(node_path varchar_pattern_ops)")]
    assert len(prefix) == 1
    assert len(indexes) >= 8
    assert foreign_keys == 2  # node, household


# --- command and reset -------------------------------------------------------------------


def test_command_status_and_logins(demo_city: Report) -> None:
    out = StringIO()
    call_command("demo", "--status", stdout=out)
    assert out.getvalue() == "built\n"
    out = StringIO()
    call_command("demo", "--logins", stdout=out)
    text = out.getvalue()
    for word in ("用户名", "gridworker", "网格员", "胜利门社区", DEMO_PASSWORD):
        assert word in text
    assert logins_table()[0].startswith("演示账号")


def test_reset_refuses_when_someone_changed_something(demo_city: Report) -> None:
    with transaction.atomic():
        audit_write(actor=None, verb="registry.resident_updated", target_type="x", target_id="1")
    nodes = Node.objects.count()
    with pytest.raises(DemoError, match="拒绝清空"):
        reset()
    assert Node.objects.count() == nodes


# --- building blocks ---------------------------------------------------------------------


def test_identifiers_pass_the_national_checks() -> None:
    rng = random.Random(7)
    ids, codes = IdNumbers(), CreditCodes()
    made = {
        ids.make(rng, "320213", REFERENCE_DATE.replace(year=1980), rng.random() < 0.5) for _ in range(600)
    }
    assert len(made) == 600 and all(id_number_problem(v) is None for v in made)
    for kind in OrganisationKind.values:
        assert credit_code_problem(codes.make(rng, kind, "320213")) is None


def test_apportion_and_short_names() -> None:
    assert apportion([1.0, 1.0, 2.0], 8) == [2, 2, 4]
    assert sum(apportion([0.1, 5.0, 3.3, 0.01], 97)) == 97
    assert min(apportion([0.001, 10.0], 5)) == 1
    assert short_name("风雷新村社区居委会", VILLAGE_SUFFIXES) == "风雷新村社区"
    assert short_name("大岭村委会", VILLAGE_SUFFIXES) == "大岭村"
