from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "civicgrid.web"
    label = "web"
    verbose_name = "页面"
