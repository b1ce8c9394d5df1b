"""The officials' reports, at /impact/ (Chinese) and /en/impact/ (English)."""

from django.urls import path

import shop.core.urls  # noqa: F401  (the <registry_id:> converter)
from impact import views
from impact.export_urls import urlpatterns as export_urlpatterns

app_name = "impact"

urlpatterns = [
    path("", views.report, name="report"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout, name="logout"),
    path("village/", views.village, name="village"),
    path("households/<registry_id:registry_id>/", views.household, name="household"),
    path("relapse-risk/", views.relapse_risk, name="relapse-risk"),
]
urlpatterns += export_urlpatterns
