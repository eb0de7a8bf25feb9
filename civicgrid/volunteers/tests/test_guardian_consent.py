"""A minor registered before the guardian's consent was asked for (or whose consent
changed) gets it recorded afterwards by the community: on the volunteer's page and
through the API, never by the volunteer themself, never for an adult."""

import json
from typing import Any

import pytest
from django.test import Client

from civicgrid.core.errors import PermissionDenied, ValidationError
from civicgrid.core.models import AuditLog
from civicgrid.volunteers import services
from civicgrid.volunteers.models import Volunteer
from civicgrid.volunteers.tests.conftest import People, make_resident
from civicgrid.volunteers.tests.test_findings import born_years_ago

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def minor_without_consent(people: People) -> Volunteer:
    """A child registered before the rule: the row has no consent."""
    c = people.city
    child = make_resident(c, "王小宝", c.building_a1, "13800000061", birth_date=born_years_ago(9))
    volunteer = services.volunteer_register(actor=c.bob, resident=child, guardian_consent="临时")
    Volunteer.objects.filter(pk=volunteer.pk).update(guardian_consent="")
    return Volunteer.objects.get(pk=volunteer.pk)


def test_the_community_records_the_consent_on_the_volunteers_page(people: People) -> None:
    volunteer = minor_without_consent(people)
    bob = login(people.city.bob)
    page = bob.get(f"/volunteers/people/{volunteer.pk}/").content.decode()
    assert "未登记监护人同意" in page and f"/volunteers/people/{volunteer.pk}/consent/" in page
    done = bob.post(f"/volunteers/people/{volunteer.pk}/consent/", {"guardian_consent": "母亲王丽，书面同意"})
    assert done.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.guardian_consent == "母亲王丽，书面同意"
    audit = AuditLog.objects.filter(verb="volunteers.updated", target_id=str(volunteer.pk)).latest("id")
    assert audit.before is not None and audit.after is not None
    assert audit.before["guardian_consent"] == "" and audit.after["guardian_consent"] == "母亲王丽，书面同意"
    page = bob.get(f"/volunteers/people/{volunteer.pk}/").content.decode()
    assert "9岁，监护人同意：母亲王丽" in page and "未登记监护人同意" not in page


def test_a_blank_consent_is_refused_and_changes_nothing(people: People) -> None:
    volunteer = minor_without_consent(people)
    audits = AuditLog.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.volunteer_update(actor=people.city.bob, volunteer=volunteer, guardian_consent="  ")
    assert "须经监护人同意" in exc.value.errors["guardian_consent"][0]
    volunteer.refresh_from_db()
    assert volunteer.guardian_consent == "" and AuditLog.objects.count() == audits


def test_an_adult_gets_no_consent_and_the_volunteer_cannot_record_their_own(people: People) -> None:
    adult = people.v_zhang
    with pytest.raises(ValidationError) as exc:
        services.volunteer_update(actor=people.city.bob, volunteer=adult, guardian_consent="父亲同意")
    assert "guardian_consent" in exc.value.errors
    with pytest.raises(PermissionDenied):
        services.volunteer_update(actor=people.zhang, volunteer=adult, guardian_consent="父亲同意")
    adult.refresh_from_db()
    assert adult.guardian_consent == ""


def test_the_api_records_the_consent(people: People) -> None:
    volunteer = minor_without_consent(people)
    client = login(people.city.bob)
    answer = client.patch(
        f"/api/v1/volunteers/volunteers/{volunteer.pk}",
        json.dumps({"guardian_consent": "父亲王强同意"}),
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    volunteer.refresh_from_db()
    assert volunteer.guardian_consent == "父亲王强同意"
