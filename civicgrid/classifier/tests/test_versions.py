"""Switching and rolling back model versions: the system administrator only, audited."""

from pathlib import Path
from typing import Any

import pytest

from civicgrid.classifier import services
from civicgrid.classifier.models import ClassifierVersion
from civicgrid.classifier.tests.history_data import make_history
from civicgrid.core.errors import Conflict, PermissionDenied
from civicgrid.core.models import AuditLog
from civicgrid.requests.tests.conftest import Hotline


@pytest.fixture
def two_versions(hotline: Hotline, model_dir: Path) -> tuple[ClassifierVersion, ClassifierVersion]:
    make_history(hotline, per_category=6)
    first = services.classifier_train_history(actor=hotline.city.sysadmin).version
    second = services.classifier_train_history(actor=hotline.city.sysadmin).version
    assert first is not None and second is not None
    return first, second


def _state() -> list[tuple[int, bool]]:
    return list(ClassifierVersion.objects.order_by("pk").values_list("pk", "is_active"))


def test_administrator_activates_and_rolls_back(two_versions: Any, hotline: Hotline) -> None:
    first, second = two_versions
    admin = hotline.city.sysadmin
    services.version_activate(actor=admin, version_id=first.pk)
    services.version_activate(actor=admin, version_id=second.pk)
    second.refresh_from_db()
    assert second.is_active and second.replaced_id == first.pk
    back = services.version_rollback(actor=admin)
    assert back.pk == first.pk
    assert _state() == [(first.pk, True), (second.pk, False)]
    verbs = list(AuditLog.objects.filter(verb__startswith="classifier.").values_list("verb", "target_id"))
    assert (services.ACTIVATED, str(first.pk)) in verbs
    assert (services.ACTIVATED, str(second.pk)) in verbs
    assert (services.ROLLED_BACK, str(first.pk)) in verbs
    rolled = AuditLog.objects.get(verb=services.ROLLED_BACK)
    assert rolled.before == {"active": second.pk} and rolled.after == {"active": first.pk}


@pytest.mark.parametrize("who", ["carol", "olivia", "dave", "secadmin"])
def test_others_can_neither_activate_nor_roll_back(two_versions: Any, hotline: Hotline, who: str) -> None:
    first, second = two_versions
    admin = hotline.city.sysadmin
    services.version_activate(actor=admin, version_id=first.pk)
    services.version_activate(actor=admin, version_id=second.pk)
    before, audits = _state(), AuditLog.objects.count()
    actor = getattr(hotline.city, who)
    with pytest.raises(PermissionDenied):
        services.version_activate(actor=actor, version_id=first.pk)
    with pytest.raises(PermissionDenied):
        services.version_rollback(actor=actor)
    with pytest.raises(PermissionDenied):
        services.classifier_train_history(actor=actor)
    assert _state() == before
    assert AuditLog.objects.count() == audits


def test_nothing_to_roll_back_to(two_versions: Any, hotline: Hotline) -> None:
    admin = hotline.city.sysadmin
    with pytest.raises(Conflict):
        services.version_rollback(actor=admin)
    services.version_activate(actor=admin, version_id=two_versions[0].pk)
    with pytest.raises(Conflict):
        services.version_rollback(actor=admin)
    with pytest.raises(Conflict):
        services.version_activate(actor=admin, version_id=two_versions[0].pk)
