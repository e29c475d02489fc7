from django.urls import path

from mcoms.selfcare import views

app_name = "selfcare"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_view, name="login"),
    path("login/verify/", views.verify_view, name="verify"),
    path("logout/", views.logout_view, name="logout"),
    path("a/<str:customer_id>/", views.account, name="account"),
    path("a/<str:customer_id>/profile/", views.profile, name="profile"),
    path("notifications/", views.notifications, name="notifications"),
    path("offline/", views.offline, name="offline"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
]
