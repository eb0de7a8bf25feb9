"""Build the demo city: plan it in memory, then write it in one transaction, phase by phase.

``build(size, seed)`` gives the same city for the same seed: every phase draws from its own
``random.Random`` derived from the seed, nothing depends on set order or database ids.
Only the ciphertexts differ between builds (AES-GCM takes a fresh nonce each time).
"""

import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction

from civicgrid.core.audit import audit_write
from civicgrid.demo.buildings import place_buildings
from civicgrid.demo.bulk import BulkWriter, DeferredIndexes
from civicgrid.demo.constants import Verb
from civicgrid.demo.layout import lay_out
from civicgrid.demo.matters import create_matters
from civicgrid.demo.organisations import Organisations
from civicgrid.demo.people import Populator
from civicgrid.demo.plan import REFERENCE_DATE, SIZES, Plan, PNode
from civicgrid.demo.sink import Sink
from civicgrid.demo.staff import LOGINS, StaffPosts, create_logins, login_nodes
from civicgrid.registry.models import Dwelling, Household, Organisation, Resident
from civicgrid.territory.models import Node, NodeKind, Position
from civicgrid.territory.services import geometry_version_bump

Out = Callable[[str], None]
BULK_MODELS = (Node, Organisation, Dwelling, Household, Resident, Resident.tags.through, Position)
GROUP_SHARE = 0.15  # communities organised in ten-household groups
AREA_SHARE = 0.15  # communities divided into responsibility areas


class DemoError(Exception):
    """A demo build or reset that must not go ahead (message in Chinese, for the user)."""


@dataclass
class Report:
    size: str
    seed: int
    phases: list[tuple[str, float]] = field(default_factory=list)  # wall-clock seconds
    cpu: list[tuple[str, float]] = field(default_factory=list)  # CPU seconds of this process
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return sum(seconds for _, seconds in self.phases)


def status() -> str:
    """``empty`` when there is no territory node yet, otherwise ``built``."""
    return "built" if Node.objects.exists() else "empty"


def rng_for(seed: int, phase: str) -> random.Random:
    """One generator per phase: a change in one phase leaves the others' draws alone."""
    return random.Random(f"civicgrid-demo:{seed}:{phase}")


