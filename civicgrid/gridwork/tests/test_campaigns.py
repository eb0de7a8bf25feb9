import io
from datetime import date, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from civicgrid.core.errors import NotFound, PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.gridwork import logbook, selectors, services
from civicgrid.gridwork.exports import campaign_xlsx
from civicgrid.gridwork.models import Campaign, CampaignCheck, CampaignItem
from civicgrid.gridwork.tests.conftest import Field, audit_count, earlier_today

pytestmark = pytest.mark.django_db

ANSWERS = {"q1": True, "q2": "是", "q3": True}


def launch(field: Field, **kw: Any) -> Campaign:
    data: dict[str, Any] = {
        "actor": field.city.bob,
        "area": field.city.comm_a1,
        "name": "国家反诈中心APP入户核查",
        "kind": "anti_fraud",
        "starts_on": date.today(),
        "ends_on": date.today() + timedelta(days=14),
    }
    data.update(kw)
    return services.campaign_launch(**data)


def test_a_campaign_reaches_every_household_with_its_grid_worker(field: Field) -> None:
    campaign = launch(field)
    items = list(CampaignItem.objects.filter(campaign=campaign).order_by("label"))
    assert campaign.item_count == 2 and [i.household for i in items] == [field.household_1, field.household_2]
    assert {i.grid for i in items} == {field.city.grid_a1_1} and {i.assignee for i in items} == {field.alice}
    assert items[0].label == "胜利门1号楼 1单元101"
    assert campaign.checklist[0]["label"] == "已安装国家反诈中心APP"


def test_items_are_written_a_batch_at_a_time_and_all_counted(field: Field, monkeypatch: Any) -> None:
    """The item writer of SQLite and of building campaigns (PostgreSQL writes a household
    campaign's items in one statement, see the next test)."""
    from civicgrid.gridwork.services import campaigns
    from civicgrid.registry.models import Household

    grid = field.city.grid_a1_1
    for i in range(3):
        Household.objects.create(node=grid, node_path=grid.path, code=f"HB{i}")
    monkeypatch.setattr(campaigns, "BATCH", 2)  # 5 households: two full batches and one of one
    written: list[int] = []
    real_insert = campaigns.bulk.insert

    def insert(model: Any, objs: list[Any], **kw: Any) -> None:
        written.append(len(objs))
        real_insert(model, objs, **kw)

    monkeypatch.setattr(campaigns.bulk, "insert", insert)
    campaign = launch(field, name="批次", target="building")
    campaign.target = "household"
    assert campaigns._write_items(campaign, field.city.comm_a1) == 5
    assert written[-3:] == [2, 2, 1]
    assert CampaignItem.objects.filter(campaign=campaign, household__isnull=False).count() == 5
    assert set(CampaignItem.objects.values_list("household__code", flat=True)) >= {"HB0", "HB1", "HB2"}


ITEM_FIELDS = ("household_id", "building_id", "grid_id", "label", "assignee_id", "state", "answers", "note")


def items_of(campaign: Campaign) -> list[tuple[Any, ...]]:
    rows = CampaignItem.objects.filter(campaign=campaign).order_by("id")
    return list(rows.values_list(*ITEM_FIELDS, "checked_at", "checked_by_id", "node_id", "node_path"))


def test_on_postgresql_household_items_come_from_one_statement_equal_to_the_batches(field: Field) -> None:
    """The set-wise INSERT gives the rows, in the order, the batch writer gives: grid and its
    worker, the label with and without a dwelling, cut at 200 characters."""
    from django.db import connection

    from civicgrid.gridwork.services import campaigns
    from civicgrid.registry.models import Household

    if connection.vendor != "postgresql":
        pytest.skip("the set-wise path is PostgreSQL's")
    from civicgrid.territory import services as territory
    from civicgrid.territory.models import Node, NodeKind

    city = field.city
    grid = city.grid_a1_2
    Household.objects.create(node=grid, node_path=grid.path, code="HX")  # no dwelling, another grid
    Household.objects.create(node=city.comm_a1, node_path=city.comm_a1.path, code="HY")  # no grid
    Node.objects.filter(pk=city.building_a1.pk).update(name="楼" * 100)
    entrance = territory.node_create(
        actor=city.sysadmin, kind=NodeKind.ENTRANCE, name="单" * 100, parent=city.building_a1
    )
    Household.objects.create(node=entrance, node_path=entrance.path, code="HZ")  # 100 + 1 + 100 + 1 + 2
    by_statement = launch(field)
    by_batches = launch(field, name="对照", target="building")
    by_batches.target = "household"
    CampaignItem.objects.filter(campaign=by_batches).delete()
    count = campaigns._write_items(by_batches, field.city.comm_a1)
    assert by_statement.item_count == count == 5
    assert items_of(by_statement) == items_of(by_batches)
    rows = {row[3]: row for row in items_of(by_statement)}
    assert rows[f"{grid.name} HX"][2] == grid.pk and rows[f"{city.comm_a1.name} HY"][2] is None
    assert f"{'楼' * 100} {'单' * 99}" in rows  # cut at 200 characters


def test_a_campaign_on_buildings(field: Field) -> None:
    campaign = launch(field, name="消防安全检查", kind="fire_safety", target="building")
    item = CampaignItem.objects.get(campaign=campaign)
    assert item.building == field.city.building_a1 and item.label == "胜利门1号楼"


def test_an_area_without_households_is_refused_and_leaves_nothing(field: Field) -> None:
    before = audit_count()
    with pytest.raises(ValidationError) as exc:
        launch(field, area=field.city.grid_a1_2)
    assert "没有登记的户" in exc.value.message
    with pytest.raises(ValidationError) as exc:
        launch(
            field, name="", ends_on=date.today() - timedelta(days=1), checklist=[{"label": "", "kind": "x"}]
        )
    assert set(exc.value.errors) == {"name", "ends_on", "checklist"}
    assert not Campaign.objects.exists() and audit_count() == before


