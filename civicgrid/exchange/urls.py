from django.urls import path

from civicgrid.exchange import views

app_name = "exchange"

urlpatterns = [
    path("imports/", views.import_list, name="imports"),
]
