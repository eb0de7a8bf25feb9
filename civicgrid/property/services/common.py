"""Checks shared by the services of red property: texts, whole numbers, days, places."""

import re
from datetime import date
from typing import Any

from django.db.models import TextChoices
from django.utils.translation import gettext as _

from civicgrid.core.errors import ValidationError
from civicgrid.core.i18n import StrOrPromise
from civicgrid.core.validators import whole_value
from civicgrid.exchange.cells import clean_text, person_name
from civicgrid.property.constants import FIRST_DAY_YEAR
from civicgrid.registry.models import Organisation, OrganisationKind
from civicgrid.territory.models import Node, NodeKind

Errors = dict[str, list[str]]
FIRST_DAY = date(FIRST_DAY_YEAR, 1, 1)


def add(errors: Errors, field: str, reason: str) -> None:
    errors.setdefault(field, []).append(reason)


def raise_if(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors=errors)


def text(
    errors: Errors,
    field: str,
    value: Any,
    label: StrOrPromise,
    limit: int,
    *,
    required: bool,
    person: bool = False,
) -> str:
    """The text as stored (``clean_text``: stripped, invisible characters dropped), with a
    reason added when it is missing, too long or not text. ``person``: a person's name, as the
    registry stores one (``person_name``: "吴　十", "吴 十" and "吴\u200b十" are 吴十)."""
    if value is not None and not isinstance(value, str):
        add(errors, field, _("{label}应为文本").format(label=label))
        return ""
    cleaned = (person_name if person else clean_text)(value or "")
    if required and not cleaned:
        add(errors, field, _("请填写{label}").format(label=label))
    elif len(cleaned) > limit:
        add(errors, field, _("{label}最长{limit}个字").format(label=label, limit=limit))
    elif "\x00" in cleaned:
        add(errors, field, _("{label}含有无效字符").format(label=label))
    return cleaned


# A typed whole number: an optional sign and digits, half- or full-width (as an IME types
# them). Superscripts ("²"), exponents ("1e3") and decimals are no whole numbers here;
# whole_value alone would fold "²" into 2.
WHOLE_TEXT = re.compile(r"\s*[-+－＋]?[0-9０-９]{1,9}\s*")


def whole(errors: Errors, field: str, value: Any, label: StrOrPromise, *, minimum: int, maximum: int) -> int:
    """A whole number from ``minimum`` to ``maximum`` (3, "3", "３"; not 2.5, True, "abc",
    "--1", "²", "1e3"), or 0 with a reason naming ``label``; blank text is refused as missing."""
    if isinstance(value, str) and value.strip() and not WHOLE_TEXT.fullmatch(value):
        add(
            errors,
            field,
            _("{label}应为{minimum}到{maximum}之间的整数").format(
                label=label, minimum=minimum, maximum=maximum
            ),
        )
        return 0
    number = whole_value(value, errors=errors, field=field, label=label, minimum=minimum, maximum=maximum)
    return 0 if number is None else number


def day(
    errors: Errors,
    field: str,
    value: date | None,
    label: StrOrPromise,
    *,
    today: date | None,
    required: bool = True,
) -> date | None:
    """A day from 1990 on, not after ``today`` (None: no upper bound checked here)."""
    if value is None:
        if required:
            add(errors, field, _("请填写{label}").format(label=label))
        return None
    if value < FIRST_DAY:
        add(errors, field, _("{label}不能早于{year}年").format(label=label, year=FIRST_DAY_YEAR))
    elif today is not None and value > today:
        add(errors, field, _("{label}不能晚于今天").format(label=label))
    return value


def choice(errors: Errors, field: str, value: Any, choices: type[TextChoices], label: StrOrPromise) -> str:
    if value not in choices.values:
        add(errors, field, _("请选择有效的{label}").format(label=label))
        return ""
    return str(value)


def check_compound(errors: Errors, node: Node | None, field: str = "compound") -> None:
    if node is None or node.kind != NodeKind.COMPOUND:
        add(errors, field, _("请选择小区"))
    elif not node.is_active:
        add(errors, field, _("该小区已停用"))


def check_company(errors: Errors, company: Organisation | None, field: str = "company") -> None:
    if company is None:
        add(errors, field, _("请选择物业服务企业"))
    elif company.kind != OrganisationKind.PROPERTY_COMPANY:
        add(errors, field, _("所选单位不是物业服务企业"))


def by(actor: Any) -> Any:
    """The actor as a user row, or None for the system."""
    return actor if getattr(actor, "is_authenticated", False) else None


def years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier (28 February for 29 February in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def lock_compound(node: Node) -> None:
    """Take the compound's node row lock: one writer of its contracts and committees at a time."""
    Node.objects.select_for_update().filter(pk=node.pk).first()
