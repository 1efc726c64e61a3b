"""Portal pages, one module per part. Each module lists its own `urlpatterns` (see portal/urls.py).
Views are thin: they read the form, then call the named action that changes state."""
