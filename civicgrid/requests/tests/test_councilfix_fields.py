"""三方议事 refused for a field too long names the field in its reason (an API client reads
only the reason: "最长5000个字" said nothing of which), and nothing is recorded."""

from typing import Any

import pytest
from django.utils import timezone

from civicgrid.core.errors import ValidationError
from civicgrid.requests import services
from civicgrid.requests.models import CouncilOutcome
from civicgrid.requests.services.engine import NOTE_MAX
from civicgrid.requests.tests.test_tierfix_escalate_verify import _at_community

pytestmark = pytest.mark.django_db


def test_each_over_long_field_is_named_in_its_reason(hotline: Any) -> None:
    r, yang = _at_community(hotline)
    services.request_sign(actor=yang, request=r)
    with pytest.raises(ValidationError) as refused:
        services.request_council(
            actor=yang,
            request=r,
            held_on=timezone.localdate(),
            party_branch="王" * 101,
            owners_committee="李主任",
            property_company="物业张经理",
            others="赵" * 256,
            outcome="修" * (NOTE_MAX + 1),
        )
    errors = refused.value.errors
    assert errors["party_branch"] == ["党支部代表最长100个字"]
    assert errors["others"] == ["其他参加人最长255个字"]
    assert errors["outcome"] == [f"议定事项最长{NOTE_MAX}个字"]
    assert "owners_committee" not in errors and not CouncilOutcome.objects.exists()
