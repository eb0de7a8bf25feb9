"""Pages of red property, under /property/."""

from django.urls import path

from civicgrid.property.views import actions, pages

app_name = "property"

urlpatterns = [
    path("", pages.board, name="board"),
    path("compounds/", pages.compounds, name="compounds"),
    path("compounds/<int:pk>/", pages.compound, name="compound"),
    path("compounds/<int:pk>/contracts/new/", actions.contract_new, name="contract_new"),
    path("compounds/<int:pk>/inspections/new/", actions.inspection_new, name="inspection_new"),
    path("compounds/<int:pk>/committees/new/", actions.committee_new, name="committee_new"),
    path("contracts/<int:pk>/end/", actions.contract_end, name="contract_end"),
    path("contracts/<int:pk>/void/", actions.contract_void, name="contract_void"),
    path("companies/<int:pk>/", pages.company, name="company"),
    path("companies/<int:pk>/profile/", actions.profile_set, name="profile_set"),
    path("companies/<int:pk>/credit/new/", actions.credit_new, name="credit_new"),
    path("inspections/<int:pk>/", pages.inspection, name="inspection"),
    path("inspections/<int:pk>/void/", actions.inspection_void, name="inspection_void"),
    path("credit/<int:pk>/reverse/", actions.credit_reverse, name="credit_reverse"),
    path("committees/<int:pk>/term/", actions.committee_term, name="committee_term"),
    path("committees/<int:pk>/members/new/", actions.member_new, name="member_new"),
    path("members/<int:pk>/end/", actions.member_end, name="member_end"),
    path("members/<int:pk>/link/", actions.member_link, name="member_link"),
]
