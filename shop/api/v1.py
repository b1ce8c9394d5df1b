"""API v1 routes (the DESIGN.md contract)."""

urlpatterns = []
