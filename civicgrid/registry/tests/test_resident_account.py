import pytest

from civicgrid.core.errors import PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.registry import services
from civicgrid.registry.models import ResidentAccount
from civicgrid.registry.selectors import resident_for_user

pytestmark = pytest.mark.django_db


def _resident(city, bob):
    return services.resident_create(actor=bob, node=city.building_a1, name="王阿姨", phone="13912345678")


def test_community_worker_opens_a_resident_account(city):
    resident = _resident(city, city.bob)
    user = services.resident_account_open(
        actor=city.bob, resident=resident, username="wangayi", password="secret-123"
    )
    assert resident_for_user(user) == resident
    assert resident_for_user(city.bob) is None
    assert (
        AuditLog.objects.filter(verb="registry.resident_account_opened", target_id=str(resident.pk)).count()
        == 1
    )
    with pytest.raises(ValidationError):
        services.resident_account_open(
            actor=city.bob, resident=resident, username="wang2", password="secret-123"
        )


def test_outsider_cannot_open_an_account(city):
    resident = _resident(city, city.bob)
    before = AuditLog.objects.count()
    with pytest.raises(PermissionDenied):
        services.resident_account_open(
            actor=city.carol, resident=resident, username="x1", password="secret-123"
        )
    assert not ResidentAccount.objects.exists()
    assert AuditLog.objects.count() == before
