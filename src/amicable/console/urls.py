from .views import auth, authoring, calls, compliance, compose, customer, dashboard, queue

app_name = "console"
urlpatterns = [
    *auth.urlpatterns,
    *queue.urlpatterns,
    *customer.urlpatterns,
    *calls.urlpatterns,
    *compose.urlpatterns,
    *dashboard.urlpatterns,
    *compliance.urlpatterns,
    *authoring.urlpatterns,
]
