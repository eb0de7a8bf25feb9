"""JSON endpoints of classifier under /api/v1/classifier/."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from civicgrid.accounts.permissions import Capability
from civicgrid.accounts.selectors import require_any
from civicgrid.api_errors import ERRORS
from civicgrid.classifier import selectors, services
from civicgrid.classifier.models import ClassifierVersion
from civicgrid.core.api_types import Integer

router = Router(tags=["智能分类"])


class ClassifierSuggestionOut(Schema):
    category_id: int
    category_code: str
    path: list[str]
    confidence: float
    unit_id: int | None
    unit_name: str
    unit_confidence: float


class VersionOut(Schema):
    id: int
    name: str
    number: int
    kind: str
    source: str
    rows: int
    classes: int
    macro_f1: float | None
    size_bytes: int
    duration_seconds: float
    is_active: bool
    created_at: datetime
    activated_at: datetime | None


class ClassifierTaskOut(Schema):
    task_id: str


def _suggestion(s: selectors.Suggestion) -> ClassifierSuggestionOut:
    return ClassifierSuggestionOut(
        category_id=s.category_id,
        category_code=s.category_code,
        path=list(s.path),
        confidence=s.confidence,
        unit_id=s.unit_id,
        unit_name=s.unit_name,
        unit_confidence=s.unit_confidence,
    )


@router.get(
    "/suggest",
    response={200: list[ClassifierSuggestionOut], **ERRORS},
    summary="按诉求内容推荐分类与承办单位",
)
def suggest(request: HttpRequest, text: str, top: Integer = 3) -> list[ClassifierSuggestionOut]:
    require_any(request.user, Capability.REQUEST_INTAKE)
    return [_suggestion(s) for s in selectors.suggest(text[:2000], top=max(1, min(top, 10)))]


@router.get("/versions", response={200: list[VersionOut], **ERRORS}, summary="模型版本及其评估")
def versions(request: HttpRequest) -> list[ClassifierVersion]:
    return list(selectors.versions_visible(request.user))


@router.post(
    "/versions/{int:version_id}/activate", response={200: VersionOut, **ERRORS}, summary="启用模型版本"
)
def activate(request: HttpRequest, version_id: int) -> ClassifierVersion:
    return services.version_activate(actor=request.user, version_id=version_id)


@router.post("/rollback", response={200: VersionOut, **ERRORS}, summary="回退到上一个启用的版本")
def rollback(request: HttpRequest) -> ClassifierVersion:
    return services.version_rollback(actor=request.user)


@router.post(
    "/train", response={202: ClassifierTaskOut, **ERRORS}, summary="用诉求历史训练新版本（后台任务）"
)
def train(request: HttpRequest) -> tuple[int, ClassifierTaskOut]:
    return 202, ClassifierTaskOut(task_id=services.classifier_train_enqueue(actor=request.user))
