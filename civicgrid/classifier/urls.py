"""Pages of classifier."""

from django.urls import path

from civicgrid.classifier import views

app_name = "classifier"

urlpatterns = [
    path("", views.versions, name="versions"),
    path("<int:pk>/", views.version_detail, name="version"),
    path("<int:pk>/activate/", views.version_activate, name="activate"),
    path("rollback/", views.rollback, name="rollback"),
    path("train/", views.train, name="train"),
    path("suggest/", views.console_suggest, name="suggest"),
]
