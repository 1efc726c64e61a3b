from django.apps import AppConfig


class AftercareConfig(AppConfig):
    name = "amicable.aftercare"
    label = "aftercare"
    verbose_name = "After-care"
    default_auto_field = "django.db.models.BigAutoField"
