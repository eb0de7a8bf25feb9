"""Queue notifications in the change's transaction; send them after commit."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from civicgrid.core import crypto
from civicgrid.core.audit import audit_write
from civicgrid.core.errors import NotFound, ValidationError
from civicgrid.notify.backends import (
    Message,
    UndeliverableAddress,
    address_problem,
    backend_for,
    channel_configured,
    mobile_problem,
)
from civicgrid.notify.constants import Verb
from civicgrid.notify.models import Channel, Notification, State
from civicgrid.notify.permissions import require_retrier
from civicgrid.notify.selectors import shown_error

log = logging.getLogger("civicgrid.notify")

MAX_ATTEMPTS = 5
STALE_CLAIM = timedelta(minutes=10)


def notify(
    *,
    dedupe_key: str,
    channel: str,
    subject: str,
    body: str,
    recipient_user: Any = None,
    recipient_label: str = "",
    address: str = "",
    target: Any = None,
) -> Notification | None:
    """Queue one message. Returns None when a message with this key was already queued."""
    return queue(
        message_row(
            dedupe_key=dedupe_key,
            channel=channel,
            subject=subject,
            body=body,
            recipient_user=recipient_user,
            recipient_label=recipient_label,
            address=address,
            target=target,
        )
    )


def queue(row: Notification) -> Notification | None:
    """Queue a message built by ``message_row``; None when its key was already queued."""
    row.pk = _insert_unless_queued(row)
    if row.pk is None:
        return None
    row._state.adding, row._state.db = False, transaction.get_connection().alias
    drain_after_commit()
    return row


def message_row(
    *,
    dedupe_key: str,
    channel: str,
    subject: str,
    body: str,
    recipient_user: Any = None,
    recipient_label: str = "",
    address: str = "",
    target: Any = None,
) -> Notification:
    """The unsaved message. Whoever inserts it without ``notify`` (with the other rows of a
    new record, whose key no message can hold yet) calls ``drain_after_commit``."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify must be called inside the change's transaction")
    return Notification(
        dedupe_key=dedupe_key[:200],
        channel=channel,
        recipient_user=recipient_user,
        recipient_label=(recipient_label or str(recipient_user or ""))[:100],
        address_enc=crypto.encrypt(address),
        subject=subject[:200],
        body=body,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        created_at=timezone.now(),
    )


@dataclass(frozen=True)
class Contact:
    """A person a message can reach: their account, how staff name them, and their
    addresses in clear (empty when unknown)."""

    user: Any
    label: str
    phone: str = ""
    email: str = ""


def staff_contacts(users: Iterable[Any], *, label_prefix: str = "") -> list[Contact]:
    """How each active staff account can be reached: the phone of a post it holds today
    (``territory.Position``, decrypted here to be sent; a mobile preferred) and the
    account's e-mail address. Accounts with neither are kept, with empty addresses."""
    from civicgrid.territory.models import Position

    active = [user for user in users if user.is_active]
    today = timezone.localdate()
    posts = (
        Position.objects.filter(user__in=active, start_date__lte=today)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .exclude(phone_enc="")
        .order_by("-start_date", "-pk")
        .values_list("user_id", "phone_enc")
    )
    phones: dict[int, str] = {}
    for user_id, phone_enc in posts:
        try:
            phone = crypto.decrypt(phone_enc)
        except crypto.UndecryptableError:
            log.warning("notify: the phone of a post of user %s cannot be decrypted", user_id)
            continue
        held = phones.get(user_id)
        if held is None or (mobile_problem(held) and not mobile_problem(phone)):
            phones[user_id] = phone
    prefix = f"{label_prefix} " if label_prefix else ""
    return [
        Contact(
            user=user,
            label=f"{prefix}{user.display_name}",
            phone=phones.get(user.pk, ""),
            email=(user.email or "").strip(),
        )
        for user in active
    ]


