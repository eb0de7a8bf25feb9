from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsConfig(AppConfig):
    name = "civicgrid.requests"
    label = "requests"
    verbose_name = _("接诉即办")
    # The home page's figures: each role's queue, the area's month and its three rates.
    home_figures = "civicgrid.requests.home.home_figures"

    def ready(self) -> None:
        from civicgrid.requests import unit_notify
        from civicgrid.requests.rates import journal
        from civicgrid.requests.services import rulebook

        journal.connect()  # keeps the rates rollups exact (see rates/journal.py)
        rulebook.connect()  # drops the kept dispatch rules and units when they change
        unit_notify.connect()  # drops the kept contacts of units when their people change
