"""Pages of grid work, mounted at /gridwork/. Each views module contributes its own urlpatterns."""

from civicgrid.gridwork.views import campaigns, care, mobile, office, proposals

app_name = "gridwork"

urlpatterns = [
    *mobile.urlpatterns,
    *office.urlpatterns,
    *care.urlpatterns,
    *campaigns.urlpatterns,
    *proposals.urlpatterns,
]
