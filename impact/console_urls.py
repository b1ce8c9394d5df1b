"""The station console's payout pages, at /station/payouts/ (mounted by `shop.urls` before the
console's own addresses)."""

from django.urls import path

from impact import console

app_name = "payouts"
urlpatterns = [
    path("", console.payout_list, name="list"),
    path("<int:pk>/", console.payout_detail, name="detail"),
    path("<int:pk>/bank-file.csv", console.payout_bank_file, name="bank-file"),
    path("<int:pk>/paid/", console.payout_mark_paid, name="paid"),
    path("<int:pk>/cancel/", console.payout_cancel, name="cancel"),
]
