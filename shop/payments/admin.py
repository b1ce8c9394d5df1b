from django.contrib import admin

from .models import StripeEvent


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    """What Stripe told us and what we did with it. Read-only: the events are the record."""

    list_display = ("received_at", "type", "order_number", "outcome", "event_id")
    list_filter = ("type", "outcome")
    search_fields = ("event_id", "order_number")
    date_hierarchy = "received_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