def message_rows_each(
    *,
    dedupe_key: str,
    contacts: Iterable[Contact],
    subject: str,
    body: str,
    target: Any = None,
    nobody_label: str,
    nobody_reason: str,
) -> list[Notification]:
    """The unsaved messages of ``notify_each``, for a caller that inserts them with the other
    rows of a new record (whose key no message can hold yet) and calls ``drain_after_commit``:
    one per person and channel they can be reached on, or the failed ``nobody`` row."""
    rows = [
        message_row(
            dedupe_key=f"{dedupe_key}:{contact.user.pk}:{channel}",
            channel=channel,
            subject=subject,
            body=body,
            recipient_user=contact.user,
            recipient_label=contact.label,
            address=address,
            target=target,
        )
        for contact in contacts
        for channel, address in ((Channel.SMS, contact.phone), (Channel.EMAIL, contact.email))
        if address and channel_configured(channel)
    ]
    if rows:
        return rows
    row = message_row(
        dedupe_key=f"{dedupe_key}:nobody",
        channel=Channel.SMS,
        subject=subject,
        body=body,
        recipient_label=nobody_label,
        target=target,
    )
    row.state, row.last_error = State.FAILED, nobody_reason[:255]
    return [row]


def notify_each(
    *,
    dedupe_key: str,
    contacts: Iterable[Contact],
    subject: str,
    body: str,
    target: Any = None,
    nobody_label: str,
    nobody_reason: str,
) -> int:
    """Queue one message per person and channel they can be reached on: SMS to a phone,
    e-mail to an e-mail address when that channel is configured. Keys are
    ``{dedupe_key}:{user}:{channel}``, so a retried job sends nobody twice and misses nobody.

    When no one can be reached, a message ``{dedupe_key}:nobody`` to ``nobody_label`` is
    recorded already failed with ``nobody_reason``: the outbox shows who was not told and
    why. Returns the messages queued (not counting that one)."""
    return queue_each(
        message_rows_each(
            dedupe_key=dedupe_key,
            contacts=contacts,
            subject=subject,
            body=body,
            target=target,
            nobody_label=nobody_label,
            nobody_reason=nobody_reason,
        )
    )


def queue_each(rows: Iterable[Notification]) -> int:
    """Queue rows of ``message_rows_each``; the failed "nobody reachable" row is recorded (and
    logged) but not counted. Returns the messages queued."""
    queued = 0
    for row in rows:
        if row.state == State.FAILED:
            if queue(row) is not None:
                log.warning("notify: %s not sent: %s", row.dedupe_key, row.last_error)
        else:
            queued += queue(row) is not None
    return queued


def drain_after_commit() -> None:
    """Send what this transaction queued once it commits (nothing if it rolls back)."""
    transaction.on_commit(_enqueue_drain)


_COLUMNS = (
    "dedupe_key", "channel", "recipient_user_id", "recipient_label", "address_enc", "subject", "body",
    "target_type", "target_id", "state", "attempts", "last_error", "created_at",
)  # fmt: skip


def _insert_unless_queued(row: Notification) -> int | None:
    """Insert the row unless its dedupe key is taken; its id, or None. One statement, no
    savepoint (``INSERT … ON CONFLICT DO NOTHING RETURNING``, PostgreSQL and SQLite ≥ 3.35)."""
    connection = transaction.get_connection()
    qn = connection.ops.quote_name
    values = [getattr(row, column) for column in _COLUMNS]
    values[-1] = connection.ops.adapt_datetimefield_value(row.created_at)
    sql = (
        f"INSERT INTO {qn(Notification._meta.db_table)} ({', '.join(qn(c) for c in _COLUMNS)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(_COLUMNS))}) "
        f"ON CONFLICT ({qn('dedupe_key')}) DO NOTHING RETURNING {qn('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        found = cursor.fetchone()
    return int(found[0]) if found else None


def _enqueue_drain() -> None:
    from civicgrid.notify.tasks import drain_outbox

    if not _drain_waiting(drain_outbox):
        drain_outbox.enqueue()


def _drain_waiting(task: Any) -> bool:
    """Whether a drain is queued and not yet started (database queue only).

    Called after this commit: a drain that has not started yet will claim this commit's
    messages when it runs, so a busy hotline queues one drain at a time, not one per
    message. The periodic ``requests_tick`` drains as well, as a backstop."""
    from django_tasks_db import DatabaseBackend

    if not isinstance(task.get_backend(), DatabaseBackend):
        return False
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    # Raw SQL: this runs after every commit that queued a message (every dispatched intake),
    # and compiling the ORM query cost three times what running it does.
    table = connection.ops.quote_name(DBTaskResult._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE task_path = %s AND status = %s LIMIT 1",  # noqa: S608
            [task.module_path, TaskResultStatus.READY],
        )
        return cursor.fetchone() is not None


def _claim(limit: int, exclude: set[int] | None = None) -> list[int]:
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(state=State.PENDING, attempts__lt=MAX_ATTEMPTS)
            .exclude(pk__in=exclude or ())
            .order_by("id")
            .values_list("id", flat=True)[:limit]
        )
        Notification.objects.filter(pk__in=ids).update(state=State.SENDING, claimed_at=now)
    return ids


