"""Input types shared by every ``/api/v1/`` schema.

``Integer`` is the type of every integer input (ids, versions, counts, paging): an id is a
whole number written as one. pydantic's lax mode would read JSON ``true`` as 1 and ``1.0`` as
1, so an id list ``[5, true]`` would act on record 1 and ``expected_version: true`` would be
compared with version 1; here both are 422 ``…应为整数`` naming the field. Text stays lax, as a
query string only holds text (``"12"`` is 12).

An integer beyond 64 bits (no column or id holds it) is refused here, naming the field: only
the parameters that are integers in the schema. A text parameter that is a long run of digits
(``q``, ``phone``, ``number``) is text, checked by its own rules (``诉求人电话最长20个字``).

``LocalDateTime`` is the type of every date-time input: a time sent without an offset
(``2026-12-01T10:00:00``) is read in the installation's time zone (``settings.TIME_ZONE``,
Asia/Shanghai), as the pages read a typed time; one with an offset keeps it. Services then
only ever see aware times (a naive one used to reach a comparison with an aware one: 500).
"""

from datetime import datetime
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from civicgrid.core.inputs import INT_MAX, number_problem


def _whole_number(value: Any) -> Any:
    """An id, version or count is an integer written as one: JSON true is not 1, and 1.0 or
    1.5 is not an id (pydantic's lax mode would take true and 1.0 as 1)."""
    if isinstance(value, bool | float):
        raise PydanticCustomError("int_type", _("应为整数"))
    if (isinstance(value, str) and number_problem(value)) or (
        isinstance(value, int) and abs(value) > INT_MAX
    ):
        # before pydantic reads it: beyond 4,300 digits its own error is in English
        raise PydanticCustomError(
            "int_too_large", _("数值超出范围（绝对值不能超过 {int_max}）"), {"int_max": INT_MAX}
        )
    return value


# Every integer field of the API's inputs (ids, versions, paging): see ``_whole_number``.
Integer = Annotated[int, BeforeValidator(_whole_number)]


def aware(moment: datetime) -> datetime:
    """A date-time as the API reads it: without an offset it is local time (``TIME_ZONE``)."""
    if timezone.is_naive(moment):
        return timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


# Every date-time field of the API's inputs: a naive time is local time (see ``aware``).
LocalDateTime = Annotated[datetime, AfterValidator(aware)]


def choices_text(choices: Any, lead: str = "") -> str:
    """A field's allowed values for the OpenAPI description, from its ``TextChoices`` (never
    copied by hand): "取值：normal（一般）、urgent（紧急）". ``lead``: what the field is, put first."""
    values = "、".join(f"{c.value}（{c.label}）" for c in choices)
    return f"{lead}；取值：{values}" if lead else f"取值：{values}"  # i18n: data (API documentation)
