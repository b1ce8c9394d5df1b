"""The officials' report downloads: /impact/export/<table>.<fmt>?region=&year=&by= (added to
`impact.urls`)."""

from django.urls import path

from impact import export_views

urlpatterns = [
    path("export/<str:table>.<str:fmt>", export_views.export, name="export"),
]
