import pytest

from civicgrid.conftest import City
from civicgrid.registry.tests.factories import World, build_world


@pytest.fixture
def world(city: City) -> World:
    """The city with one of each scoped row in A1 and in B1 (see factories.py)."""
    return build_world(city)
