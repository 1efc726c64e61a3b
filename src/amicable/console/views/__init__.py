"""Console pages, one module per part. Each module lists its own `urlpatterns` (see console/urls.py).
Views are thin: they authorise through console/scope.py, read the form, and call named actions."""
