"""Patrols: start, the track sent in batches, end with a short summary (the day's patrol log).

The phone names a patrol by the key it made when the worker pressed 开始巡查, so points
and the end can be sent later, offline-first, without ever knowing the server's id.

A patrol starts in the worker's own grids: a start point sent with it lies in one of them or
near one's boundary (``check_place``), else the start is refused and nothing changes (a
patrol left open stays open). The track is not judged by place: a worker walking the
boundary street, or crossing it to reach the next lane of their grid, steps outside, and
refusing a batch would lose the whole batch of a walk that was real. The track is kept as
walked; the patrol stays its grid's.
"""

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.audit import audit_write
from civicgrid.core.errors import Conflict, NotFound, ValidationError
from civicgrid.gridwork.constants import MAX_CLOCK_SKEW_MINUTES, MAX_POINTS_PER_BATCH, Verb
from civicgrid.gridwork.models import Patrol, PatrolPoint
from civicgrid.gridwork.services.common import (
    PlaceOf,
    Saved,
    check_key,
    check_moment,
    check_place,
    check_point,
    check_text,
    claim,
    grid_for,
    replay,
    require_own_grid,
    require_worker,
)
from civicgrid.territory.models import Node

# Points less accurate than this (metres) are kept on the map but not counted in the distance.
DISTANCE_MAX_ACCURACY_M = 100.0
# A fix farther from the last good one than this speed allows is a GPS glitch: not stored.
MAX_SPEED_KMH = 150.0
JUMP_SLACK_M = 50.0
EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class PointIn:
    at: datetime
    lon: float
    lat: float
    accuracy: float | None = None


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def track_length_m(points: Sequence[tuple[float, float, float | None]]) -> float:
    """Length of a track of (lon, lat, accuracy), skipping imprecise points."""
    good = [(lon, lat) for lon, lat, acc in points if acc is None or acc <= DISTANCE_MAX_ACCURACY_M]
    return sum(haversine_m(*a, *b) for a, b in itertools.pairwise(good))


def is_null_island(lon: float, lat: float) -> bool:
    """A fix at exactly (0, 0): what a phone reports when it has no position at all."""
    return lon == 0 and lat == 0


def plausible(points: Sequence[PointIn]) -> list[PointIn]:
    """The points of a track (any order) that a person on foot or on a scooter could have
    walked, in time order: none at exactly (0, 0), and none that lies farther from the last
    point kept than ``MAX_SPEED_KMH`` for the time between them allows (plus
    ``JUMP_SLACK_M`` of GPS jitter). A fix that jumps to the other side of the world is a
    glitch, not a walk; the points after it are judged from the last good one."""
    kept: list[PointIn] = []
    metres_per_second = MAX_SPEED_KMH * 1000 / 3600
    for point in sorted(points, key=lambda p: p.at):
        if is_null_island(point.lon, point.lat):
            continue
        if kept:
            last = kept[-1]
            seconds = abs((point.at - last.at).total_seconds())
            if (
                haversine_m(last.lon, last.lat, point.lon, point.lat)
                > metres_per_second * seconds + JUMP_SLACK_M
            ):
                continue
        kept.append(point)
    return kept


def _stored(patrol: Patrol) -> list[PointIn]:
    rows = PatrolPoint.objects.filter(patrol=patrol).values_list("recorded_at", "lon", "lat", "accuracy_m")
    return [PointIn(at, lon, lat, acc) for at, lon, lat, acc in rows]


def _refresh_track(patrol: Patrol) -> None:
    """Point count and distance: the distance counts only the plausible points (a glitch
    stored before the rule existed is not counted either)."""
    rows = _stored(patrol)
    patrol.point_count = len(rows)
    patrol.distance_m = round(track_length_m([(p.lon, p.lat, p.accuracy) for p in plausible(rows)]), 1)


def _locked_own(actor: Any, key: str) -> Patrol:
    require_worker(actor)
    patrol = (
        Patrol.objects.select_for_update()
        .filter(client_key=(key or "").strip(), worker=actor)
        .select_related("node")
        .first()
    )
    if patrol is None:
        raise NotFound(_("巡查记录不存在"))
    return patrol


