"""One rule for every date-time the API reads: without an offset it is local time
(``settings.TIME_ZONE``), through ``core.api_types.LocalDateTime``. A body, query or path
field typed bare ``datetime`` let a naive time reach the services, where comparing it with an
aware one was a 500 (the volunteers API's activities, orders and check-in/out did)."""

import typing
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel

from civicgrid.api import api
from civicgrid.core.api_types import LocalDateTime, aware
from civicgrid.requests.api.schemas import Input


def _is_local(metadata: list[Any]) -> bool:
    return any(isinstance(m, AfterValidator) and m.func is aware for m in metadata)


def _bare(annotation: Any, metadata: list[Any]) -> tuple[int, int]:
    """(date-time fields found, of which bare) in one annotation, through unions and lists."""
    if annotation is datetime:
        return 1, 0 if _is_local(metadata) else 1
    if typing.get_origin(annotation) is typing.Annotated:
        inner, *extra = typing.get_args(annotation)
        return _bare(inner, [*metadata, *extra])
    found = bare = 0
    for arg in typing.get_args(annotation):
        f, b = _bare(arg, [])
        found, bare = found + f, bare + b
    return found, bare


def _walk(model: type[BaseModel], where: str, seen: set[type], report: dict[str, list[str]]) -> None:
    if model in seen:
        return
    seen.add(model)
    for name, field in model.model_fields.items():
        found, bare = _bare(field.annotation, list(field.metadata))
        if found:
            report["found"].append(f"{where} {model.__name__}.{name}")
        if bare:
            report["bare"].append(f"{where} {model.__name__}.{name}")
        for nested in _models(field.annotation):
            _walk(nested, where, seen, report)


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


def test_no_api_input_field_is_a_bare_datetime() -> None:
    api.urls  # noqa: B018 (builds the routers: every operation registered)
    report: dict[str, list[str]] = {"found": [], "bare": []}
    seen: set[type] = set()
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for model in operation.models:  # the body, query, path and form params
                    _walk(model, f"{prefix}{path}", seen, report)
    # the sweep reaches the inputs it is about: volunteers, gridwork, requests, party
    joined = " ".join(report["found"])
    for field in ("ActivityIn.starts_at", "VolunteerOrderIn.wanted_until", "VolunteerCheckIn.at"):
        assert field in joined
    for field in ("PointSchema.at", "WhistleIn.deadline", "MeetingIn.held_at"):
        assert field in joined
    assert len(report["found"]) >= 14
    assert not report["bare"], report["bare"]


def test_a_naive_time_is_the_installations_local_time_and_an_offset_is_kept() -> None:
    class Probe(Input):
        at: LocalDateTime
        until: LocalDateTime | None = None

    probe = Probe.model_validate({"at": "2026-12-01T10:00:00", "until": "2026-12-01T10:00:00Z"})
    assert probe.at == datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert probe.at.utcoffset() is not None and probe.at.isoformat().endswith("+08:00")
    assert probe.until is not None and probe.until.hour == 10
    assert str(probe.until.utcoffset()) == "0:00:00"
    offset = Probe.model_validate({"at": "2026-12-01T10:00:00-05:00"}).at.utcoffset()
    assert offset is not None and offset.total_seconds() == -5 * 3600
