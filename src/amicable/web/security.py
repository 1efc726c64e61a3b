"""Security headers on every page: a Content Security Policy without inline scripts or styles,
and the rest of the headers browsers act on. Django 5.2 has no CSP of its own."""

from __future__ import annotations

from django.conf import settings

# The admin and the API's Swagger page are Django's and django-ninja's own pages, which carry inline
# scripts; they get a policy that allows those and nothing from elsewhere.
RELAXED_PREFIXES = ("/admin/", "/api/docs")
# Pages about one person: the portal, its links, the feedback form and the console.
PERSONAL_PREFIXES = ("/p/", "/portal/", "/f/", "/u/", "/console/")


def policy(form_action: tuple[str, ...] = (), relaxed: bool = False) -> str:
    inline = " 'unsafe-inline'" if relaxed else ""
    parts = {
        "default-src": "'self'",
        "script-src": "'self'" + inline,
        "style-src": "'self'" + inline,
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "form-action": " ".join(("'self'", *form_action)),
        "frame-ancestors": "'none'",
        "base-uri": "'none'",
        "object-src": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in parts.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        extra = tuple(getattr(settings, "CSP_FORM_ACTION", ()))
        self.strict = policy(extra)
        self.relaxed = policy(extra, relaxed=True)

    def __call__(self, request):
        response = self.get_response(request)
        relaxed = request.path.startswith(RELAXED_PREFIXES)
        response.headers.setdefault("Content-Security-Policy", self.relaxed if relaxed else self.strict)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.path.startswith(PERSONAL_PREFIXES):
            # A customer's balance or a staff page must not linger in a shared computer's cache.
            response.headers["Cache-Control"] = "private, no-store"
        return response
