"""Hot issues of the product's requests: read a node's period from the database, cluster, rank.

Blocks are (community, category group): the community that contains the request's place
(its own node above the community level) and the first two levels of its category code
("0301" 供水). A cluster's previous count is the number of requests of the earlier period
in its block that contain at least two of its five central words (``engine.count_previous``);
the earlier period is as long as the part of the period that has happened
(``previous_period``), and the run's stats say both (``elapsed``, ``previous``). The
previous period, the distinct requesters and the ratings are read only for the clusters
that can still reach the top ``KEEP`` (``rank``).

On PostgreSQL the period is read with one binary COPY (``PG_COPY``) parsed with numpy.
"""

import time
from collections import Counter
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require
from civicgrid.core.audit import audit_write
from civicgrid.core.errors import ValidationError
from civicgrid.governance import engine, text
from civicgrid.governance.models import HotIssue, HotIssueMember, HotIssueRun
from civicgrid.governance.terms import terms_index
from civicgrid.requests.constants import Satisfaction
from civicgrid.requests.models import Category, Rating, Request
from civicgrid.requests.rates.figures import MAX_RANGE_DAYS, Period
from civicgrid.territory.models import Node, NodeKind, common_path

KEEP = 100  # hot issues stored per run
KEEP_MEMBERS = 500  # requests stored per hot issue (the most central)
GROUP_CODE_LENGTH = 4  # "0301": the first two levels of a category code


def params() -> engine.Params:
    """The engine's defaults, overridden by ``settings.GOVERNANCE_HOT_PARAMS`` (a dict)."""
    return replace(engine.Params(), **getattr(settings, "GOVERNANCE_HOT_PARAMS", {}))


def elapsed_part(period: Period) -> Period:
    """The part of ``period`` that has happened: up to today, all of it once it has ended."""
    today = timezone.localdate()
    if period.end <= today or period.start > today:
        return period
    return Period(period.start, today)


def previous_period(period: Period) -> Period:
    """The earlier period a hot issue's growth is measured against: as long as the part of
    ``period`` that has happened (``elapsed_part``), so a range ending in the future is
    compared day for day (5 days so far of 20 Nov–31 Dec with the 5 days before 20 Nov,
    not with 42 days). An ended month compares with the month before; this month so far
    with the same days of last month (1–24 Nov with 1–24 Oct)."""
    elapsed = elapsed_part(period)
    days = elapsed.end - elapsed.start  # the days after the first
    if period.whole_month:
        before = Period.month(period.start - timedelta(days=1))
        if elapsed == period:
            return before
        return Period(before.start, min(before.start + days, before.end))
    end = period.start - timedelta(days=1)
    return Period(end - days, end)


def compared(run: HotIssueRun | None, period: Period) -> tuple[Period, Period]:
    """What a run compared (stored in its stats), or would compare today: the part of the
    period that had happened, and the earlier period of the growth."""
    stats = run.stats if run is not None else {}
    try:
        elapsed = Period(*(date.fromisoformat(d) for d in stats["elapsed"]))
        previous = Period(*(date.fromisoformat(d) for d in stats["previous"]))
    except (KeyError, TypeError, ValueError):
        return elapsed_part(period), previous_period(period)
    return elapsed, previous


def _bounds(period: Period) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(period.start, datetime.min.time(), tzinfo=tz)
    return start, datetime.combine(period.end + timedelta(days=1), datetime.min.time(), tzinfo=tz)


@dataclass
class Columns:
    """One period's requests under a node, as arrays (row k is request ``ids[k]``)."""

    ids: np.ndarray
    node: np.ndarray  # territory node id
    category: np.ndarray  # category id, 0 = none
    at: np.ndarray  # seconds since the epoch
    lon: np.ndarray  # nan = unknown
    lat: np.ndarray
    term_ptr: np.ndarray
    term_ids: np.ndarray

    @property
    def n(self) -> int:
        return len(self.ids)