class Builder:
    def __init__(self, size: str, seed: int, out: Out) -> None:
        if size not in SIZES:
            raise DemoError(f"未知的规模：{size}（可选：{'、'.join(SIZES)}）")
        self.plan = Plan(SIZES[size], seed)
        self.seed, self.out = seed, out
        self.report = Report(size, seed)

    @contextmanager
    def phase(self, label: str) -> Iterator[None]:
        self.out(f"[{len(self.report.phases) + 1}] {label}……")
        started, cpu = time.perf_counter(), time.process_time()
        yield
        self._record(label, started, cpu)

    def _record(self, label: str, started: float, cpu: float) -> None:
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        self.report.phases.append((label, seconds))
        self.report.cpu.append((label, cpu))
        self.out(f"[{len(self.report.phases)}] {label}：用时 {seconds:.1f} 秒（本进程 CPU {cpu:.1f} 秒）")

    def run(self) -> Report:
        refuse_if_not_empty()
        with transaction.atomic():
            refuse_if_not_empty()
            self._build()
            self.out(f"[{len(self.report.phases) + 1}] 提交……")
            started, cpu = time.perf_counter(), time.process_time()
        self._record("提交", started, cpu)
        return self.report

    def _build(self) -> None:
        plan, seed = self.plan, self.seed
        with self.phase("规划区划、网格和楼栋"):
            self._plan_territory()
        sink = Sink(BulkWriter())
        deferred = DeferredIndexes(BULK_MODELS)
        with self.phase("写入区域节点"):
            deferred.drop()
            self._write_nodes(sink)
        with self.phase("单位和责任区域"):
            organisations = Organisations(sink, rng_for(seed, "organisations"))
            organisations.create(plan)
            organisations.responsibility_areas(plan, self._chosen_communities("areas", AREA_SHARE))
            sink.writer.flush()
        with self.phase("房屋、户和居民"):
            populator = self._populate(sink)
        with self.phase("账号和岗位"):
            self._staff(sink)
        with self.phase("重建索引和外键"):
            deferred.restore()
        with self.phase("网格事项清单和收尾"):
            self._finish(sink, organisations, populator)

    # --- phases ---------------------------------------------------------------------------

    def _plan_territory(self) -> None:
        layout = lay_out(self.plan, rng_for(self.seed, "layout"))
        place_buildings(self.plan, layout, rng_for(self.seed, "buildings"))
        kinds = Counter(n.kind for n in self.plan.nodes)
        self.out("    " + "，".join(f"{NodeKind(k).label} {v:,}" for k, v in kinds.items()))

    def _write_nodes(self, sink: Sink) -> None:
        nodes = self.plan.nodes
        for node, node_id in zip(nodes, sink.writer.reserve_ids(Node, len(nodes)), strict=True):
            node.id = node_id
            sink.write_node(node)
        sink.writer.flush()

    def _chosen_communities(self, purpose: str, share: float) -> list[PNode]:
        """Some communities (always including the demo community worker's) for a purpose."""
        communities = self.plan.of_kind(NodeKind.COMMUNITY)
        login_community = login_nodes(self.plan)[NodeKind.COMMUNITY]
        others = [c for c in communities if c is not login_community]
        k = max(1, round(share * len(communities)) - 1)
        chosen = rng_for(self.seed, purpose).sample(others, min(k, len(others)))
        return [login_community, *sorted(chosen, key=lambda c: c.code)]

    def _populate(self, sink: Sink) -> Populator:
        group_grids = {g.code for c in self._chosen_communities("groups", GROUP_SHARE) for g in c.children}
        populator = Populator(sink, rng_for(self.seed, "people"), REFERENCE_DATE, group_grids)
        grids = self.plan.comprehensive_grids()
        step = max(1, len(grids) // 10)
        started = time.perf_counter()
        for i, grid in enumerate(grids, start=1):
            populator.grid(grid)
            if i % step == 0 and i < len(grids):
                elapsed = time.perf_counter() - started
                self.out(
                    f"    {i:,}/{len(grids):,} 个网格，{populator.counts.residents:,} 人，{elapsed:.0f} 秒"
                )
        sink.writer.flush()
        return populator

    def _staff(self, sink: Sink) -> None:
        users = create_logins(self.plan)
        staff = StaffPosts(sink, rng_for(self.seed, "staff"), REFERENCE_DATE)
        staff.bind_logins(self.plan, users)
        staff.create(self.plan)
        sink.writer.flush()

    def _finish(self, sink: Sink, organisations: Organisations, populator: Populator) -> None:
        districts = list(Node.objects.filter(kind=NodeKind.DISTRICT).order_by("code"))
        matters = create_matters(districts)
        geometry_version_bump()
        self.report.counts = self._counts(sink, organisations, populator, matters)
        audit_write(
            actor=None,
            verb=Verb.BUILT,
            target_type="demo",
            target_id=self.plan.size.name,
            target_label=f"演示城市：{self.plan.size.label}，随机种子 {self.seed}",
            node=Node.objects.get(code=self.plan.root.code),
            after={"size": self.plan.size.name, "seed": self.seed, "counts": self.report.counts},
        )

    def _counts(
        self, sink: Sink, organisations: Organisations, populator: Populator, matters: int
    ) -> dict[str, int]:
        counts: Counter[str] = Counter(str(n.kind) for n in self.plan.nodes)
        people = populator.counts
        counts.update(
            {
                NodeKind.HOUSEHOLD_GROUP.value: people.household_groups,
                NodeKind.RESPONSIBILITY_AREA.value: organisations.areas,
                "dwellings": people.dwellings,
                "households": people.households,
                "residents": people.residents,
                "resident_tags": sink.tags.written,
                "organisations": organisations.count,
                "positions": sink.positions.written,
                "logins": len(LOGINS),
                "grid_matters": matters,
            }
        )
        return dict(counts)


def refuse_if_not_empty() -> None:
    if Node.objects.exists():
        raise DemoError(
            "数据库中已有区域数据，不能再生成演示城市（不会重复生成）。"
            "如库中只有演示数据，可先执行 civicgrid demo --reset 清空后重建。"
        )


def build(size: str = "small", seed: int = 1, out: Out = print) -> Report:
    return Builder(size, seed, out).run()
