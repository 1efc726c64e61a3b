"""A system check: the sandbox posts payments without taking money, so a public site must not use it."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def sandbox_on_a_public_site(app_configs, **kwargs):
    if settings.PAYMENT_PROVIDER == "sandbox" and not (settings.DEBUG or settings.LOOPBACK_SITE):
        return [
            checks.Warning(
                "PAYMENT_PROVIDER is sandbox on a public site: customers could mark their debts paid "
                "without paying.",
                hint="Set PAYMENT_PROVIDER=stripe (with the STRIPE_* variables) or none.",
                id="amicable.W001",
            )
        ]
    return []
