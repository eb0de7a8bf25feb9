"""Pages of gridwork."""

from django.urls import URLPattern

app_name = "gridwork"

urlpatterns: list[URLPattern] = []
