"""The WSGI application (gunicorn ``civicgrid.wsgi``).

Before serving, the PII keys are checked against what is stored (``core.checks``,
``civicgrid.E001``; gunicorn runs no system checks): with a key that cannot read the
stored ID numbers and phones the server refuses to start with the reason, instead of
answering an error at every reveal and writing new values under a different key.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
application = get_wsgi_application()


def _check_pii_keys() -> None:
    from django.db import DatabaseError, connections

    from civicgrid.core.checks import pii_key_problem, production

    if not production():
        return
    try:
        problem = pii_key_problem()
    except DatabaseError:  # not reachable or not migrated: /healthz and migrate tell
        problem = None
    finally:
        # gunicorn --preload forks the workers after this: none may inherit the connection.
        connections.close_all()
    if problem:
        raise RuntimeError(f"civicgrid.E001: {problem}")


_check_pii_keys()
