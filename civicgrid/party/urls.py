"""Pages of party building, under /party/."""

from django.urls import path

from civicgrid.party.views import alliances, committees, h5, organisations, overview, reporting, transfer

app_name = "party"

urlpatterns = [
    path("", overview.overview, name="overview"),
    path("organisations/", organisations.organisations, name="organisations"),
    path("organisations/new/", organisations.organisation_new, name="organisation_new"),
    path("organisations/<int:pk>/", organisations.organisation, name="organisation"),
    path("organisations/<int:pk>/act/", organisations.organisation_act, name="organisation_act"),
    path("members/", organisations.members, name="members"),
    path("members/new/", organisations.member_new, name="member_new"),
    path("members/<int:pk>/", organisations.member, name="member"),
    path("members/<int:pk>/act/", organisations.member_act, name="member_act"),
    path("reporting/", reporting.reporting, name="reporting"),
    path("reports/", reporting.reports, name="reports"),
    path("reports/<int:pk>/act/", reporting.report_act, name="report_act"),
    path("agreements/", reporting.agreements, name="agreements"),
    path("agreements/new/", reporting.agreement_new, name="agreement_new"),
    path("agreements/<int:pk>/", reporting.agreement, name="agreement"),
    path("agreements/<int:pk>/act/", reporting.agreement_act, name="agreement_act"),
    path("agreements/files/<int:pk>/", reporting.agreement_file, name="agreement_file"),
    path("committees/", committees.committees, name="committees"),
    path("committees/<int:pk>/", committees.committee, name="committee"),
    path("committees/<int:pk>/act/", committees.committee_act, name="committee_act"),
    path("committees/<int:pk>/meetings/new/", committees.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", committees.meeting, name="meeting"),
    path("tasks/<int:pk>/done/", committees.task_done, name="task_done"),
    path("alliances/", alliances.alliances, name="alliances"),
    path("alliances/new/", alliances.alliance_new, name="alliance_new"),
    path("alliances/<int:pk>/", alliances.alliance, name="alliance"),
    path("alliances/<int:pk>/act/", alliances.alliance_act, name="alliance_act"),
    path("needs/", alliances.needs, name="needs"),
    path("needs/new/", alliances.need_new, name="need_new"),
    path("needs/from-request/", alliances.need_from_request, name="need_from_request"),
    path("needs/<int:pk>/", alliances.need, name="need"),
    path("needs/<int:pk>/act/", alliances.need_act, name="need_act"),
    path("resources/", alliances.resources, name="resources"),
    path("resources/new/", alliances.resource_new, name="resource_new"),
    path("resources/<int:pk>/withdraw/", alliances.resource_withdraw, name="resource_withdraw"),
    path("projects/", alliances.projects, name="projects"),
    path("projects/<int:pk>/", alliances.project, name="project"),
    path("projects/<int:pk>/act/", alliances.project_act, name="project_act"),
    path("projects/photos/<int:pk>/", alliances.project_photo, name="project_photo"),
    path("data/", transfer.data, name="data"),
    path("data/template/<str:kind>/", transfer.template, name="template"),
    path("h5/", h5.home, name="h5_home"),
    path("h5/end/", h5.end, name="h5_end"),
    path("h5/orders/<int:pk>/take/", h5.take, name="h5_take"),
]
