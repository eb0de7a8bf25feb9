"""A request that comes without a category takes the classifier's when it is sure enough."""

from typing import Any

import pytest

from civicgrid.classifier import selectors as classifier
from civicgrid.requests import services
from civicgrid.requests.constants import Status
from civicgrid.requests.models import WorkOrder

pytestmark = pytest.mark.django_db


def _sure(category: Any, confidence: float) -> Any:
    return classifier.Suggestion(
        category_id=category.pk, category_code=category.code, path=("a", "b", "c"), confidence=confidence
    )


def test_a_sure_classifier_dispatches_and_the_work_order_says_so(hotline: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(classifier, "auto_dispatch_choice", lambda text: _sure(hotline.street_vending, 0.96))
    created = services.request_create(actor=hotline.city.olivia, data=hotline.new(category=None))
    assert created.status == Status.DISPATCHED and created.category == hotline.street_vending
    order = WorkOrder.objects.get(request=created, role="lead")
    assert order.unit == hotline.chengguan and "智能分类，置信度96%" in order.rule_label


def test_an_unsure_classifier_leaves_the_request_to_triage(hotline: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(classifier, "auto_dispatch_choice", lambda text: None)
    created = services.request_create(actor=hotline.city.olivia, data=hotline.new(category=None))
    assert created.status == Status.RECEIVED and created.category is None
    assert not WorkOrder.objects.filter(request=created).exists()
