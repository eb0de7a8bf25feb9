"""A lead unit other than the rule's needs a reason (派单说明), in the service and the API."""

from typing import Any

import pytest

from civicgrid.core.errors import ValidationError
from civicgrid.requests import services
from civicgrid.requests.constants import Action
from civicgrid.requests.models import RequestEvent
from civicgrid.requests.tests.test_api import Caller

pytestmark = pytest.mark.django_db


def _received(hotline: Any) -> Any:
    return services.request_create(actor=hotline.city.olivia, data=hotline.new(), dispatch=False)


def test_overriding_the_rule_needs_a_reason_and_records_it(hotline: Any) -> None:
    olivia = hotline.city.olivia
    r = _received(hotline)
    with pytest.raises(ValidationError) as refused:
        services.request_dispatch(actor=olivia, request=r, lead_unit=hotline.zhujian)
    assert (
        list(refused.value.errors) == ["note"] and hotline.sub_a_unit.name in refused.value.errors["note"][0]
    )
    done = services.request_dispatch(actor=olivia, request=r, lead_unit=hotline.zhujian, note="涉及维修资金")
    assert done.lead_unit == hotline.zhujian
    event = RequestEvent.objects.filter(request=r, action=Action.DISPATCH).latest("id")
    assert "涉及维修资金" in event.note and hotline.sub_a_unit.name in event.note
    assert event.data["overridden"]["rule_lead"] == hotline.sub_a_unit.pk


def test_the_rules_own_unit_needs_no_reason(hotline: Any) -> None:
    r = _received(hotline)
    done = services.request_dispatch(actor=hotline.city.olivia, request=r, lead_unit=hotline.sub_a_unit)
    assert done.lead_unit == hotline.sub_a_unit


def test_the_api_names_the_note(hotline: Any) -> None:
    olivia = Caller(hotline.city.olivia)
    r = _received(hotline)
    refused = olivia.post(f"/{r.pk}/dispatch", {"lead_unit_id": hotline.zhujian.pk})
    assert refused.status_code in (400, 422) and "note" in refused.json()["detail"]
    done = olivia.post(f"/{r.pk}/dispatch", {"lead_unit_id": hotline.zhujian.pk, "note": "涉及维修资金"})
    assert done.status_code == 200
