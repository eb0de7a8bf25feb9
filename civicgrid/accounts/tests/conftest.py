import pytest

from civicgrid.conftest import City
from civicgrid.registry.tests.factories import World, build_world


@pytest.fixture
def world(city: City) -> World:
    """The city with one of each scoped row in A1 and in B1 (see factories.py)."""
    return build_world(city)


@pytest.fixture
def integration_accounts(city: City) -> None:
    """The security administrator's pages create tokens only for system-integration
    accounts (``User.is_integration``): bob and carol stand for such accounts here."""
    for user in (city.bob, city.carol):
        user.is_integration = True
        user.save(update_fields=["is_integration"])
