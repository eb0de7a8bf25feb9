from django.apps import AppConfig


class RequestsConfig(AppConfig):
    name = "civicgrid.requests"
    label = "requests"
    verbose_name = "接诉即办"
