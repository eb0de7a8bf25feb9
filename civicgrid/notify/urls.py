"""Pages of the notification outbox (system and audit administrators)."""

from django.urls import path

from civicgrid.notify import views

app_name = "notify"

urlpatterns = [
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:pk>/retry/", views.retry, name="retry"),
]
