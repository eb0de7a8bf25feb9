"""The dispatch rules and the active handling units, kept per process.

Dispatch by the rules runs on every intake. Rules and units change seldom (an
administrator's edit), so each process keeps them all: the active rules in priority order
with their area's path and assisting units, and every active unit by id and by the node it
serves. Matching a request then reads nothing from the database.

How fresh it is:

* In the process that changes a rule, a unit, the rules' assisting units or a node (through
  the models, so also the admin; a subtree moved or stopped by the territory services),
  the book is dropped at once and again at the commit. Until it commits, that
  transaction reads the rules afresh each time (its changes are its own) and keeps nothing.
* Changes made around the models (a queryset ``update``, SQL, another process) are seen
  when the book is read again: at most every ``RULES_CHECK_SECONDS`` (2 s by default). For
  that long another process may still dispatch by a rule just changed, or to a unit just
  stopped; a request so dispatched is handled or reassigned like any other.

Rules and units are stopped (``is_active``), never deleted (the admin offers no delete):
a work order names its rule and unit, and a rule deleted elsewhere could still be named
here until the next read, failing the intake's commit.

Units and rules are handed out as copies: callers may load relations on them.
"""

import threading
import time
from dataclasses import dataclass, field
from typing import Any, TypeVar

import django
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.db.utils import DJANGO_VERSION_PICKLE_KEY

from civicgrid.requests.models import DispatchRule, HandlingUnit
from civicgrid.territory.models import Node
from civicgrid.territory.signals import nodes_changed

# The rules and their assisting units in one statement.
RULES_SQL = """
SELECT r.id, r.name, r.priority, r.category_prefix, r.area_id, n.path, r.target, r.unit_id,
       r.copy_to_id, a.handlingunit_id
FROM {rule} r
LEFT JOIN {node} n ON n.id = r.area_id
LEFT JOIN {assisting} a ON a.dispatchrule_id = r.id
WHERE r.is_active
ORDER BY r.priority, r.id, a.handlingunit_id
"""


@dataclass
class BookRule:
    """An active rule with what matching needs: its area's path and assisting unit ids."""

    rule: DispatchRule
    area_path: str | None
    assisting: list[int] = field(default_factory=list)

    def fits(self, code: str, node_path: str) -> bool:
        return code.startswith(self.rule.category_prefix) and (
            self.area_path is None or node_path.startswith(self.area_path)
        )


M = TypeVar("M", bound=Model)


def private_copy(obj: M) -> M:
    """A copy of a kept instance for one caller to change freely: what ``copy.copy`` makes
    of a model instance (Django's own state copy), without the pickling protocol's detour
    through the app registry (about 2 % of the function calls of an intake)."""
    state = obj.__getstate__()
    state[DJANGO_VERSION_PICKLE_KEY] = django.__version__  # as ``Model.__reduce__`` adds it
    clone = obj.__class__.__new__(obj.__class__)
    clone.__setstate__(state)  # type: ignore[attr-defined]
    return clone


@dataclass
class RuleBook:
    rules: list[BookRule]  # active rules, lowest priority number first
    units: dict[int, HandlingUnit]  # every active unit by id
    by_place: dict[tuple[str, int], HandlingUnit]  # (unit kind, node id) -> active unit

    def unit(self, pk: int | None) -> HandlingUnit | None:
        found = self.units.get(pk) if pk is not None else None
        return private_copy(found) if found is not None else None

    def unit_at(self, kind: str, node_ids: list[int]) -> HandlingUnit | None:
        """The active unit of ``kind`` serving the nearest of ``node_ids`` (the last first)."""
        for node_id in reversed(node_ids):
            found = self.by_place.get((kind, node_id))
            if found is not None:
                return private_copy(found)
        return None


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


def _read() -> RuleBook:
    sql = RULES_SQL.format(
        rule=_table(DispatchRule), node=_table(Node), assisting=_table(DispatchRule.assisting.through)
    )
    rules: dict[int, BookRule] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for pk, name, priority, prefix, area_id, area_path, target, unit_id, copy_to_id, helper in cursor:
            if pk not in rules:
                rule = DispatchRule(
                    id=pk,
                    name=name,
                    priority=priority,
                    category_prefix=prefix,
                    area_id=area_id,
                    target=target,
                    unit_id=unit_id,
                    copy_to_id=copy_to_id,
                    is_active=True,
                )
                rules[pk] = BookRule(rule, area_path if area_id is not None else None)
            if helper is not None:
                rules[pk].assisting.append(helper)
    units = {unit.pk: unit for unit in HandlingUnit.objects.filter(is_active=True).order_by("pk")}
    by_place: dict[tuple[str, int], HandlingUnit] = {}
    for unit in units.values():  # two of a kind at one node: the older one
        by_place.setdefault((unit.kind, unit.node_id), unit)
    return RuleBook(list(rules.values()), units, by_place)


class RuleBookCache:
    def __init__(self) -> None:
        self._book: RuleBook | None = None
        self._read_at = float("-inf")
        self._generation = 0  # moves on at each invalidation
        self._lock = threading.Lock()

    def book(self) -> RuleBook:
        if self._changing_here():
            return _read()  # this transaction's own changes, which no other thread may see
        now = time.monotonic()
        book = self._book
        if book is not None and now - self._read_at < settings.RULES_CHECK_SECONDS:
            return book
        generation = self._generation
        book = _read()
        with self._lock:
            # Kept only if nothing was invalidated while this read was under way.
            if self._generation == generation:
                self._book, self._read_at = book, now
        return book

    def invalidate(self) -> None:
        with self._lock:
            self._generation += 1
            self._book = None

    def changed(self, **_: Any) -> None:
        """A rule, unit, assisting unit or node changed (a signal's receiver)."""
        self.invalidate()
        if connection.in_atomic_block and not self._changing_here():
            transaction.on_commit(self.invalidate)

    def _changing_here(self) -> bool:
        """Whether this thread's open transaction changed rules or units: its commit hook is
        still pending (Django drops the hooks of a transaction rolled back)."""
        return any(hook[1] == self.invalidate for hook in connection.run_on_commit)


rulebook = RuleBookCache()


def connect() -> None:
    """Drop the book whenever a rule, a unit, a rule's assisting units or a node changes."""
    for model in (DispatchRule, HandlingUnit, Node):
        post_save.connect(rulebook.changed, sender=model, dispatch_uid=f"rulebook-save-{model.__name__}")
        post_delete.connect(rulebook.changed, sender=model, dispatch_uid=f"rulebook-delete-{model.__name__}")
    m2m_changed.connect(rulebook.changed, sender=DispatchRule.assisting.through, dispatch_uid="rulebook-m2m")
    # a subtree moved or stopped by the territory services
    nodes_changed.connect(rulebook.changed, sender=Node, dispatch_uid="rulebook-nodes")
