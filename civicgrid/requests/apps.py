from django.apps import AppConfig


class RequestsConfig(AppConfig):
    name = "civicgrid.requests"
    label = "requests"
    verbose_name = "接诉即办"

    def ready(self) -> None:
        from civicgrid.requests.rates import journal

        journal.connect()  # keeps the rates rollups exact (see rates/journal.py)
