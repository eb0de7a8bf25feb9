"""Who is signed in now, and signing an account out (强制下线) from the security
administrator's account list.

Sessions are kept in the database (Django's default engine). A session counts as live when
it has not expired and has not been idle past ``SESSION_IDLE_MINUTES`` (``web.idle`` would
end it on its next request). Decoding every live session is done once per list page: a
district's staff hold a few thousand at most.
"""

import time
from collections import Counter
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.constants import Verb
from civicgrid.core.audit import audit_write


def _sessions(*, idle_too: bool) -> list[tuple[str, int]]:
    """Each unexpired session's key with the id of the account signed in to it; without
    ``idle_too``, only those not idle past ``SESSION_IDLE_MINUTES``."""
    from civicgrid.web.idle import LAST_SEEN, idle_expired

    now = time.time()
    found = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = session.get_decoded()
        user_id = str(data.get(SESSION_KEY) or "")
        if user_id.isdigit() and (idle_too or not idle_expired(data.get(LAST_SEEN), now)):
            found.append((session.session_key, int(user_id)))
    return found


def signed_in_counts() -> Counter[int]:
    """How many live sessions each account has (accounts without any are absent)."""
    return Counter(user_id for _, user_id in _sessions(idle_too=False))


@transaction.atomic
def sign_out(*, actor: Any, user: Any) -> int:
    """End every session of ``user`` (idle ones too): the next request of each goes to the
    sign-in page. Audited when there was one to end; returns how many were ended."""
    keys = [key for key, user_id in _sessions(idle_too=True) if user_id == user.pk]
    if not keys:
        return 0
    Session.objects.filter(session_key__in=keys).delete()
    audit_write(actor=actor, verb=Verb.SIGNED_OUT, target=user, after={"sessions": len(keys)})
    return len(keys)
