from django.contrib import admin
from django.urls import path
from django.views.generic import TemplateView

from amicable.conversations import views as conversations
from amicable.outbox import views as outbox

admin.site.site_header = "amicable"
admin.site.site_title = "amicable"
admin.site.index_title = "Ledger"

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("admin/", admin.site.urls),
    path("u/<str:token>", outbox.unsubscribe, name="unsubscribe"),
    path("hooks/sms/status", outbox.sms_status, name="sms-status"),
    path("hooks/sms/inbound", conversations.sms_inbound, name="sms-inbound"),
]
