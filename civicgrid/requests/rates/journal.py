"""The journal of the rates: every change to a counted row writes a signed ``RateDelta``.

The counts of ``docs/formulas.md`` come from three kinds of rows, and this module follows
each one through Django's model signals, inside the transaction that writes the row:

* ``Rating`` — counted once, in ``Rating.month``, for ``Rating.unit`` at ``Rating.node_path``
  (all frozen when the rating is given);
* ``Request`` — ``received`` in the month of ``received_at``, for its *current* lead unit at
  its *current* place: receiving a request adds +1; changing its lead unit, place or
  reception time (dispatch, reassignment, escalation, an approved return) moves it: −1 where
  it was counted, +1 where it is now;
* ``RequestEvent`` with action close, direct close or reopen — counted in the month of
  ``created_at`` for ``RequestEvent.unit``, or the request's lead unit when the event names
  none, at the request's place: so a change of the request's lead unit or place moves those
  events too, exactly as a recomputation from raw rows would.

Deleting any of these rows writes the opposite delta. Writers only insert deltas: two
transactions never wait for each other here, and no lock order can deadlock.

Writes that send no model signals — ``bulk_create``, ``QuerySet.update``, raw SQL,
``loaddata`` — are not followed: whoever writes counted rows that way (the demo history,
bulk historical imports) must call ``rates.rollup_refresh(months=...)`` for the months
touched; a territory move rewrites the stored paths and rebuilds what it touched itself
(``territory.services.node_move``). ``ranking_recompute_check`` reports any month that drifted. Intake
writes a new request and its first history rows without signals (one statement on
PostgreSQL) and books the same deltas itself (``new_request_deltas``).

Reads of the old values of a ``Request``: its tracked fields are remembered when it is
loaded; a save that changes none of them costs nothing, one that does reads the old values
from the database first (under the row lock the services hold), so a stale object cannot
book a wrong delta.
"""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db.models.signals import post_delete, post_init, post_save, pre_delete, pre_save
from django.utils import timezone

from civicgrid.requests.constants import Action, Resolution, Satisfaction
from civicgrid.requests.models import Rating, Request, RequestEvent
from civicgrid.requests.rates.figures import ZERO, Counts
from civicgrid.requests.rollups import RateDelta

Key = tuple[date, int | None, str]
Entry = tuple[Key, Counts]

TRACKED = ("lead_unit_id", "node_path", "received_at")
SEEN = "_rates_seen"  # the tracked values as last loaded or saved
OLD = "_rates_old"  # the database's values just before a save or delete
WRITTEN = "_rates_written"  # which tracked fields a save writes (``update_fields``)

RECEIVED = Counts(received=1)
EVENT_COUNTS = {
    Action.CLOSE.value: Counts(closed=1),
    Action.DIRECT_CLOSE.value: Counts(closed=1),
    Action.REOPEN.value: Counts(reopened=1),
}
COUNTED_ACTIONS = tuple(EVENT_COUNTS)
RATING_FIELDS = ("month", "unit_id", "node_path", "contacted", "resolution", "satisfaction")


def month_of(moment: datetime) -> date:
    """The local calendar month of an instant (the same time zone as ``cells.bounds``)."""
    return timezone.localtime(moment).date().replace(day=1)


def rating_counts(contacted: bool, resolution: str, satisfaction: str) -> Counts:
    return Counts(
        rated=1,
        contacted=int(bool(contacted)),
        solved=int(resolution == Resolution.SOLVED),
        partly=int(resolution == Resolution.PARTLY),
        unsolved=int(resolution == Resolution.UNSOLVED),
        satisfied=int(satisfaction == Satisfaction.SATISFIED),
        basic=int(satisfaction == Satisfaction.BASIC),
        unsatisfied=int(satisfaction == Satisfaction.UNSATISFIED),
    )


def delta_rows(entries: Iterable[Entry]) -> list[RateDelta]:
    """The unsaved deltas of the entries, equal keys merged and zeros dropped."""
    merged: dict[Key, Counts] = {}
    for key, counts in entries:
        merged[key] = merged.get(key, ZERO) + counts
    return [
        RateDelta(month=month, unit_id=unit_id, place=place, **counts.as_dict())
        for (month, unit_id, place), counts in merged.items()
        if counts != ZERO
    ]


def write(entries: Iterable[Entry]) -> int:
    """Insert the entries as deltas, one statement."""
    rows = delta_rows(entries)
    if rows:
        RateDelta.objects.bulk_create(rows)
    return len(rows)


