from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "mcoms.notifications"
    label = "notifications"