def outbox_drain(limit: int = 200) -> int:
    """Send pending messages once each: claim (committed), send, mark sent, batch after
    batch until none is left. Returns the number sent."""
    release_stale_claims()
    sent = 0
    tried: set[int] = set()  # a message that failed waits for the next drain
    while claimed := _claim(limit, exclude=tried):
        sent += _send(claimed)
        tried.update(claimed)
        if len(claimed) < limit:
            break
    return sent


def _send(ids: list[int]) -> int:
    sent = 0
    for pk in ids:
        row = Notification.objects.get(pk=pk)
        try:
            address = crypto.decrypt(row.address_enc)
            if address and (problem := address_problem(row.channel, address)):
                raise UndeliverableAddress(problem)
            message = Message(
                channel=row.channel,
                address=address,
                recipient=row.recipient_label,
                subject=row.subject,
                body=row.body,
                idempotency_key=row.dedupe_key,
            )
            backend_for(row.channel).send(message)
        except UndeliverableAddress as exc:  # no retry can fix the address
            Notification.objects.filter(pk=pk).update(
                state=State.FAILED, attempts=row.attempts + 1, last_error=str(exc)[:255]
            )
            log.warning("notify: message %s not sent: %s", pk, exc)
            continue
        except Exception as exc:
            Notification.objects.filter(pk=pk).update(
                state=State.PENDING if row.attempts + 1 < MAX_ATTEMPTS else State.FAILED,
                attempts=row.attempts + 1,
                last_error=str(exc)[:255],
            )
            continue
        Notification.objects.filter(pk=pk).update(
            state=State.SENT, sent_at=timezone.now(), attempts=row.attempts + 1
        )
        sent += 1
    return sent


def release_stale_claims() -> int:
    """A worker that died between claim and send leaves rows in 'sending'; retry them later.

    The backend receives the same idempotency key, so a gateway that honours it drops a
    repeat of a message that did go out before the crash.
    """
    cutoff = timezone.now() - STALE_CLAIM
    return Notification.objects.filter(state=State.SENDING, claimed_at__lt=cutoff).update(state=State.PENDING)


def notification_retry(*, actor: Any, pk: int) -> bool:
    """Send a failed message again (the outbox page's 重发, the system administrator only).

    The row goes back to ``pending`` with its attempts counted afresh and the drain queued
    after commit; it keeps its dedupe key, so the gateway gets the same idempotency key. One
    audit row ``notify.retried`` with what the row said before. Idempotent: a message that
    is no longer failed (sent again already, or being sent) is left alone and False is
    returned, with no audit row. A message without an address (nobody could be reached)
    is refused: sending it again would reach nobody."""
    require_retrier(actor)
    with transaction.atomic():
        row = Notification.objects.select_for_update().filter(pk=pk).first()
        if row is None:
            raise NotFound(gettext("没有这条通知"))
        if row.state != State.FAILED:
            return False
        if not row.address_enc:
            raise ValidationError(
                gettext(
                    "该通知没有接收地址（{reason}），重发也无人接收；请先为接收人登记手机号或邮箱"
                ).format(reason=shown_error(row.last_error) or gettext("无人可通知")),
                field="notification",
            )
        Notification.objects.filter(pk=pk, state=State.FAILED).update(
            state=State.PENDING, attempts=0, claimed_at=None
        )
        audit_write(
            actor=actor,
            verb=Verb.RETRIED,
            target=row,
            # as the page shows it: a gateway may have put a mobile number in its error text
            before={"state": row.state, "attempts": row.attempts, "last_error": shown_error(row.last_error)},
            after={"state": State.PENDING.value},
        )
        drain_after_commit()
    return True
