"""Ids from a form or a body turned into the rows they name, as far as the actor may see them.

An id the actor cannot see reads as "does not exist" (so an outsider learns nothing); each
problem is reported against its field, in Chinese, before any service runs.
"""

from typing import Any

from django.utils.translation import gettext as _

from civicgrid.accounts.models import User
from civicgrid.core.errors import ValidationError
from civicgrid.gridwork.models import CarePlan
from civicgrid.gridwork.selectors import care_plans_visible
from civicgrid.registry.models import Dwelling, Household, Resident, ResidentTag
from civicgrid.registry.selectors import dwellings_visible, households_visible, residents_visible
from civicgrid.territory.models import Node, NodeKind
from civicgrid.territory.selectors import nodes_visible


class Lookup:
    """Collects every unknown id, then raises them together."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self.errors: dict[str, list[str]] = {}

    def _miss(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def node(self, pk: int | None, field: str = "area_id", kind: str | None = None) -> Node | None:
        if pk is None:
            return None
        node = nodes_visible(self.actor).filter(pk=pk, is_active=True).first()
        if node is None or (kind is not None and node.kind != kind):
            self._miss(
                field, _("网格不存在或您无权查看") if kind == NodeKind.GRID else _("区域不存在或您无权查看")
            )
            return None
        return node

    def grid(self, pk: int | None, field: str = "grid_id") -> Node | None:
        return self.node(pk, field, NodeKind.GRID)

    def resident(self, pk: int | None, field: str = "resident_id") -> Resident | None:
        if pk is None:
            return None
        found = residents_visible(self.actor).select_related("node", "household").filter(pk=pk).first()
        if found is None:
            self._miss(field, _("居民不存在或您无权查看"))
        return found

    def household(self, pk: int | None, field: str = "household_id") -> Household | None:
        if pk is None:
            return None
        found = households_visible(self.actor).select_related("node", "dwelling").filter(pk=pk).first()
        if found is None:
            self._miss(field, _("户不存在或您无权查看"))
        return found

    def dwelling(self, pk: int | None, field: str = "dwelling_id") -> Dwelling | None:
        if pk is None:
            return None
        found = dwellings_visible(self.actor).select_related("node").filter(pk=pk).first()
        if found is None:
            self._miss(field, _("房屋不存在或您无权查看"))
        return found

    def care_plan(self, pk: int | None, field: str = "care_plan_id") -> CarePlan | None:
        if pk is None:
            return None
        found = (
            care_plans_visible(self.actor).select_related("resident", "grid", "node").filter(pk=pk).first()
        )
        if found is None:
            self._miss(field, _("关爱计划不存在或您无权查看"))
        return found

    def tag(self, code: str, field: str = "tag") -> ResidentTag | None:
        code = (code or "").strip()
        if not code:
            return None
        found = ResidentTag.objects.filter(code=code).first() or ResidentTag.objects.filter(name=code).first()
        if found is None:
            self._miss(field, _("未知的标签：{code}").format(code=code))
        return found

    def user(self, pk: int | None, field: str = "worker_id") -> User | None:
        if pk is None:
            return None
        found = User.objects.filter(pk=pk, is_active=True).first()
        if found is None:
            self._miss(field, _("账号不存在"))
        return found

    def need(self, found: object, field: str, message: str) -> None:
        """A required choice left empty: say so (an unknown id has said why already)."""
        if found is None and field not in self.errors:
            self._miss(field, message)

    def done(self) -> None:
        if self.errors:
            raise ValidationError(errors=self.errors)
