"""Signing in and out, with a limit on wrong passwords per username and per address."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from amicable.web import throttle

User = get_user_model()

USER_LIMIT = throttle.Limit(
    "console-login", failures=5, window=timedelta(minutes=15), lockout=timedelta(minutes=15)
)
ADDRESS_LIMIT = throttle.Limit(
    "console-address", failures=30, window=timedelta(hours=1), lockout=timedelta(hours=1)
)


class LoginView(auth_views.LoginView):
    template_name = "console/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "").strip().lower()
        address = throttle.client_address(request)
        with transaction.atomic():
            # Tries at one username are judged one after another (its row is locked), so a burst of
            # guesses sent at once cannot all slip in before the count says stop.
            User.objects.select_for_update().filter(username__iexact=username).first()
            now = timezone.now()
            until = max(
                filter(
                    None,
                    [
                        throttle.locked_until(USER_LIMIT, [f"user:{username}"], now),
                        throttle.locked_until(ADDRESS_LIMIT, [f"address:{address}"], now),
                    ],
                ),
                default=None,
            )
            if until:
                minutes = max(1, round((until - now).total_seconds() / 60))
                form = self.get_form()
                form.errors.clear()
                form.add_error(
                    None,
                    _("Too many wrong passwords. Try again in %(minutes)d minutes.") % {"minutes": minutes},
                )
                return self.render_to_response(self.get_context_data(form=form), status=429)
            response = super().post(request, *args, **kwargs)
            if request.user.is_authenticated:
                throttle.forget(USER_LIMIT, [f"user:{username}"])
            else:
                throttle.record_failure(USER_LIMIT, [f"user:{username}"], now)
                throttle.record_failure(ADDRESS_LIMIT, [f"address:{address}"], now)
            return response


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You are signed out."))
        return response


urlpatterns = [
    path("login", LoginView.as_view(), name="login"),
    path("logout", LogoutView.as_view(next_page="console:login"), name="logout"),
]
