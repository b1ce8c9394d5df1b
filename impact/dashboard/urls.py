"""The operator's fee rules and poverty lines, at /dashboard/impact/ (mounted in `shop.urls`
before Oscar's dashboard, whose menu lists them under "Impact")."""

from django.urls import path

from impact.dashboard import views

app_name = "impact-dashboard"

urlpatterns = [
    path("fee-rules/", views.FeeRuleList.as_view(), name="fee-rule-list"),
    path("fee-rules/new/", views.FeeRuleCreate.as_view(), name="fee-rule-create"),
    path("fee-rules/<int:pk>/", views.FeeRuleUpdate.as_view(), name="fee-rule-update"),
    path("fee-rules/<int:pk>/delete/", views.FeeRuleDelete.as_view(), name="fee-rule-delete"),
    path("poverty-lines/", views.PovertyLineList.as_view(), name="poverty-line-list"),
    path("poverty-lines/new/", views.PovertyLineCreate.as_view(), name="poverty-line-create"),
    path("poverty-lines/<int:pk>/", views.PovertyLineUpdate.as_view(), name="poverty-line-update"),
    path("poverty-lines/<int:pk>/delete/", views.PovertyLineDelete.as_view(), name="poverty-line-delete"),
]