def new_request_deltas(request: Request, events: Iterable[RequestEvent]) -> list[RateDelta]:
    """The deltas of a new request and its first history rows when they are written without
    model signals (``bulk.insert_together``): what the signals would have written. The
    request's tracked values are remembered as saved, as after ``save``."""
    tracked = _tracked(request)
    request.__dict__[SEEN] = tracked
    entries = _received_entries(tracked)
    for event in events:
        entries += _event_entries(
            (event.action, event.unit_id, event.created_at, request.lead_unit_id, request.node_path)
        )
    return delta_rows(entries)


def _negated(entries: Iterable[Entry]) -> list[Entry]:
    return [(key, -counts) for key, counts in entries]


# Ratings -----------------------------------------------------------------------------------


def _rating_entries(values: tuple[Any, ...] | None) -> list[Entry]:
    if values is None:
        return []
    month, unit_id, place, contacted, resolution, satisfaction = values
    return [((month, unit_id, place), rating_counts(contacted, resolution, satisfaction))]


def _rating_values(rating: Rating) -> tuple[Any, ...]:
    return tuple(getattr(rating, f) for f in RATING_FIELDS)


def _rating_in_db(pk: Any) -> tuple[Any, ...] | None:
    return Rating.objects.filter(pk=pk).values_list(*RATING_FIELDS).first()


def _rating_pre_save(sender: Any, instance: Rating, raw: bool = False, **kwargs: Any) -> None:
    if not raw and not instance._state.adding:
        setattr(instance, OLD, _rating_in_db(instance.pk))


