from .views import entry, help, home, pay, plans, preferences, statement

app_name = "portal"
urlpatterns = [
    *entry.urlpatterns,
    *home.urlpatterns,
    *pay.urlpatterns,
    *plans.urlpatterns,
    *preferences.urlpatterns,
    *help.urlpatterns,
    *statement.urlpatterns,
]
