"""Placeholder: filled in by its module's work; urlpatterns are included by requests/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