def _auto_end(actor: Any, patrol: Patrol, before: datetime) -> None:
    """A patrol left open (the phone was lost or the worker forgot) ends at its last point."""
    last = (
        PatrolPoint.objects.filter(patrol=patrol)
        .order_by("-recorded_at")
        .values_list("recorded_at", flat=True)
    )
    end = last.first() or patrol.started_at
    patrol.ended_at = max(patrol.started_at, min(end, before))
    _refresh_track(patrol)
    patrol.save(update_fields=["ended_at", "point_count", "distance_m"])
    audit_write(
        actor=actor,
        verb=Verb.PATROL_AUTO_ENDED,
        target=patrol,
        node=patrol.node,
        after={"ended_at": patrol.ended_at, "reason": _("开始新的巡查时自动结束")},
    )


@transaction.atomic
def patrol_start(
    *,
    actor: Any,
    client_key: str,
    started_at: datetime | None = None,
    grid: Node | None = None,
    lon: float | None = None,
    lat: float | None = None,
) -> Saved[Patrol]:
    """开始巡查. A patrol still open is ended first (at its last point). The start point,
    when the phone has one, lies in the worker's grids (``check_place``)."""
    key = check_key(client_key)
    found = replay(Patrol, key, actor)
    if found is not None:
        return Saved(found, False)
    errors: dict[str, list[str]] = {}
    check_point(errors, lon, lat)
    if errors:
        raise ValidationError(errors=errors)
    now = timezone.now()
    started = check_moment(started_at, "started_at", now=now)
    if grid is not None:
        require_own_grid(actor, grid)  # whose grid it is, before where the point lies
    check_place(actor, lon, lat, of=PlaceOf.PATROL_START)
    node = grid_for(actor, grid=grid, lon=lon, lat=lat, patrol=None)

    def create() -> Patrol:
        for open_patrol in Patrol.objects.select_for_update().filter(worker=actor, ended_at__isnull=True):
            _auto_end(actor, open_patrol, before=started)
        patrol = Patrol.objects.create(
            node=node,
            node_path=node.path,
            worker=actor,
            client_key=key,
            day=timezone.localdate(started),
            started_at=started,
        )
        audit_write(
            actor=actor,
            verb=Verb.PATROL_STARTED,
            target=patrol,
            node=node,
            after={"started_at": started, "grid": node.pk},
        )
        return patrol

    try:
        return claim(Patrol, key, actor, create)
    except IntegrityError:
        # Another start under another key (a second tab, a second phone) won the one open
        # patrol a worker may have (``gridwork_one_open_patrol``) while this one was inserting.
        won = Patrol.objects.filter(worker=actor, ended_at__isnull=True).first()
        if won is None:
            raise
        raise Conflict(
            _("您已有一次进行中的巡查（{time}在另一页面或另一部手机上开始），请刷新后继续").format(
                time=timezone.localtime(won.started_at).strftime("%H:%M")
            ),
            code="patrol_open",
            detail={"client_key": won.client_key},
        ) from None


def _aware(point: PointIn) -> PointIn:
    if timezone.is_aware(point.at):
        return point
    return PointIn(timezone.make_aware(point.at), point.lon, point.lat, point.accuracy)


def _bad_accuracy(accuracy: float | None) -> bool:
    return accuracy is not None and not (math.isfinite(accuracy) and 0 <= accuracy <= 100_000)


@dataclass(frozen=True)
class Sorted:
    """A batch's points that may be stored, and how many were left out for each reason."""

    usable: list[PointIn]
    after_end: int
    bad_accuracy: int


def _check_points(patrol: Patrol, points: list[PointIn], now: datetime) -> Sorted:
    """A batch of track points: valid coordinates within the patrol's time. Not where they
    lie: a walk along the boundary steps outside the grid (see the module's note). A point
    the phone took after the patrol ended (an ended patrol takes no more track) or with an
    impossible accuracy is left out and counted, like an impossible fix; the rest is kept."""
    if not points:
        raise ValidationError(_("没有轨迹点"), field="points")
    if len(points) > MAX_POINTS_PER_BATCH:
        raise ValidationError(
            _("一次最多上传{max_points_per_batch}个轨迹点").format(max_points_per_batch=MAX_POINTS_PER_BATCH),
            field="points",
        )
    earliest = patrol.started_at - timedelta(minutes=1)
    latest = now + timedelta(minutes=MAX_CLOCK_SKEW_MINUTES)
    usable: list[PointIn] = []
    after_end = bad_accuracy = 0
    for n, point in enumerate(points, start=1):
        errors: dict[str, list[str]] = {}
        check_point(errors, point.lon, point.lat)
        at = _aware(point).at
        if not earliest <= at <= latest:
            errors["at"] = [_("时间不在本次巡查的起止时间内")]
        if errors:
            reasons = "；".join("，".join(r) for r in errors.values())
            raise ValidationError(_("第{n}个轨迹点：{reasons}").format(n=n, reasons=reasons), field="points")
        if patrol.ended_at is not None and at > patrol.ended_at:
            after_end += 1
        elif _bad_accuracy(point.accuracy):
            bad_accuracy += 1
        else:
            usable.append(_aware(point))
    return Sorted(usable, after_end, bad_accuracy)


