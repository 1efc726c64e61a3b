from django.apps import AppConfig


class AuthoringConfig(AppConfig):
    name = "amicable.authoring"
    label = "authoring"
    verbose_name = "Playbooks and templates"
    default_auto_field = "django.db.models.BigAutoField"