def _rating_post_save(sender: Any, instance: Rating, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    old = None if created else instance.__dict__.pop(OLD, None)
    write([*_negated(_rating_entries(old)), *_rating_entries(_rating_values(instance))])


def _rating_pre_delete(sender: Any, instance: Rating, **kwargs: Any) -> None:
    setattr(instance, OLD, _rating_in_db(instance.pk))


def _rating_post_delete(sender: Any, instance: Rating, **kwargs: Any) -> None:
    write(_negated(_rating_entries(instance.__dict__.pop(OLD, None))))


# Events ------------------------------------------------------------------------------------


def _event_entries(values: tuple[Any, ...] | None) -> list[Entry]:
    """``values`` = (action, unit_id, created_at, request's lead unit, request's place)."""
    if values is None:
        return []
    action, unit_id, created_at, lead_id, place = values
    counts = EVENT_COUNTS.get(action)
    if counts is None or place is None:
        return []
    return [((month_of(created_at), unit_id if unit_id is not None else lead_id, place), counts)]


def _place_of(request_id: Any) -> tuple[Any, Any]:
    """The request's lead unit and place, as the database has them now."""
    found = Request.objects.filter(pk=request_id).values_list("lead_unit_id", "node_path").first()
    return found if found is not None else (None, None)


def _event_in_db(pk: Any) -> tuple[Any, ...] | None:
    found = (
        RequestEvent.objects.filter(pk=pk)
        .values_list("action", "unit_id", "created_at", "request_id")
        .first()
    )
    if found is None or found[0] not in EVENT_COUNTS:
        return None
    action, unit_id, created_at, request_id = found
    return (action, unit_id, created_at, *_place_of(request_id))


def _event_pre_save(sender: Any, instance: RequestEvent, raw: bool = False, **kwargs: Any) -> None:
    if not raw and not instance._state.adding:
        setattr(instance, OLD, _event_in_db(instance.pk))


def _event_post_save(
    sender: Any, instance: RequestEvent, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw:
        return
    old = None if created else instance.__dict__.pop(OLD, None)
    new = None
    if instance.action in EVENT_COUNTS:
        new = (instance.action, instance.unit_id, instance.created_at, *_place_of(instance.request_id))
    if old is not None or new is not None:
        write([*_negated(_event_entries(old)), *_event_entries(new)])


def _event_pre_delete(sender: Any, instance: RequestEvent, **kwargs: Any) -> None:
    setattr(instance, OLD, _event_in_db(instance.pk))


def _event_post_delete(sender: Any, instance: RequestEvent, **kwargs: Any) -> None:
    write(_negated(_event_entries(instance.__dict__.pop(OLD, None))))


# Requests ----------------------------------------------------------------------------------


def _tracked(instance: Request) -> tuple[Any, ...] | None:
    values = instance.__dict__
    if any(f not in values for f in TRACKED):
        return None  # deferred: unknown until read
    return tuple(values[f] for f in TRACKED)


def _received_entries(values: tuple[Any, ...] | None) -> list[Entry]:
    if values is None or values[2] is None:
        return []
    lead_id, place, received_at = values
    return [((month_of(received_at), lead_id, place), RECEIVED)]


def _request_in_db(pk: Any) -> tuple[Any, ...] | None:
    return Request.objects.filter(pk=pk).values_list(*TRACKED).first()


def _request_post_init(sender: Any, instance: Request, **kwargs: Any) -> None:
    instance.__dict__[SEEN] = _tracked(instance)


def _names(update_fields: Iterable[str] | None) -> set[str] | None:
    if update_fields is None:
        return None
    names = set(update_fields)
    return names | {f"{name}_id" for name in names}


def _request_pre_save(
    sender: Any, instance: Request, raw: bool = False, update_fields: Any = None, **kwargs: Any
) -> None:
    instance.__dict__[OLD] = None
    if raw or instance._state.adding:
        return
    names = _names(update_fields)
    written = tuple(i for i, f in enumerate(TRACKED) if names is None or f in names)
    instance.__dict__[WRITTEN] = written
    if not written:
        return
    seen, now = instance.__dict__.get(SEEN), _tracked(instance)
    if seen is not None and now is not None and all(seen[i] == now[i] for i in written):
        return  # none of the tracked fields changed since the row was loaded or saved
    instance.__dict__[OLD] = _request_in_db(instance.pk)


def _moved_events(pk: Any, old: tuple[Any, ...], new: tuple[Any, ...]) -> list[Entry]:
    """Close and reopen events follow the request's lead unit (when they name none) and place."""
    (old_lead, old_place, _), (new_lead, new_place, _) = old, new
    if old_lead == new_lead and old_place == new_place:
        return []
    events = RequestEvent.objects.filter(request_id=pk, action__in=COUNTED_ACTIONS)
    if old_place == new_place:
        events = events.filter(unit__isnull=True)
    entries: list[Entry] = []
    for action, unit_id, created_at in events.values_list("action", "unit_id", "created_at"):
        values = (action, unit_id, created_at)
        entries += _negated(_event_entries((*values, old_lead, old_place)))
        entries += _event_entries((*values, new_lead, new_place))
    return entries


def _request_post_save(
    sender: Any, instance: Request, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    old = instance.__dict__.pop(OLD, None)
    written = instance.__dict__.pop(WRITTEN, ())
    if raw:
        return
    new = _tracked(instance)
    if created:
        write(_received_entries(new))
        instance.__dict__[SEEN] = new
    elif old is not None and new is not None:
        # What the row holds now: the written fields from the object, the others unchanged.
        stored = tuple(new[i] if i in written else old[i] for i in range(len(TRACKED)))
        if stored != old:
            write(
                [
                    *_negated(_received_entries(old)),
                    *_received_entries(stored),
                    *_moved_events(instance.pk, old, stored),
                ]
            )
        instance.__dict__[SEEN] = stored


def _request_pre_delete(sender: Any, instance: Request, **kwargs: Any) -> None:
    instance.__dict__[OLD] = _request_in_db(instance.pk)


def _request_post_delete(sender: Any, instance: Request, **kwargs: Any) -> None:
    write(_negated(_received_entries(instance.__dict__.pop(OLD, None))))


HANDLERS: tuple[tuple[Any, Any, type[Any]], ...] = (
    (post_init, _request_post_init, Request),
    (pre_save, _request_pre_save, Request),
    (post_save, _request_post_save, Request),
    (pre_delete, _request_pre_delete, Request),
    (post_delete, _request_post_delete, Request),
    (pre_save, _rating_pre_save, Rating),
    (post_save, _rating_post_save, Rating),
    (pre_delete, _rating_pre_delete, Rating),
    (post_delete, _rating_post_delete, Rating),
    (pre_save, _event_pre_save, RequestEvent),
    (post_save, _event_post_save, RequestEvent),
    (pre_delete, _event_pre_delete, RequestEvent),
    (post_delete, _event_post_delete, RequestEvent),
)


def connect() -> None:
    """Follow the counted rows (called once from ``RequestsConfig.ready``)."""
    for signal, handler, model in HANDLERS:
        signal.connect(handler, sender=model, dispatch_uid=f"rates-journal-{handler.__name__}")