@dataclass(frozen=True)
class PointsAdded:
    """What a batch of track points did: ``added`` new points stored, ``skipped`` points left
    out, of which ``after_end`` were taken after the patrol ended and ``bad_accuracy`` had an
    impossible accuracy; the others were impossible fixes (at exactly (0, 0), or too far
    from the last good point: ``plausible``)."""

    added: int
    skipped: int
    after_end: int = 0
    bad_accuracy: int = 0


@transaction.atomic
def patrol_points_add(*, actor: Any, patrol_key: str, points: list[PointIn]) -> PointsAdded:
    """Add track points; a point sent again (same time) is ignored, an impossible fix
    (``plausible``), a point after the patrol's end or with an impossible accuracy is
    skipped and counted, the rest of its batch is kept."""
    patrol = _locked_own(actor, patrol_key)
    checked = _check_points(patrol, points, timezone.now())
    stored = _stored(patrol)
    sent = checked.usable
    kept_ids = {id(p) for p in plausible(stored + sent)}
    good = [p for p in sent if id(p) in kept_ids]
    skipped = len(points) - len(good)
    before = len(stored)
    if good:
        PatrolPoint.objects.bulk_create(
            [
                PatrolPoint(patrol=patrol, recorded_at=p.at, lon=p.lon, lat=p.lat, accuracy_m=p.accuracy)
                for p in good
            ],
            ignore_conflicts=True,
        )
    _refresh_track(patrol)
    added = patrol.point_count - before
    if added or skipped:
        patrol.save(update_fields=["point_count", "distance_m"])
    if added:
        audit_write(
            actor=actor,
            verb=Verb.PATROL_POINTS_ADDED,
            target=patrol,
            node=patrol.node,
            after={
                "added": added,
                "skipped": skipped,
                "points": patrol.point_count,
                "distance_m": patrol.distance_m,
            },
        )
    return PointsAdded(added, skipped, checked.after_end, checked.bad_accuracy)


@transaction.atomic
def patrol_end(
    *,
    actor: Any,
    patrol_key: str,
    ended_at: datetime | None = None,
    places: str = "",
    people_met: int = 0,
    note: str = "",
) -> Saved[Patrol]:
    """结束巡查 with the day's summary. Ending an ended patrol again changes nothing."""
    patrol = _locked_own(actor, patrol_key)
    if patrol.ended_at is not None:
        return Saved(patrol, False)
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    places = (places or "").strip()
    if len(places) > 500:
        errors["places"] = [_("途经地点最长500个字")]
    if not 0 <= int(people_met or 0) <= 10_000:
        errors["people_met"] = [_("接触群众人次应在0到10000之间")]
    note = check_text(errors, "note", note, _("巡查小结"), required=False)
    end = now
    try:
        end = check_moment(ended_at, "ended_at", now=now)
    except ValidationError as exc:
        errors.update(exc.errors)
    if end < patrol.started_at:
        errors["ended_at"] = [_("结束时间不能早于开始时间")]
    if errors:
        raise ValidationError(errors=errors)
    patrol.ended_at = end
    patrol.places, patrol.people_met, patrol.note = places, int(people_met or 0), note
    _refresh_track(patrol)
    patrol.save(update_fields=["ended_at", "places", "people_met", "note", "point_count", "distance_m"])
    audit_write(
        actor=actor,
        verb=Verb.PATROL_ENDED,
        target=patrol,
        node=patrol.node,
        after={
            "ended_at": end,
            "minutes": patrol.minutes,
            "distance_m": patrol.distance_m,
            "people_met": patrol.people_met,
        },
    )
    return Saved(patrol, True)
