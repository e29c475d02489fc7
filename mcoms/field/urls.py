from django.urls import path

app_name = "field"

urlpatterns: list = []
