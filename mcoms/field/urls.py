from django.urls import path

from mcoms.field import views

app_name = "field"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("consumers/", views.consumers, name="consumers"),
    path("contacts/", views.contacts, name="contacts"),
    path("notifications/", views.notifications, name="notifications"),
    path("offline/", views.offline, name="offline"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
]
