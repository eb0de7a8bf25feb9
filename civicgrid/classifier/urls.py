"""Pages of classifier."""

from django.urls import URLPattern

app_name = "classifier"

urlpatterns: list[URLPattern] = []
