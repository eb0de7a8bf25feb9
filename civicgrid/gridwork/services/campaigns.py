"""Campaigns (专项任务): a checklist taken to every household or building of an area.

Launching makes one item per household (or building) under the area, each with its grid
and that grid's worker; the community can hand a grid's items to another worker. A
worker's result is a ``CampaignCheck`` row (keyed, so sent once); the item keeps the
latest result by the time it was taken on the phone, but a finished (已完成) item is not
undone: a 无人在家 / 拒绝配合 taken after it, or another worker's later 已完成, is refused (409
naming who completed it and when). No result is taken before the start date.
"""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import Role, RoleAssignment
from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import can, require
from civicgrid.core import bulk
from civicgrid.core.audit import audit_write
from civicgrid.core.errors import Conflict, NotFound, ValidationError
from civicgrid.gridwork.constants import (
    CAMPAIGN_WINDOW_DAYS,
    DEFAULT_CHECKLISTS,
    CampaignKind,
    CampaignState,
    CampaignTarget,
    ItemState,
    QuestionKind,
    Verb,
)
from civicgrid.gridwork.models import Campaign, CampaignCheck, CampaignItem
from civicgrid.gridwork.services.common import Saved, check_key, check_moment, claim, replay
from civicgrid.registry.models import Dwelling, Household
from civicgrid.territory.models import Node, NodeKind

AREA_KINDS = {NodeKind.DISTRICT, NodeKind.SUBDISTRICT, NodeKind.COMMUNITY, NodeKind.GRID, NodeKind.COMPOUND}
MAX_QUESTIONS = 20
BATCH = 2000


def default_checklist(kind: str) -> list[dict[str, Any]]:
    rows = DEFAULT_CHECKLISTS.get(kind, DEFAULT_CHECKLISTS[CampaignKind.OTHER])
    return [{"label": label, "kind": qkind, "required": required} for label, qkind, required in rows]


