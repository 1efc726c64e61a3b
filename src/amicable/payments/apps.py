from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "amicable.payments"
    label = "payments"
    verbose_name = "Payments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system check)