@dataclass
class Loaded:
    node: Node
    previous_period: tuple[datetime, datetime]
    current: Columns
    corpus: engine.Corpus  # of the current period
    group_codes: list[str]
    paths: dict[int, str]  # node id → path, for the nodes under the run's node
    area_table: np.ndarray  # node id → area number
    areas: list[str]  # area number → path
    group_table: np.ndarray  # category id → group number
    previous_read: int = 0

    def blocks(self, cols: Columns) -> tuple[np.ndarray, np.ndarray]:
        group = self.group_table[np.minimum(cols.category, len(self.group_table) - 1)]
        area = self.area_table[np.minimum(cols.node, len(self.area_table) - 1)]
        return area * len(self.group_codes) + group, group


def _areas(paths: list[str]) -> list[str]:
    """The community path of each place (the place itself above the community level)."""
    communities = set(Node.objects.filter(kind=NodeKind.COMMUNITY).values_list("path", flat=True))
    cache: dict[str, str] = {}

    def area(path: str) -> str:
        found = cache.get(path)
        if found is None:
            found = path
            i = path.find("/")
            while i != -1:
                if path[: i + 1] in communities:
                    found = path[: i + 1]
                    break
                i = path.find("/", i + 1)
            cache[path] = found
        return found

    return [area(p) for p in paths]


# PostgreSQL: one binary COPY of the rows (no sort, no aggregate), parsed with numpy: the
# fixed-width columns first, the words (a bytea of 4-byte ids) last in each row.
PG_COPY = """
COPY (SELECT r.id::int8, r.node_id::int8, COALESCE(r.category_id, 0)::int8,
             EXTRACT(EPOCH FROM r.received_at)::float8,
             COALESCE(r.lon, 'NaN'::float8), COALESCE(r.lat, 'NaN'::float8), t.terms
      FROM requests_request r JOIN governance_requestterms t ON t.request_id = r.id
      WHERE r.received_at >= {start} AND r.received_at < {end} AND {where})
TO STDOUT (FORMAT binary)
"""
FIXED = np.dtype(
    [("count", ">i2")]
    + [
        (f, t)
        for name, kind in (
            ("id", ">i8"),
            ("node", ">i8"),
            ("cat", ">i8"),
            ("at", ">f8"),
            ("lon", ">f8"),
            ("lat", ">f8"),
        )
        for f, t in ((f"{name}_len", ">i4"), (name, kind))
    ]
    + [("terms_len", ">i4")]
)
SQL = """
SELECT r.id, r.node_id, COALESCE(r.category_id, 0), r.received_at, r.lon, r.lat, t.terms
FROM requests_request r JOIN governance_requestterms t ON t.request_id = r.id
WHERE r.received_at >= %s AND r.received_at < %s AND ({where})
ORDER BY r.id
"""


