"""Logging filters: no personal information in the server's request lines.

Searches by phone or ID number (the request ledger, the resident register, the console's
caller history, the API's ``?phone=``) carry the number in the query string. The
development server logs every request line (``django.server``); ``QueryStringDropped``
cuts the query string from those lines, so ``GET /requests/ledger/?phone=138…`` is logged
as ``GET /requests/ledger/?…``. In production the reverse proxy's access log must do the
same (README, "Deploy": nginx's ``log_format`` with ``$uri`` instead of ``$request``).
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