def test_an_outsider_neither_launches_nor_sees(field: Field) -> None:
    campaign = launch(field)
    before = audit_count()
    with pytest.raises(PermissionDenied):
        launch(field, actor=field.city.carol)
    with pytest.raises(NotFound):
        selectors.campaign_get(field.city.carol, campaign.pk)
    assert Campaign.objects.count() == 1 and audit_count() == before
    # The grid worker of a grid inside the area sees the community's campaign.
    assert selectors.campaign_get(field.alice, campaign.pk) == campaign


def test_checking_a_household_and_the_progress(field: Field) -> None:
    campaign = launch(field)
    item = CampaignItem.objects.filter(campaign=campaign).order_by("label").first()
    assert item is not None
    saved = services.campaign_check(
        actor=field.alice, client_key="check-0001", item=item, state="done", answers=ANSWERS
    )
    item.refresh_from_db()
    assert saved.created and item.state == "done" and item.answers == {"q1": True, "q2": True, "q3": True}
    grids, communities, overall = logbook.campaign_progress(field.city.bob, campaign)
    assert (overall.total, overall.done, overall.percent) == (2, 1, 50.0)
    assert [(g.label, g.done, g.assignees) for g in grids] == [("胜利门一网格", 1, ["王丽"])]
    assert communities[0].label == "胜利门社区"
    # Sent again: one check.
    services.campaign_check(
        actor=field.alice, client_key="check-0001", item=item, state="done", answers=ANSWERS
    )
    assert CampaignCheck.objects.count() == 1


def test_missing_answers_are_listed_and_nothing_is_stored(field: Field) -> None:
    item = CampaignItem.objects.filter(campaign=launch(field)).first()
    assert item is not None
    before = audit_count()
    with pytest.raises(ValidationError) as exc:
        services.campaign_check(
            actor=field.alice,
            client_key="check-bad1",
            item=item,
            state="done",
            answers={"q1": "也许", "q9": 1},
        )
    assert "未知的检查项" in exc.value.message
    with pytest.raises(ValidationError) as exc:
        services.campaign_check(
            actor=field.alice, client_key="check-bad2", item=item, state="done", answers={"q1": "x"}
        )
    assert "已安装国家反诈中心APP：应为是或否" in exc.value.errors["answers"]
    assert "已开启来电预警功能：必填" in exc.value.errors["answers"]
    item.refresh_from_db()
    assert item.state == "pending" and not CampaignCheck.objects.exists() and audit_count() == before
    # Nobody home needs no answers.
    services.campaign_check(
        actor=field.alice, client_key="check-away", item=item, state="unreachable", note="无人"
    )
    item.refresh_from_db()
    assert item.state == "unreachable"


def test_an_older_result_sent_late_does_not_overwrite_a_newer_one(field: Field) -> None:
    item = CampaignItem.objects.filter(campaign=launch(field)).first()
    assert item is not None
    older = earlier_today(timedelta(hours=3))
    services.campaign_check(
        actor=field.alice, client_key="check-new1", item=item, state="done", answers=ANSWERS
    )
    services.campaign_check(
        actor=field.alice,
        client_key="check-old1",
        item=item,
        state="unreachable",
        checked_at=older,
    )
    item.refresh_from_db()
    assert item.state == "done" and CampaignCheck.objects.count() == 2


def test_only_the_grids_workers_check_its_households(field: Field) -> None:
    item = CampaignItem.objects.filter(campaign=launch(field)).first()
    assert item is not None
    before = audit_count()
    for outsider in (field.pete, field.city.carol):
        with pytest.raises(NotFound):  # another grid's item is as good as unknown
            services.campaign_check(
                actor=outsider, client_key=f"check-{outsider.pk}-outsider", item=item, state="done"
            )
    assert not CampaignCheck.objects.exists() and audit_count() == before


def test_assigning_a_grid_to_another_worker(field: Field) -> None:
    campaign = launch(field)
    with pytest.raises(ValidationError):
        services.campaign_assign(
            actor=field.city.bob, campaign=campaign, grid=field.city.grid_a1_1, worker=field.pete
        )
    moved = services.campaign_assign(
        actor=field.city.bob, campaign=campaign, grid=field.city.grid_a1_1, worker=field.ivan
    )
    assert moved == 2 and set(CampaignItem.objects.values_list("assignee", flat=True)) == {field.ivan.pk}


def test_a_closed_campaign_takes_no_more_results(field: Field) -> None:
    campaign = launch(field)
    services.campaign_close(actor=field.city.bob, campaign=campaign)
    item = CampaignItem.objects.filter(campaign=campaign).first()
    assert item is not None
    with pytest.raises(ValidationError) as exc:
        services.campaign_check(
            actor=field.alice, client_key="late-check", item=item, state="done", answers=ANSWERS
        )
    assert "已结束" in exc.value.message


def test_results_exported_to_excel_with_names_masked(field: Field) -> None:
    campaign = launch(field)
    item = CampaignItem.objects.filter(campaign=campaign).order_by("label").first()
    assert item is not None
    services.campaign_check(
        actor=field.alice, client_key="check-xlsx", item=item, state="done", answers=ANSWERS
    )
    response = campaign_xlsx(field.city.bob, campaign)
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:6] == ["社区", "网格", "对象", "户编码", "户主", "状态"]
    assert rows[1][4] == "张*国" and rows[1][5] == "已完成" and rows[1][8] == "是"
    assert "张建国" not in str(rows)
    assert AuditLog.objects.filter(verb="exchange.exported").count() == 1
