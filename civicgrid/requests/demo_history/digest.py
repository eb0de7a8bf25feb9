"""What the history wrote, in a form that can be compared and printed.

``history_snapshot()`` reads every request with its work orders, events, ratings,
approvals, whistles, councils and warnings, and names other rows by what identifies
them (a unit by its code, a rating by its round, a merge target by its number) instead
of by primary key, leaving out what is random by design (ciphertexts, rating tokens).
Two databases holding the same history give the same snapshot; ``history_digest()`` is
its SHA-256. ``requests_history_summary()`` gives the figures the command prints.
"""

import hashlib
import json
from collections import Counter, defaultdict
from datetime import UTC, date, datetime
from typing import Any

from django.db.models import Model
from django.utils import timezone

from civicgrid.requests.constants import (
    Action,
    ApprovalKind,
    ApprovalState,
    Channel,
    Light,
    RequestType,
    Status,
)
from civicgrid.requests.models import (
    Approval,
    CouncilOutcome,
    DeadlineWarning,
    DispatchRule,
    HandlingUnit,
    Rating,
    Request,
    RequestEvent,
    Whistle,
    WhistleSummons,
    WorkOrder,
)
from civicgrid.requests.rates import Period, rates_of
from civicgrid.requests.rates.cells import grand_total, raw_cells


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


class _Names:
    """Stable names for the rows a history refers to."""

    def __init__(self) -> None:
        self.units = dict(HandlingUnit.objects.values_list("id", "code"))
        self.rules = dict(DispatchRule.objects.values_list("id", "name"))
        from civicgrid.accounts.models import User

        self.users = dict(User.objects.values_list("id", "username"))
        self.numbers = dict(Request.objects.values_list("id", "number"))

    def unit(self, pk: int | None) -> str | None:
        return self.units.get(pk) if pk else None

    def user(self, pk: int | None) -> str | None:
        return self.users.get(pk) if pk else None


def _grouped(model: type[Model], **related: Any) -> dict[int, list[Any]]:
    rows: dict[int, list[Any]] = defaultdict(list)
    for row in model._default_manager.filter(**related).order_by("id"):
        rows[row.request_id].append(row)  # type: ignore[attr-defined]
    return rows


