"""Checks shared by the party services: texts, choices, pledges, files, units, phones."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db.models import TextChoices
from django.utils.translation import gettext as _

from civicgrid.core import crypto
from civicgrid.core.errors import ValidationError
from civicgrid.core.uploads import upload_is_whole
from civicgrid.core.validators import normalise_phone, phone_input_problem
from civicgrid.party.constants import (
    FILE_MAX_BYTES,
    MAX_PLEDGES,
    PARTY_FOUNDED,
    PARTY_MIN_AGE,
    PLEDGE_MAX_LENGTH,
    ServiceType,
)
from civicgrid.territory.models import Node, NodeKind

Errors = dict[str, list[str]]


def add(errors: Errors, field: str, reason: str) -> None:
    errors.setdefault(field, []).append(reason)


def raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors=errors)


def text(
    errors: Errors, field: str, value: str | None, label: str, max_length: int, *, required: bool
) -> str:
    """The stripped text, with a reason added when it is missing or too long."""
    cleaned = (value or "").strip()
    if required and not cleaned:
        add(errors, field, _("请填写{label}").format(label=label))
    elif len(cleaned) > max_length:
        add(errors, field, _("{label}最长{max_length}个字").format(label=label, max_length=max_length))
    return cleaned


def choice(errors: Errors, field: str, value: str, choices: type[TextChoices], label: str) -> str:
    if value not in choices.values:
        add(errors, field, _("请选择有效的{label}").format(label=label))
    return value


def choice_list(
    errors: Errors, field: str, values: Iterable[str], choices: type[TextChoices], label: str
) -> list[str]:
    cleaned = list(dict.fromkeys(v for v in values if v))
    unknown = [v for v in cleaned if v not in choices.values]
    if unknown:
        add(errors, field, _("未知的{label}：{unknown}").format(label=label, unknown="、".join(unknown)))
    return cleaned


def service_types(errors: Errors, values: Iterable[str], field: str = "service_types") -> list[str]:
    return choice_list(errors, field, values, ServiceType, _("服务类型"))


def pledges(errors: Errors, values: Iterable[str], field: str = "pledges") -> list[str]:
    cleaned = list(dict.fromkeys(v.strip() for v in values if v and v.strip()))
    if len(cleaned) > MAX_PLEDGES:
        add(errors, field, _("承诺事项最多{max_pledges}条").format(max_pledges=MAX_PLEDGES))
    if any(len(p) > PLEDGE_MAX_LENGTH for p in cleaned):
        add(
            errors,
            field,
            _("每条承诺事项最长{pledge_max_length}个字").format(pledge_max_length=PLEDGE_MAX_LENGTH),
        )
    return cleaned


def party_day(errors: Errors, field: str, day: date | None, label: str, *, today: date | None) -> None:
    """A date of party life: not before the Party's founding (1921-07-01), not after
    ``today`` (None: the caller checks the upper bound itself)."""
    if day is None:
        return
    if day < PARTY_FOUNDED:
        add(
            errors,
            field,
            _("{label}不能早于{day:%Y}年{day.month}月{day.day}日").format(label=label, day=PARTY_FOUNDED),
        )
    elif today is not None and day > today:
        add(errors, field, _("{label}不能晚于今天").format(label=label))


def join_age(errors: Errors, join_date: date | None, born: date | None, *, field: str = "join_date") -> None:
    """A member joins after birth and at 18 or older (党章：年满十八岁); nothing to check when
    either day is unknown. ``born`` comes from the registry or the ID number."""
    if join_date is None or born is None:
        return
    age = join_date.year - born.year - ((join_date.month, join_date.day) < (born.month, born.day))
    if join_date < born:
        add(errors, field, _("入党日期不能早于出生日期（{born}）").format(born=born.isoformat()))
    elif age < PARTY_MIN_AGE:
        add(
            errors,
            field,
            _("入党日期时未满{minimum}周岁（出生日期{born}）：党章规定年满十八岁方可入党").format(
                minimum=PARTY_MIN_AGE, born=born.isoformat()
            ),
        )


def date_range(
    errors: Errors, start: date | None, end: date | None, *, start_field: str, end_field: str
) -> None:
    if start is None:
        add(errors, start_field, _("请填写开始日期"))
    elif end is not None and end < start:
        add(errors, end_field, _("结束日期不能早于开始日期"))


def phone(errors: Errors, field: str, value: str) -> tuple[str, str, str]:
    """(ciphertext, blind index, masked) of a phone in its canonical form (``+86``, dashes
    and full-width digits as the registry and intake keep them), empty for none."""
    cleaned = (value or "").strip()
    if not cleaned:
        return "", "", ""
    problem = phone_input_problem(cleaned)
    if problem:
        add(errors, field, problem)
        return "", "", ""
    cleaned = normalise_phone(cleaned) or cleaned
    return crypto.encrypt(cleaned), crypto.blind_index(cleaned), crypto.mask_phone(cleaned)


def ancestor_of_kind(node: Node, kind: str) -> Node | None:
    if node.kind == kind:
        return node
    return Node.objects.filter(pk__in=node.ancestor_ids, kind=kind).first()


def community_of(node: Node) -> Node | None:
    return ancestor_of_kind(node, NodeKind.COMMUNITY)


def check_upload(
    errors: Errors, field: str, upload: UploadedFile | None, allowed: Iterable[str], what: str
) -> None:
    """Size and type of an uploaded file; it must be a whole file of its declared type
    (``core.uploads.upload_is_whole``: a decodable image, not only an image's first bytes)."""
    if upload is None:
        add(errors, field, _("请选择文件"))
        return
    if not upload.size or upload.size > FILE_MAX_BYTES:
        add(
            errors,
            field,
            _("{name}：文件为空或超过{megabytes}MB").format(
                name=upload.name, megabytes=FILE_MAX_BYTES // (1024 * 1024)
            ),
        )
        return
    content_type = upload.content_type or ""
    if content_type not in allowed or not upload_is_whole(upload, max_bytes=FILE_MAX_BYTES):
        add(errors, field, _("{name}：只接受{what}").format(name=upload.name, what=what))


def actor_name(actor: Any) -> str:
    if getattr(actor, "is_authenticated", False):
        return str(getattr(actor, "display_name", "") or actor.get_username())
    return str(actor or _("系统"))
