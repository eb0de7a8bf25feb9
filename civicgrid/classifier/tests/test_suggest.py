"""Training on the request history (final categories, corrections included) and the
suggestions the operator console and intake use."""

from pathlib import Path
from typing import Any

import pytest

from civicgrid.classifier import history, selectors, services
from civicgrid.classifier.models import ModelKind
from civicgrid.classifier.tests.history_data import make_history, units
from civicgrid.core.errors import ValidationError
from civicgrid.requests.models import Request
from civicgrid.requests.tests.conftest import Hotline


@pytest.fixture
def trained(hotline: Hotline, model_dir: Path) -> Any:
    make_history(hotline)
    result = services.classifier_train_history(actor=hotline.city.sysadmin)
    assert result.version is not None
    services.version_activate(actor=hotline.city.sysadmin, version_id=result.version.pk)
    return result.version


def test_history_uses_the_final_category_after_a_correction(hotline: Hotline) -> None:
    requests = make_history(hotline, per_category=2)
    wrong = requests[0]
    assert wrong.category == hotline.lift
    Request.objects.filter(pk=wrong.pk).update(category=hotline.noise)  # the operator's correction
    rows = history.history_rows()
    assert len(rows.texts) == len(requests)
    text = f"{wrong.title} {wrong.content}"
    assert rows.categories[rows.texts.index(text)] == hotline.noise.code


def test_training_from_history_registers_a_catalogue_version(trained: Any, hotline: Hotline) -> None:
    assert trained.kind == ModelKind.CATALOGUE and trained.classes == 5
    assert set(trained.metrics) == {"category", "unit"}
    assert trained.metrics["category"]["macro_f1"] > 0.5


def test_suggest_returns_top_three_with_path_unit_and_confidence(trained: Any, hotline: Hotline) -> None:
    suggestions = selectors.suggest("我们小区电梯又坏了，困了人，物业也不来修")
    assert len(suggestions) == 3
    best = suggestions[0]
    assert best.category_id == hotline.lift.pk
    assert best.path == ("城乡建设", "物业管理", "电梯故障") and best.is_leaf
    assert best.unit_id == units(hotline)["lift"].pk and best.unit_name
    confidences = [s.confidence for s in suggestions]
    assert confidences == sorted(confidences, reverse=True)
    assert 0 < sum(confidences) <= 1.0 + 1e-6
    assert selectors.suggest("发大水了淹了路口的菜市场和公交站", top=1)[0].confidence > 0


def test_suggest_is_empty_without_an_active_version(hotline: Hotline, model_dir: Path) -> None:
    assert selectors.suggest("电梯坏了") == []
    assert selectors.auto_dispatch_choice("电梯坏了") is None


def test_auto_dispatch_only_above_the_configured_confidence(trained: Any, settings: Any) -> None:
    text = "小区电梯困人"
    settings.CLASSIFIER_AUTO_DISPATCH_CONFIDENCE = 0.0
    choice = selectors.auto_dispatch_choice(text)
    assert choice is not None and choice.is_leaf
    settings.CLASSIFIER_AUTO_DISPATCH_CONFIDENCE = 1.01
    assert selectors.auto_dispatch_choice(text) is None


def test_the_cached_model_follows_the_active_version(trained: Any, hotline: Hotline) -> None:
    selectors.suggest("电梯坏了")
    first = selectors.active_model.get()
    newer = services.classifier_train_history(actor=hotline.city.sysadmin).version
    assert newer is not None
    services.version_activate(actor=hotline.city.sysadmin, version_id=newer.pk)
    second = selectors.active_model.get()
    assert first is not None and second is not None and second[0] is not first[0]


def test_too_little_history_is_refused(hotline: Hotline, model_dir: Path) -> None:
    make_history(hotline, per_category=1)
    with pytest.raises(ValidationError, match="太少"):
        services.classifier_train_history(actor=hotline.city.sysadmin)
