"""Pages of governance (主动治理), mounted at /governance/."""

from civicgrid.governance.views import urlpatterns as urlpatterns

app_name = "governance"
