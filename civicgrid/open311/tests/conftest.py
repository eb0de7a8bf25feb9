"""Open311 tests run on the hotline of the request tests (units, catalogue, rules, people)."""

from civicgrid.requests.tests.conftest import Hotline, hotline

__all__ = ["Hotline", "hotline"]