def _clean_checklist(raw: list[dict[str, Any]], errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    if not raw:
        errors["checklist"] = [_("检查清单至少要有一项")]
        return []
    if len(raw) > MAX_QUESTIONS:
        errors["checklist"] = [_("检查清单最多{max_questions}项").format(max_questions=MAX_QUESTIONS)]
        return []
    clean: list[dict[str, Any]] = []
    for n, q in enumerate(raw, start=1):
        label = str(q.get("label") or "").strip()
        qkind = q.get("kind") or QuestionKind.YESNO
        if not label or len(label) > 100:
            errors.setdefault("checklist", []).append(_("第{n}项：名称不能为空且不超过100个字").format(n=n))
        if qkind not in QuestionKind.values:
            errors.setdefault("checklist", []).append(_("第{n}项：类型只能是是/否、数字或文字").format(n=n))
        clean.append({"key": f"q{n}", "label": label, "kind": qkind, "required": bool(q.get("required"))})
    return clean


def _grid_map(area: Node) -> tuple[dict[int, Node], dict[int, Any]]:
    """The grids items may fall in (under the area, or the area's own grid) and their workers."""
    grids = {g.pk: g for g in Node.objects.filter(kind=NodeKind.GRID, path__startswith=area.path)}
    grids.update({g.pk: g for g in Node.objects.filter(kind=NodeKind.GRID, pk__in=area.ancestor_ids)})
    workers: dict[int, Any] = {}
    for ra in (
        RoleAssignment.objects.filter(node_id__in=grids, role=Role.GRID_WORKER, user__is_active=True)
        .select_related("user")
        .order_by("-id")
    ):
        workers[ra.node_id] = ra.user
    return grids, workers


def place_name(node: Node) -> str:
    """ "3号楼 2单元" for an entrance (its building's name first), else the node's own name."""
    if node.kind == NodeKind.ENTRANCE and node.parent is not None:
        return f"{node.parent.name} {node.name}"
    return node.name


def _grid_of_path(path: str, grids: dict[int, Node]) -> Node | None:
    return next((grids[int(i)] for i in path.strip("/").split("/") if int(i) in grids), None)


def _items(campaign: Campaign, area: Node) -> Iterator[CampaignItem]:
    """The campaign's items, one by one (an area may hold hundreds of thousands of households)."""
    grids, workers = _grid_map(area)

    def item(node_id: int, path: str, label: str, **target: Any) -> CampaignItem:
        grid = _grid_of_path(path, grids)
        return CampaignItem(
            campaign=campaign,
            node_id=node_id,
            node_path=path,
            grid=grid,
            assignee=workers.get(grid.pk) if grid else None,
            label=label[:200],
            **target,
        )

    if campaign.target == CampaignTarget.BUILDING:
        buildings = Node.objects.filter(kind=NodeKind.BUILDING, is_active=True, path__startswith=area.path)
        for b in buildings.iterator(chunk_size=BATCH):
            yield item(b.pk, b.path, b.name, building=b)
        return
    households = (
        Household.objects.filter(node_path__startswith=area.path)
        .select_related("node__parent", "dwelling")
        .order_by("node_path", "code")
    )
    for h in households.iterator(chunk_size=BATCH):
        place = f"{place_name(h.node)} {h.dwelling.room if h.dwelling else h.code}"
        yield item(h.node_id, h.node_path, place, household=h)


def _write_items(campaign: Campaign, area: Node) -> int:
    """The items, written a batch at a time: memory stays flat whatever the size of the area."""
    count, batch = 0, []
    for one in _items(campaign, area):
        batch.append(one)
        if len(batch) == BATCH:
            bulk.insert(CampaignItem, batch, batch_size=BATCH)
            count, batch = count + len(batch), []
    bulk.insert(CampaignItem, batch, batch_size=BATCH)
    return count + len(batch)


def _write_household_items(campaign: Campaign, area: Node) -> int:
    """PostgreSQL: the items of a household campaign in one ``INSERT … SELECT``, the same rows
    as ``_write_items``. Python works out once per place the households hang on (an entrance,
    a building: far fewer than households) its grid, the grid's worker and its name; the
    database joins that to the households. A district of 303,108 households took 55 s one
    item at a time (past gunicorn's default 30 s timeout), 7 s so (docs/modules/gridwork.md)."""
    grids, workers = _grid_map(area)
    households = Household.objects.filter(node_path__startswith=area.path)
    places = Node.objects.filter(pk__in=households.values("node_id")).select_related("parent")
    node_ids, grid_ids, assignee_ids, names = [], [], [], []
    for node in places.iterator(chunk_size=BATCH):
        grid = _grid_of_path(node.path, grids)
        assignee = workers.get(grid.pk) if grid else None
        node_ids.append(node.pk)
        grid_ids.append(grid.pk if grid else None)
        assignee_ids.append(assignee.pk if assignee else None)
        names.append(place_name(node))
    if not node_ids:
        return 0
    qn = connection.ops.quote_name
    values = {
        "campaign_id": "%s",
        "household_id": "h.id",
        "building_id": "NULL",
        "grid_id": "p.grid_id",
        "label": "left(p.name || ' ' || CASE WHEN d.id IS NULL THEN h.code ELSE d.room END, 200)",
        "assignee_id": "p.assignee_id",
        "state": "%s",
        "answers": "'{}'::jsonb",
        "note": "''",
        "checked_at": "NULL",
        "checked_by_id": "NULL",
        "node_id": "h.node_id",
        "node_path": "h.node_path",
    }
    columns = [f.column for f in CampaignItem._meta.concrete_fields if not f.primary_key]
    assert sorted(columns) == sorted(values), "a column of CampaignItem has no value here"
    sql = (
        f"INSERT INTO {qn(CampaignItem._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608 (names from the models)
        f"SELECT {', '.join(values[c] for c in columns)} FROM {qn(Household._meta.db_table)} h "
        "JOIN unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::text[]) "
        "AS p(node_id, grid_id, assignee_id, name) ON p.node_id = h.node_id "
        f"LEFT JOIN {qn(Dwelling._meta.db_table)} d ON d.id = h.dwelling_id "
        "WHERE h.node_path LIKE %s ORDER BY h.node_path, h.code"
    )
    given = {"campaign_id": campaign.pk, "state": ItemState.PENDING.value}
    params: list[Any] = [given[c] for c in columns if values[c] == "%s"]
    params += [node_ids, grid_ids, assignee_ids, names, area.path + "%"]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def _check_dates(starts_on: date, ends_on: date) -> dict[str, list[str]]:
    """A campaign's dates: it starts within ``CAMPAIGN_WINDOW_DAYS`` of today, ends no
    earlier than today nor than its start, and lasts at most ``CAMPAIGN_WINDOW_DAYS``."""
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    window = timedelta(days=CAMPAIGN_WINDOW_DAYS)
    earliest, latest = today - window, today + window
    if not earliest <= starts_on <= latest:
        errors["starts_on"] = [
            _("开始日期应在{earliest}至{latest}之间").format(
                earliest=earliest.isoformat(), latest=latest.isoformat()
            )
        ]
    if ends_on < today:
        errors["ends_on"] = [_("截止日期不能早于今天（{today}）").format(today=today.isoformat())]
    elif ends_on < starts_on:
        errors["ends_on"] = [_("截止日期不能早于开始日期")]
    elif ends_on - starts_on > window:
        errors["ends_on"] = [
            _("专项任务最长{days}天：截止日期应不晚于开始日期后{days}天").format(days=CAMPAIGN_WINDOW_DAYS)
        ]
    return errors


@transaction.atomic
def campaign_launch(
    *,
    actor: Any,
    area: Node,
    name: str,
    kind: str,
    target: str = CampaignTarget.HOUSEHOLD,
    starts_on: date,
    ends_on: date,
    checklist: list[dict[str, Any]] | None = None,
    description: str = "",
) -> Campaign:
    """发起专项任务 on every household (or building) of ``area``."""
    require(actor, Capability.GRIDWORK_MANAGE, area.path)
    errors: dict[str, list[str]] = {}
    if area.kind not in AREA_KINDS:
        errors["area"] = [_("任务范围应为区、街道、社区、网格或小区")]
    if not name.strip() or len(name.strip()) > 100:
        errors["name"] = [_("任务名称不能为空且不超过100个字")]
    if kind not in CampaignKind.values:
        errors["kind"] = [_("任务类型取值无效")]
    if target not in CampaignTarget.values:
        errors["target"] = [_("任务对象只能是每户或每栋楼")]
    errors.update(_check_dates(starts_on, ends_on))
    if len(description) > 2000:
        errors["description"] = [_("工作要求最长2000个字")]
    questions = _clean_checklist(checklist if checklist is not None else default_checklist(kind), errors)
    if errors:
        raise ValidationError(errors=errors)
    campaign = Campaign.objects.create(
        node=area,
        node_path=area.path,
        name=name.strip(),
        kind=kind,
        target=target,
        checklist=questions,
        description=description.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor,
    )
    if connection.vendor == "postgresql" and target == CampaignTarget.HOUSEHOLD:
        count = _write_household_items(campaign, area)
    else:
        count = _write_items(campaign, area)
    if not count:
        raise ValidationError(
            _("该区域下没有楼栋，无法发起任务")
            if target == CampaignTarget.BUILDING
            else _("该区域下没有登记的户，无法发起任务"),
            field="area",
        )
    campaign.item_count = count
    campaign.save(update_fields=["item_count"])
    audit_write(
        actor=actor,
        verb=Verb.CAMPAIGN_LAUNCHED,
        target=campaign,
        node=area,
        after={"name": campaign.name, "kind": kind, "target": target, "items": count},
    )
    return campaign


def _locked_campaign(actor: Any, campaign: Campaign) -> Campaign:
    locked = Campaign.objects.select_for_update().select_related("node").filter(pk=campaign.pk).first()
    if locked is None:
        raise NotFound(_("专项任务不存在"))
    return locked


@transaction.atomic
def campaign_assign(*, actor: Any, campaign: Campaign, grid: Node, worker: Any) -> int:
    """Hand the unfinished items of one grid to a worker of that grid. Returns how many moved."""
    locked = _locked_campaign(actor, campaign)
    require(actor, Capability.GRIDWORK_MANAGE, grid.path)
    if locked.state != CampaignState.ACTIVE:
        raise ValidationError(_("该专项任务已结束"))
    if grid.kind != NodeKind.GRID:
        raise ValidationError(_("请选择网格"), field="grid")
    if worker is None or not can(worker, Capability.PATROL, grid.path):
        raise ValidationError(_("请选择该网格的网格员"), field="worker")
    moved = (
        CampaignItem.objects.filter(campaign=locked, grid=grid)
        .exclude(state=ItemState.DONE)
        .update(assignee=worker)
    )
    audit_write(
        actor=actor,
        verb=Verb.CAMPAIGN_ASSIGNED,
        target=locked,
        node=grid,
        after={"grid": grid.pk, "worker": worker.pk, "items": moved},
    )
    return moved


@transaction.atomic
def campaign_close(*, actor: Any, campaign: Campaign) -> Campaign:
    locked = _locked_campaign(actor, campaign)
    require(actor, Capability.GRIDWORK_MANAGE, locked.node_path)
    if locked.state == CampaignState.CLOSED:
        return locked
    locked.state = CampaignState.CLOSED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["state", "closed_at"])
    audit_write(
        actor=actor, verb=Verb.CAMPAIGN_CLOSED, target=locked, node=locked.node, after={"state": "closed"}
    )
    return locked


