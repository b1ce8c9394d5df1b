"""The officials' reports, at /impact/ (Chinese) and /en/impact/ (English)."""

from django.urls import path  # noqa: F401

app_name = "impact"

urlpatterns = []