def _data(
    data: dict[str, Any], names: _Names, refs: dict[str, dict[int, Any]], number: str
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in ("lead", "copy", "assisting", "units"):
            value = [names.unit(v) for v in value] if isinstance(value, list) else names.unit(value)
        elif key == "rule":
            value = names.rules.get(value) if value else None
        elif key in ("into", "merged_from"):
            value = names.numbers.get(value)
        elif key == "overridden":  # a dispatch against the rules: whom they named
            value = {**value, "rule_lead": names.unit(value.get("rule_lead"))}
        elif key in refs:
            value = refs[key].get(value, ("?", value))
        out[key] = value
    return out


def _request(r: Request, names: _Names, rows: dict[str, list[Any]]) -> dict[str, Any]:
    skip = {"id", "requester_name_enc", "requester_phone_enc", "requester_phone_hash", "rating_token"}
    fields = {
        f.attname: _plain(getattr(r, f.attname))
        for f in Request._meta.concrete_fields
        if f.attname not in skip
    }
    fields |= {
        "category_id": r.category.code if r.category else None,
        "lead_unit_id": names.unit(r.lead_unit_id),
        "created_by_id": names.user(r.created_by_id),
        "merged_into_id": names.numbers.get(r.merged_into_id) if r.merged_into_id else None,
    }
    refs: dict[str, dict[int, Any]] = {
        "rating": {x.pk: x.round for x in rows["ratings"]},
        "approval": {x.pk: i for i, x in enumerate(rows["approvals"])},
        "whistle": {x.pk: i for i, x in enumerate(rows["whistles"])},
        "council": {x.pk: i for i, x in enumerate(rows["councils"])},
    }
    u, p = names.unit, names.user
    fields["events"] = [
        (e.action, e.from_status, e.to_status, p(e.actor_id), e.actor_name, u(e.unit_id), e.note,
         _data(e.data, names, refs, r.number), _plain(e.created_at))
        for e in rows["events"]
    ]  # fmt: skip
    fields["orders"] = [
        (u(o.unit_id), o.role, o.is_active, names.rules.get(o.rule_id or 0), o.rule_label,
         p(o.dispatched_by_id), _plain(o.dispatched_at), _plain(o.signed_at), _plain(o.replied_at), o.reply,
         refs["whistle"].get(o.whistle_id or 0))
        for o in rows["orders"]
    ]  # fmt: skip
    fields["ratings"] = [
        (x.round, u(x.unit_id), x.node_path, x.unit_path, _plain(x.month), x.contacted, x.resolution,
         x.satisfaction, x.comment, x.via, p(x.rated_by_id), _plain(x.created_at))
        for x in rows["ratings"]
    ]  # fmt: skip
    fields["approvals"] = [
        (a.kind, a.state, u(a.unit_id), p(a.requested_by_id), a.reason, a.extend_amount, p(a.decided_by_id),
         _plain(a.decided_at), a.decision_note, _plain(a.created_at))
        for a in rows["approvals"]
    ]  # fmt: skip
    fields["whistles"] = [
        (u(w.summoning_unit_id), p(w.created_by_id), w.reason, _plain(w.deadline), _plain(w.created_at),
         w.outcome, _plain(w.closed_at),
         [(u(s.unit_id), _plain(s.reported_at), p(s.reported_by_id), s.part) for s in rows["summonses"]
          if s.whistle_id == w.pk])
        for w in rows["whistles"]
    ]  # fmt: skip
    fields["councils"] = [
        (c.held_on.isoformat(), c.party_branch, c.owners_committee, c.property_company, c.others, c.outcome,
         c.agreed, p(c.recorded_by_id), _plain(c.created_at))
        for c in rows["councils"]
    ]  # fmt: skip
    fields["warnings"] = [
        (w.clock, w.light, _plain(w.due_at), _plain(w.created_at)) for w in rows["warnings"]
    ]
    return fields


def history_snapshot() -> list[dict[str, Any]]:
    """Every request and its rows, without primary keys or random values, by number."""
    names = _Names()
    grouped = {
        "events": _grouped(RequestEvent),
        "orders": _grouped(WorkOrder),
        "ratings": _grouped(Rating),
        "approvals": _grouped(Approval),
        "whistles": _grouped(Whistle),
        "councils": _grouped(CouncilOutcome),
        "warnings": _grouped(DeadlineWarning),
    }
    summonses: dict[int, list[Any]] = defaultdict(list)
    for s in WhistleSummons.objects.select_related("whistle").order_by("id"):
        summonses[s.whistle.request_id].append(s)
    snapshot = []
    for r in Request.objects.select_related("category").order_by("number"):
        rows = {key: found.get(r.pk, []) for key, found in grouped.items()} | {"summonses": summonses[r.pk]}
        snapshot.append(_request(r, names, rows))
    return snapshot


def history_digest() -> str:
    text = json.dumps(history_snapshot(), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


# -- the summary printed by the command -----------------------------------------------------


def _labels(counts: Counter[str], choices: Any) -> dict[str, int]:
    return {str(choices(key).label): n for key, n in counts.most_common()}


def requests_history_summary() -> dict[str, Any]:
    """Counts by month, status, channel and type, the notable cases, and the three rates."""
    rows = list(
        Request.objects.values_list("received_at", "status", "channel", "type", "light", "reopen_count")
    )
    if not rows:
        return {"requests": 0}
    months = Counter(f"{timezone.localtime(r[0]):%Y-%m}" for r in rows)
    first = min(timezone.localdate(r[0]) for r in rows)
    total = grand_total(raw_cells(Period(first, timezone.localdate())))
    events = Counter(RequestEvent.objects.values_list("action", flat=True))
    approvals = Approval.objects.filter(state=ApprovalState.APPROVED)
    return {
        "requests": len(rows),
        "by_month": dict(sorted(months.items())),
        "by_status": _labels(Counter(r[1] for r in rows), Status),
        "by_channel": _labels(Counter(r[2] for r in rows), Channel),
        "by_type": _labels(Counter(r[3] for r in rows), RequestType),
        "open": sum(1 for r in rows if r[1] not in (Status.CLOSED, Status.MERGED)),
        "overdue": sum(1 for r in rows if r[4] == Light.RED),
        "cases": {
            "直接办结": events[Action.DIRECT_CLOSE],
            "吹哨": Whistle.objects.count(),
            "延期（获批）": approvals.filter(kind=ApprovalKind.EXTENSION).count(),
            "退单（获批）": approvals.filter(kind=ApprovalKind.RETURN).count(),
            "挂起": events[Action.SUSPEND],
            "挂账": events[Action.LONG_RUNNING],
            "督办": Request.objects.filter(supervised=True).count(),
            "重办": sum(1 for r in rows if r[5]),
            "合并": events[Action.MERGE],
            "三方议事": CouncilOutcome.objects.count(),
            "预警": DeadlineWarning.objects.count(),
        },
        "events": sum(events.values()),
        "ratings": total.rated,
        "rates": rates_of(total).display(),
    }


def summary_lines(summary: dict[str, Any]) -> list[str]:
    if not summary.get("requests"):
        return ["没有诉求记录"]
    rates = summary["rates"]

    def join(d: dict[str, Any]) -> str:
        return "，".join(f"{k} {v}" for k, v in d.items())

    return [
        f"诉求 {summary['requests']} 件，办理记录 {summary['events']} 条，评价 {summary['ratings']} 次",
        f"按月：{join(summary['by_month'])}",
        f"状态：{join(summary['by_status'])}",
        f"渠道：{join(summary['by_channel'])}",
        f"类型：{join(summary['by_type'])}",
        f"未办结 {summary['open']} 件，其中超期（红灯）{summary['overdue']} 件",
        f"特殊情形：{join(summary['cases'])}",
        f"三率：响应率 {rates['response']}，解决率 {rates['resolution']}，满意率 {rates['satisfaction']}，"
        f"综合得分 {rates['composite']}，重办率 {rates['rework']}",
    ]