def _answer(q: dict[str, Any], value: Any) -> tuple[Any, str | None]:
    """(clean value, problem) of one answer."""
    if value in (None, ""):
        return None, _("必填") if q["required"] else None
    if q["kind"] == QuestionKind.YESNO:
        if isinstance(value, bool):
            return value, None
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "是", "y", "on"):
            return True, None
        if text in ("0", "false", "no", "否", "n", "off"):
            return False, None
        return None, _("应为是或否")
    if q["kind"] == QuestionKind.NUMBER:
        try:
            number = int(str(value).strip())
        except ValueError:
            return None, _("应为整数")
        return (number, None) if 0 <= number <= 9999 else (None, _("应在0到9999之间"))
    text = str(value).strip()
    return (text, None) if len(text) <= 500 else (None, _("最长500个字"))


def clean_answers(checklist: list[dict[str, Any]], raw: dict[str, Any], *, complete: bool) -> dict[str, Any]:
    """Answers by question key, checked against the checklist (all required ones when complete)."""
    keys = {q["key"] for q in checklist}
    unknown = sorted(set(raw) - keys)
    if unknown:
        raise ValidationError(
            _("未知的检查项：{unknown}").format(unknown="、".join(unknown)), field="answers"
        )
    clean: dict[str, Any] = {}
    problems: list[str] = []
    for q in checklist:
        value, problem = _answer(q, raw.get(q["key"]))
        if problem and (complete or raw.get(q["key"]) not in (None, "")):
            problems.append(f"{q['label']}：{problem}")
        elif value is not None:
            clean[q["key"]] = value
    if problems:
        raise ValidationError(errors={"answers": problems})
    return clean


