"""Pages of respond-upon-receipt. Each views module contributes its own urlpatterns."""

from civicgrid.requests.views import catalogue, handler, ledger, operator, overview, rates, resident

app_name = "requests"

urlpatterns = [
    *operator.urlpatterns,
    *handler.urlpatterns,
    *ledger.urlpatterns,
    *rates.urlpatterns,
    *overview.urlpatterns,
    *catalogue.urlpatterns,
    *resident.urlpatterns,
]
