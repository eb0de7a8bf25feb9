"""Campaign results to Excel (through ``exchange.exports.xlsx_response``: audited, PII masked)."""

from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import scope_filter
from civicgrid.core import crypto
from civicgrid.exchange.exports import CHUNK, xlsx_response
from civicgrid.gridwork.constants import QuestionKind
from civicgrid.gridwork.models import Campaign, CampaignItem
from civicgrid.gridwork.selectors import campaign_items_visible

FIXED_HEADERS = [
    gettext_lazy("社区"),
    gettext_lazy("网格"),
    gettext_lazy("对象"),
    gettext_lazy("户编码"),
    gettext_lazy("户主"),
    gettext_lazy("状态"),
    gettext_lazy("负责网格员"),
    gettext_lazy("完成时间"),
]


def _answer(kind: str, value: Any) -> Any:
    if value is None:
        return ""
    if kind == QuestionKind.YESNO:
        return _("是") if value else _("否")
    return value


def _person(user: Any) -> str:
    return (user.full_name or user.username) if user is not None else ""


def campaign_xlsx(actor: Any, campaign: Campaign) -> HttpResponse:
    questions = list(campaign.checklist)
    items = scope_filter(campaign_items_visible(actor, campaign), actor, Capability.EXPORT)
    items = items.select_related("grid", "grid__parent", "household", "assignee").order_by(
        "node_path", "label"
    )

    def rows() -> Iterable[tuple[Any, ...]]:
        for item in items.iterator(chunk_size=CHUNK):
            yield _row(item, questions)

    headers = [*FIXED_HEADERS, *(q["label"] for q in questions), _("备注")]
    return xlsx_response(
        actor=actor,
        list_name=_("专项任务_{name}").format(name=campaign.name),  # the sheet: exports.sheet_title
        headers=headers,
        rows=rows(),
        node=campaign.node,
    )


def _row(item: CampaignItem, questions: list[dict[str, Any]]) -> tuple[Any, ...]:
    grid = item.grid
    household = item.household
    head = crypto.mask_name(household.head_name) if household and household.head_name else ""
    return (
        grid.parent.name if grid and grid.parent else "",
        grid.name if grid else "",
        item.label,
        household.code if household else "",
        head,
        item.get_state_display(),
        _person(item.assignee),
        timezone.localtime(item.checked_at).replace(tzinfo=None) if item.checked_at else "",
        *(_answer(q["kind"], item.answers.get(q["key"])) for q in questions),
        item.note,
    )
