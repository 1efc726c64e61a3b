from django.urls import path

from . import views

urlpatterns = [
    path("hooks/stripe", views.stripe_webhook, name="stripe-webhook"),
]
