"""Logging filters: no personal information in the server's request lines.

Searches by phone or ID number (the request ledger, the resident register, the console's
caller history, the API's ``?phone=``) carry the number in the query string. The
development server logs every request line (``django.server``); ``QueryStringDropped``
cuts the query string from those lines, so ``GET /requests/ledger/?phone=138…`` is logged
as ``GET /requests/ledger/?…``. In production the reverse proxy's access log must do the
same (README, "Deploy": nginx's ``log_format`` with ``$uri`` instead of ``$request``).

``AllowedHostsHint`` adds to Django's "Invalid HTTP_HOST header" line where the allowed
hosts are set here (``CIVICGRID_ALLOWED_HOSTS``): Django's own advice names ALLOWED_HOSTS,
a setting an administrator of civicgrid never edits.
"""

import logging
import re

_QUERY_RE = re.compile(r"\?[^\s\"]*")


class QueryStringDropped(logging.Filter):
    """Replace each query string in the record's message arguments (and message) by ``?…``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "?" in record.msg:
            record.msg = _QUERY_RE.sub("?…", record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_QUERY_RE.sub("?…", a) if isinstance(a, str) else a for a in record.args)
        return True


ALLOWED_HOSTS_HINT = (
    " (civicgrid: list the addresses the site is reached at, comma separated, in the "
    "CIVICGRID_ALLOWED_HOSTS environment variable, then restart; see docs/configuration.md)"
)


class AllowedHostsHint(logging.Filter):
    """Append ``ALLOWED_HOSTS_HINT`` to the ``django.security.DisallowedHost`` records."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and ALLOWED_HOSTS_HINT not in record.msg:
            record.msg += ALLOWED_HOSTS_HINT
        return True