def _parse_copy(data: bytes) -> Columns:
    """Rows of a binary COPY: a fixed part (``FIXED``) then the words; one pass splits them."""
    width = FIXED.itemsize
    raw = memoryview(data)
    fixed_parts, words = bytearray(), bytearray()
    pos, end = 19, len(data) - 2  # after the header (signature, flags, extension); before the trailer
    while pos < end:
        size = int.from_bytes(raw[pos + width - 4 : pos + width], "big")
        fixed_parts += raw[pos : pos + width]
        words += raw[pos + width : pos + width + size]
        pos += width + size
    fixed = np.frombuffer(bytes(fixed_parts), dtype=FIXED)
    lengths = (fixed["terms_len"] // 4).astype(np.int64)
    return _columns(
        fixed["id"],
        fixed["node"],
        fixed["cat"],
        fixed["at"],
        fixed["lon"],
        fixed["lat"],
        lengths,
        bytes(words),
    )


def _columns(
    ids: Any, node: Any, cat: Any, at: Any, lon: Any, lat: Any, lengths: Any, blob: bytes
) -> Columns:
    ptr = np.zeros(len(ids) + 1, dtype=np.int64)
    np.cumsum(np.asarray(lengths, dtype=np.int64), out=ptr[1:])
    return Columns(
        ids=np.asarray(ids, dtype=np.int64),
        node=np.asarray(node, dtype=np.int64),
        category=np.asarray(cat, dtype=np.int64),
        at=np.asarray(at, dtype=np.float64),
        lon=np.asarray(lon, dtype=np.float64),
        lat=np.asarray(lat, dtype=np.float64),
        term_ptr=ptr,
        term_ids=np.frombuffer(blob, dtype="<u4").astype(np.uint32),
    )


def _read(start: datetime, end: datetime, *, path: str = "", nodes: list[int] | None = None) -> Columns:
    """Requests received in [start, end) under ``path``, or at one of ``nodes``, with their words."""
    if nodes is not None and not nodes:
        return _columns([], [], [], [], [], [], [], b"")
    params: list[Any]
    if nodes is None:
        where, params = "r.node_path LIKE %s", [path + "%"]  # paths are digits and slashes
    else:
        where, params = "r.node_id = ANY(%s)", [nodes]
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")  # the join's hash table in memory
            raw = cursor.cursor
            literal = psycopg.ClientCursor(raw.connection)  # COPY takes no parameters: inline them
            sql = PG_COPY.format(
                start=literal.mogrify("%s", [start]),
                end=literal.mogrify("%s", [end]),
                where=literal.mogrify(where, params),
            )
            buffer = bytearray()
            with raw.copy(sql) as copy:
                for chunk in copy:
                    buffer += chunk
        if len(buffer) <= 21:
            return _columns([], [], [], [], [], [], [], b"")
        return _parse_copy(bytes(buffer))
    with connection.cursor() as cursor:
        if nodes is not None:
            where, params = f"r.node_id IN ({', '.join(['%s'] * len(nodes))})", list(nodes)
        # As the ORM writes them (SQLite keeps naive UTC text): a local bound passed as it is
        # would be compared as text, 8 hours off.
        bounds = [connection.ops.adapt_datetimefield_value(at) for at in (start, end)]
        cursor.execute(SQL.format(where=where), [*bounds, *params])
        rows = cursor.fetchall()
    from django.utils.dateparse import parse_datetime

    def epoch(value: Any) -> float:
        at = value if isinstance(value, datetime) else parse_datetime(str(value))
        assert at is not None
        return (at.replace(tzinfo=UTC) if timezone.is_naive(at) else at).timestamp()  # SQLite keeps UTC

    return _columns(
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        [epoch(r[3]) for r in rows],
        [np.nan if r[4] is None else r[4] for r in rows],
        [np.nan if r[5] is None else r[5] for r in rows],
        [len(r[6]) // 4 for r in rows],
        b"".join(bytes(r[6]) for r in rows),
    )


def _lookup(keys: dict[int, int], size: int) -> np.ndarray:
    table = np.zeros(size + 1, dtype=np.int64)
    if keys:
        table[np.fromiter(keys.keys(), np.int64)] = np.fromiter(keys.values(), np.int64)
    return table


def load(node: Node, period: Period) -> Loaded:
    """The period's requests under ``node`` and the tables that put them in blocks."""
    before = previous_period(period)
    start, end = _bounds(period)
    prev_start, prev_end = _bounds(before)
    terms_index(limit=None, received_from=prev_start, received_to=end, path=node.path)
    current = _read(start, end, path=node.path)
    paths = dict(Node.objects.filter(path__startswith=node.path).values_list("id", "path"))
    ordered = sorted(paths)
    area_index: dict[str, int] = {}
    numbers = [area_index.setdefault(a, len(area_index)) for a in _areas([paths[i] for i in ordered])]
    area_table = _lookup(dict(zip(ordered, numbers, strict=True)), max(paths, default=0))
    codes = dict(Category.objects.values_list("pk", "code"))
    group_codes = sorted({c[:GROUP_CODE_LENGTH] for c in codes.values()} | {""})
    group_index = {g: i for i, g in enumerate(group_codes)}
    group_table = _lookup(
        {pk: group_index[c[:GROUP_CODE_LENGTH]] for pk, c in codes.items()}, max(codes, default=0)
    )
    loaded = Loaded(
        node=node,
        previous_period=(prev_start, prev_end),
        current=current,
        corpus=None,  # type: ignore[arg-type]
        group_codes=group_codes,
        paths=paths,
        area_table=area_table,
        areas=sorted(area_index, key=area_index.__getitem__),
        group_table=group_table,
    )
    block, group = loaded.blocks(current)
    buildings = np.fromiter(
        Node.objects.filter(path__startswith=node.path, kind=NodeKind.BUILDING).values_list("pk", flat=True),
        dtype=np.int64,
    )
    loaded.corpus = engine.Corpus(
        block=block,
        group=group,
        at=current.at,
        lon=current.lon,
        lat=current.lat,
        term_ptr=current.term_ptr,
        term_ids=current.term_ids,
        idf_area=block // len(group_codes),
        spot=spots(current, buildings),
    )
    return loaded


def spots(cols: Columns, buildings: np.ndarray) -> np.ndarray:
    """The spot of each request (``engine.Corpus.spot``): its building (a request filed with
    a building is placed at it) and its leaf category; -1 without a building or a category."""
    spot = np.full(cols.n, -1, dtype=np.int64)
    known = np.flatnonzero(np.isin(cols.node, buildings) & (cols.category > 0))
    if len(known):
        keys = cols.node[known] * (int(cols.category.max()) + 1) + cols.category[known]
        spot[known] = np.unique(keys, return_inverse=True)[1].ravel()
    return spot


def previous_counts(loaded: Loaded, clusters: list[engine.Cluster], p: engine.Params) -> list[int]:
    """Previous-period counts of these clusters, reading only the areas they are in."""
    n_groups = len(loaded.group_codes)
    areas = np.unique([c.block // n_groups for c in clusters])
    ids = np.fromiter(loaded.paths, dtype=np.int64, count=len(loaded.paths))
    nodes = ids[np.isin(loaded.area_table[ids], areas)].tolist()
    previous = _read(*loaded.previous_period, nodes=nodes)
    loaded.previous_read += previous.n
    block, _ = loaded.blocks(previous)
    return engine.count_previous(block, previous.term_ptr, previous.term_ids, clusters, p)


@dataclass
class Draft:
    cluster: engine.Cluster
    request_ids: list[int]
    previous: int
    requesters: int = 0
    rated: int = 0
    unsatisfied: int = 0
    heat: float = 0.0

    def score(self) -> float:
        share = self.unsatisfied / self.rated if self.rated else 0.0
        count = len(self.request_ids)
        return engine.heat(
            count=count, previous=self.previous, requesters=self.requesters, unsatisfied_share=share, votes=0
        )


def _chunks(ids: list[int], size: int = 5000) -> list[list[int]]:
    return [ids[s : s + size] for s in range(0, len(ids), size)]


def _requesters(drafts: list[Draft]) -> None:
    """Distinct requesters of each draft, by the keyed hash of the phone (anonymous: one each)."""
    phones: dict[int, str] = {}
    for chunk in _chunks(sorted({r for d in drafts for r in d.request_ids})):
        phones.update(Request.objects.filter(pk__in=chunk).values_list("pk", "requester_phone_hash"))
    for d in drafts:
        known = {phones.get(r, "") for r in d.request_ids} - {""}
        d.requesters = len(known) + sum(1 for r in d.request_ids if not phones.get(r, ""))


def _ratings(drafts: list[Draft]) -> None:
    """Rated and unsatisfied requests of each draft (a request counts by its latest rating)."""
    latest: dict[int, tuple[int, str]] = {}
    for chunk in _chunks(sorted({r for d in drafts for r in d.request_ids})):
        for rid, rnd, sat in Rating.objects.filter(request_id__in=chunk).values_list(
            "request_id", "round", "satisfaction"
        ):
            if rid not in latest or latest[rid][0] < rnd:
                latest[rid] = (rnd, sat)
    for d in drafts:
        seen = [latest[r][1] for r in d.request_ids if r in latest]
        d.rated = len(seen)
        d.unsatisfied = sum(1 for s in seen if s == Satisfaction.UNSATISFIED)


def rank(loaded: Loaded, result: engine.Result, p: engine.Params) -> list[Draft]:
    """The hottest ``KEEP`` clusters. Requesters, ratings and the previous period are read
    only for the clusters whose upper bound (every request another person, all unsatisfied,
    the previous period empty) reaches the ``KEEP``-th lower bound (one person, none
    unsatisfied, no growth)."""
    ids = loaded.current.ids
    drafts = [Draft(cluster=c, request_ids=ids[c.members].tolist(), previous=0) for c in result.clusters]
    for d in drafts:
        d.requesters, d.rated, d.unsatisfied = len(d.request_ids), 1, 1
        d.heat = d.score()
    if len(drafts) > KEEP:
        lower = sorted(
            (
                engine.heat(
                    count=len(d.request_ids), previous=None, requesters=1, unsatisfied_share=0, votes=0
                )
                for d in drafts
            ),
            reverse=True,
        )
        drafts = [d for d in drafts if d.heat >= lower[KEEP - 1]]
    counts = previous_counts(loaded, [d.cluster for d in drafts], p) if drafts else []
    for d, n in zip(drafts, counts, strict=True):
        d.previous = n
    _requesters(drafts)
    _ratings(drafts)
    for d in drafts:
        d.heat = d.score()
    drafts.sort(key=lambda d: (-d.heat, -len(d.request_ids), d.request_ids[0]))
    return drafts[:KEEP]


def _issue_path(run: HotIssueRun, d: Draft, loaded: Loaded) -> str:
    """The smallest node holding all the draft's requests."""
    nodes = loaded.current.node[d.cluster.members]
    return common_path([loaded.paths.get(int(i), run.node_path) for i in nodes]) or run.node_path


def _issues(run: HotIssueRun, drafts: list[Draft], loaded: Loaded, texts: dict[int, str]) -> list[HotIssue]:
    paths = [_issue_path(run, d, loaded) for d in drafts]
    nodes = {n.path: n for n in Node.objects.filter(path__in=set(paths))}  # one query, not one per issue
    return [
        _issue(run, rank_no, d, nodes.get(path, run.node), loaded, texts)
        for rank_no, (d, path) in enumerate(zip(drafts, paths, strict=True), start=1)
    ]


def _issue(
    run: HotIssueRun, rank_no: int, d: Draft, node: Node, loaded: Loaded, texts: dict[int, str]
) -> HotIssue:
    members = d.cluster.members
    cur = loaded.current
    cats = Counter(int(c) for c in cur.category[members] if c)
    lon, lat, at = cur.lon[members], cur.lat[members], cur.at[members]
    located = ~np.isnan(lon)
    titles = [texts.get(r, "") for r in d.request_ids[:50]]
    keywords = engine.term_words(d.cluster.top_terms[:5], titles, text.candidate_words)
    tz = timezone.get_current_timezone()
    return HotIssue(
        run=run,
        rank=rank_no,
        node=node,
        node_path=node.path,
        title=(titles[0] or gettext("（无标题）"))[:200],
        keywords=keywords,
        category_id=cats.most_common(1)[0][0] if cats else None,
        category_prefix=loaded.group_codes[d.cluster.group] if loaded.group_codes else "",
        count=len(d.request_ids),
        previous_count=d.previous,
        growth=round(engine.growth(len(d.request_ids), d.previous), 4),
        requesters=d.requesters,
        rated=d.rated,
        unsatisfied=d.unsatisfied,
        votes=0,
        heat=d.heat,
        lon=float(lon[located].mean()) if located.any() else None,
        lat=float(lat[located].mean()) if located.any() else None,
        first_at=datetime.fromtimestamp(float(at.min()), tz),
        last_at=datetime.fromtimestamp(float(at.max()), tz),
        terms=text.pack(d.cluster.top_terms),
    )


def compute(
    node: Node, period: Period, p: engine.Params | None = None
) -> tuple[Loaded, list[Draft], dict[str, Any]]:
    """The ranked drafts of one node and period, without writing them (the bench times this)."""
    p = p or params()
    timings: dict[str, Any] = {}
    started = time.perf_counter()
    loaded = load(node, period)
    timings["load_s"] = round(time.perf_counter() - started, 3)
    mark = time.perf_counter()
    result = engine.cluster(loaded.corpus, p)
    timings["cluster_s"] = round(time.perf_counter() - mark, 3)
    mark = time.perf_counter()
    drafts = rank(loaded, result, p)
    timings["rank_s"] = round(time.perf_counter() - mark, 3)
    elapsed, before = elapsed_part(period), previous_period(period)
    timings |= {
        "requests": loaded.current.n,
        "previous_requests": loaded.previous_read,
        "elapsed": [str(elapsed.start), str(elapsed.end)],
        "previous": [str(before.start), str(before.end)],
        "links": int(result.stats.get("links", 0)),
        "clusters": len(result.clusters),
    }
    return loaded, drafts, timings


def check_period(period: Period) -> None:
    """The periods hot issues are computed for, as the pages, API and command ask them
    (``rates.access.asked_period``): at most three years (``MAX_RANGE_DAYS``), begun by
    today. Refused before anything is read or stored (the background task included)."""
    if period.end < period.start:
        raise ValidationError(gettext("结束日期不能早于开始日期"), field="end")
    if (period.end - period.start).days > MAX_RANGE_DAYS:
        raise ValidationError(gettext("统计区间最长三年"), field="end")
    if period.start > timezone.localdate():
        raise ValidationError(gettext("开始日期晚于今天，尚无数据，请选择今天或以前的日期"), field="start")


def _prepare(
    *, actor: Any, node: Node, period: Period, system: bool, capability: Capability
) -> tuple[HotIssueRun, list[HotIssue], list[Draft]]:
    """The run and its issues, computed but not saved: ``capability`` at ``node``."""
    if not system:
        require(actor, capability, node.path)
    check_period(period)
    started = time.perf_counter()
    p = params()
    loaded, drafts, stats = compute(node, period, p)
    wanted = [rid for d in drafts for rid in d.request_ids[:50]]
    texts = dict(Request.objects.filter(pk__in=wanted).values_list("pk", "title"))
    run = HotIssueRun(
        node=node,
        node_path=node.path,
        period_start=period.start,
        period_end=period.end,
        params=asdict(p),
        stats=stats,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    issues = _issues(run, drafts, loaded, texts)
    run.seconds = round(time.perf_counter() - started, 3)
    return run, issues, drafts


def hot_issues_preview(*, actor: Any, node: Node, period: Period) -> tuple[HotIssueRun, list[HotIssue]]:
    """The hot issues of ``node`` for ``period`` as a computation would store them, stored
    nowhere and audited nowhere (what a page shows on GET when no run is stored). The run
    and the issues have no primary key; only the words of requests the tick has not cut
    yet are indexed on the way (``terms_index``, the tick's own derived table)."""
    run, issues, _drafts = _prepare(
        actor=actor, node=node, period=period, system=False, capability=Capability.GOVERNANCE_VIEW
    )
    prefetch_related_objects(issues, "category")
    return run, issues


def hot_issues_compute(*, actor: Any, node: Node, period: Period, system: bool = False) -> HotIssueRun:
    """Compute and store the hot issues of ``node`` for ``period``. Storing a run changes
    what every reader of the node sees for the period, so it takes ``TOPIC_MANAGE`` there
    (leaders); ``GOVERNANCE_VIEW`` (a handler's role on the district, an operator) only
    previews (``hot_issues_preview``)."""
    run, unsaved, drafts = _prepare(
        actor=actor, node=node, period=period, system=system, capability=Capability.TOPIC_MANAGE
    )
    with transaction.atomic():
        run.save()
        issues = HotIssue.objects.bulk_create(unsaved)
        HotIssueMember.objects.bulk_create(
            [
                HotIssueMember(issue=issue, request_id=rid, position=pos)
                for issue, d in zip(issues, drafts, strict=True)
                for pos, rid in enumerate(d.request_ids[:KEEP_MEMBERS])
            ],
            batch_size=5000,
        )
        audit_write(
            actor=actor,
            verb="governance.hot_computed",
            target=run,
            node=node,
            after={"period": [str(period.start), str(period.end)], "issues": len(issues), **run.stats},
        )
    return run


def month_period(month: date) -> Period:
    return Period.month(month)
