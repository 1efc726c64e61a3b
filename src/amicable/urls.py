from django.contrib import admin
from django.urls import path
from django.views.generic import TemplateView

admin.site.site_header = "amicable"
admin.site.site_title = "amicable"
admin.site.index_title = "Ledger"

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("admin/", admin.site.urls),
]
