from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "civicgrid.notify"
    label = "notify"
    verbose_name = "消息通知"