def _refuse_over_done(actor: Any, item: CampaignItem, state: str, at: datetime) -> None:
    """A finished (已完成) item is not undone: a 无人在家 or 拒绝配合 taken after it (a second
    worker's, or one sent late from a phone's queue) is refused, and so is another worker's
    已完成; the worker who completed it may send 已完成 again (a correction: the later answers
    stay). A result taken before the item was completed changes nothing: it is kept as its
    history, as before."""
    if item.state != ItemState.DONE or item.checked_at is None or at < item.checked_at:
        return
    if state == ItemState.DONE and item.checked_by_id == actor.pk:
        return
    who = item.checked_by.display_name if item.checked_by is not None else _("其他网格员")
    when = timezone.localtime(item.checked_at).strftime("%Y-%m-%d %H:%M")
    if item.household_id:
        message = _("该户已由{who}于{at}完成，不能再提交")
    else:
        message = _("该楼栋已由{who}于{at}完成，不能再提交")
    raise Conflict(message.format(who=who, at=when), code="item_done")


@transaction.atomic
def campaign_check(
    *,
    actor: Any,
    client_key: str,
    item: CampaignItem,
    state: str,
    answers: dict[str, Any] | None = None,
    note: str = "",
    checked_at: datetime | None = None,
) -> Saved[CampaignCheck]:
    """A worker's result for one household or building: done, nobody home, or refused.

    The scope comes first: an item outside the worker's grids is answered as not found,
    before any other check, so no refusal names (or confirms) another grid's household."""
    target = CampaignItem.objects.select_related("campaign").filter(pk=item.pk).first()
    if target is None or not can(actor, Capability.PATROL, target.node_path):
        raise NotFound(_("任务对象不存在或不在您负责的网格内"))
    key = check_key(client_key)
    found = replay(CampaignCheck, key, actor)
    if found is not None:
        return Saved(found, False)
    if target.campaign.state != CampaignState.ACTIVE:
        raise ValidationError(_("该专项任务已结束，不能再填报"))
    errors: dict[str, list[str]] = {}
    if state not in (ItemState.DONE, ItemState.UNREACHABLE, ItemState.REFUSED):
        errors["state"] = [_("结果只能是已完成、无人在家或拒绝配合")]
    if len(note) > 500:
        errors["note"] = [_("备注最长500个字")]
    clean: dict[str, Any] = {}
    try:
        clean = clean_answers(target.campaign.checklist, answers or {}, complete=state == ItemState.DONE)
    except ValidationError as exc:
        errors.update(exc.errors)
    now = timezone.now()
    at = now
    try:
        at = check_moment(checked_at, "checked_at", now=now)
    except ValidationError as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationError(errors=errors)
    starts_on = target.campaign.starts_on
    if timezone.localdate(at) < starts_on:
        raise ValidationError(
            _("该专项任务{starts_on}开始，开始前不能填报").format(starts_on=starts_on.isoformat()),
            code="not_started",
        )

    def create() -> CampaignCheck:
        # The item row is locked before anything is decided: two results for one household
        # at once are judged one after the other, each against what the other left.
        locked = CampaignItem.objects.select_for_update().get(pk=target.pk)
        _refuse_over_done(actor, locked, state, at)
        check = CampaignCheck.objects.create(
            item=target,
            worker=actor,
            client_key=key,
            checked_at=at,
            state=state,
            answers=clean,
            note=note.strip(),
        )
        # The latest result wins, except that 已完成 is never lost: a done result taken before
        # a 无人在家 or 拒绝配合 that arrived first (from a phone's queue) still completes the item.
        newer = locked.checked_at is None or at >= locked.checked_at
        if newer or (state == ItemState.DONE and locked.state != ItemState.DONE):
            locked.state, locked.answers, locked.note = state, clean, note.strip()
            locked.checked_at, locked.checked_by = at, actor
            locked.save(update_fields=["state", "answers", "note", "checked_at", "checked_by"])
        audit_write(
            actor=actor,
            verb=Verb.CAMPAIGN_CHECKED,
            target=locked,
            node=locked.node,
            after={"campaign": target.campaign_id, "state": state, "answers": clean},
        )
        return check

    return claim(CampaignCheck, key, actor, create)
