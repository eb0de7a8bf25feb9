from django.urls import path

from civicgrid.web import account, login, views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", login.LoginView.as_view(), name="login"),
    path("logout/", login.LogoutView.as_view(), name="logout"),
    path("account/password/", account.password_change, name="password_change"),
    path("audit/", views.audit_list, name="audit"),
    path("locate/", views.locate_partial, name="locate"),
    path("favicon.ico", views.favicon, name="favicon"),
]
