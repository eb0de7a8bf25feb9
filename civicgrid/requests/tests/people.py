"""Staff of a handling unit for the notification tests: a member reachable by the phone of a
post it holds (``notify.services.staff_contacts``) and/or its account's e-mail address."""

from datetime import timedelta

from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.conftest import make_user
from civicgrid.core import crypto
from civicgrid.requests.models import HandlingUnit, UnitMembership
from civicgrid.territory.models import Position, Post


def unit_member(
    unit: HandlingUnit, username: str, *, phone: str = "", email: str = "", active: bool = True
) -> User:
    user = make_user(username, username.title())
    User.objects.filter(pk=user.pk).update(email=email, is_active=active)
    user.refresh_from_db()
    UnitMembership.objects.create(user=user, unit=unit)
    if phone:
        Position.objects.create(
            post=Post.GRID_WORKER_FULLTIME,
            holder_name=username,
            user=user,
            node=unit.node,
            node_path=unit.node.path,
            phone_enc=crypto.encrypt(phone),
            phone_hash=crypto.blind_index(phone),
            start_date=timezone.localdate() - timedelta(days=30),
        )
    return user
