"""The channel for each name, built from settings once per process."""

from __future__ import annotations

from functools import cache

from .base import Channel

NAMES = ("email", "sms", "letter", "call")


@cache
def get_channel(name: str) -> Channel:
    from django.conf import settings

    if name == "email":
        from .email import EmailChannel

        return EmailChannel()
    if name == "sms":
        from .sms import SandboxSms, TwilioSms

        if settings.SMS_PROVIDER == "twilio":
            return TwilioSms(
                account_sid=settings.TWILIO_ACCOUNT_SID,
                auth_token=settings.TWILIO_AUTH_TOKEN,
                sender=settings.SMS_FROM,
                api_url=settings.TWILIO_API_URL,
                status_callback=f"{settings.PUBLIC_URL}/hooks/sms/status",
            )
        return SandboxSms(sender=settings.SMS_FROM)
    if name == "letter":
        from .letter import LetterChannel

        return LetterChannel(settings.OUTBOX_DIR / "letters")
    if name == "call":
        from .call import CallTasks

        return CallTasks()
    raise KeyError(f"no channel {name!r} (channels: {', '.join(NAMES)})")


def automatic_channels() -> list[str]:
    return [name for name in NAMES if get_channel(name).automatic]
