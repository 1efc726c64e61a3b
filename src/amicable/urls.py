from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from amicable.aftercare import views as aftercare
from amicable.api.api import api
from amicable.conversations import views as conversations
from amicable.outbox import views as outbox

admin.site.site_header = "amicable"
admin.site.site_title = "amicable"
admin.site.index_title = "Ledger"

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("admin/", admin.site.urls),
    path("console/", include("amicable.console.urls")),
    path("", include("amicable.portal.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("amicable.payments.urls")),
    path("api/", api.urls),
    path("u/<str:token>", outbox.unsubscribe, name="unsubscribe"),
    path("f/<str:token>", aftercare.feedback, name="feedback"),
    path("hooks/sms/status", outbox.sms_status, name="sms-status"),
    path("hooks/sms/inbound", conversations.sms_inbound, name="sms-inbound"),
    path("hooks/email/inbound", conversations.email_inbound, name="email-inbound"),
]
