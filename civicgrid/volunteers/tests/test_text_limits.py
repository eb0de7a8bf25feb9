"""A suspension reason that fills its 200 characters is not cut silently on the orders it
gives back (outside tester): the order's history shows it was shortened (…); the whole
reason stays on the volunteer."""

import pytest

from civicgrid.volunteers import services
from civicgrid.volunteers.tests.conftest import People

pytestmark = pytest.mark.django_db


def test_a_long_suspension_reason_is_marked_shortened_on_the_released_order(people: People) -> None:
    order = services.service_order_take(actor=people.zhang, order=people.order(publish=True))
    note = "多次无故缺席" * 33 + "末尾"  # 200 characters
    services.volunteer_suspend(actor=people.city.bob, volunteer=people.v_zhang, note=note)
    people.v_zhang.refresh_from_db()
    assert people.v_zhang.decision_note == note
    event = order.events.order_by("-id").first()
    assert event is not None and event.action == "release"
    assert len(event.note) == 200 and event.note.endswith("…") and "末尾" not in event.note
