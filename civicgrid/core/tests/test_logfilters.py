"""The development server's request lines are logged without their query strings, which
carry phones and ID numbers searched for."""

import logging

import pytest

from civicgrid.core.logfilters import QueryStringDropped


def test_a_request_line_loses_its_query_string(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("django.server")
    assert any(isinstance(f, QueryStringDropped) for f in logger.filters)  # as settings.LOGGING says
    logger.propagate = True  # so that caplog sees the record (settings keep it on the console only)
    try:
        with caplog.at_level(logging.INFO, logger="django.server"):
            logger.info('"%s" %s %s', "GET /requests/ledger/?phone=13812345678&page=2 HTTP/1.1", "200", "512")
            logger.info("GET /registry/residents/?q=320213197912155005 HTTP/1.1")
    finally:
        logger.propagate = False
    lines = {r.getMessage() for r in caplog.records}
    assert lines == {'"GET /requests/ledger/?… HTTP/1.1" 200 512', "GET /registry/residents/?… HTTP/1.1"}
    assert "13812345678" not in caplog.text and "320213197912155005" not in caplog.text
