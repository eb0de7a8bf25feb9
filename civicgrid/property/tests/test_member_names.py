"""A committee does not take the same typed name twice while that member serves."""

from datetime import timedelta

import pytest

from civicgrid.core.errors import ValidationError
from civicgrid.property import services
from civicgrid.property.models import CommitteeMember
from civicgrid.property.tests.conftest import World, audit_count, today


def test_the_same_free_text_name_is_refused_while_that_member_serves(world: World) -> None:
    c = world.city
    committee = services.committee_create(
        actor=c.bob,
        compound=world.shengli,
        term_starts_on=today() - timedelta(days=30),
        term_ends_on=today() + timedelta(days=1000),
    )
    services.committee_member_add(
        actor=c.bob, committee=committee, name="王业主", post="member", negative_items=[]
    )
    before = audit_count()
    with pytest.raises(ValidationError) as refused:
        services.committee_member_add(
            actor=c.bob, committee=committee, name=" 王业主 ", post="member", negative_items=[]
        )
    assert refused.value.errors == {
        "name": ["本届业委会已有在任成员「王业主」；如是另一位同名居民，请选择其居民档案"]
    }
    assert CommitteeMember.objects.count() == 1 and audit_count() == before
