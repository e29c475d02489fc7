from django.urls import path

app_name = "selfcare"

urlpatterns: list = []
