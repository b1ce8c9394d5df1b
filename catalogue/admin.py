from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from oscar.apps.catalogue.admin import *  # noqa: F401,F403

from catalogue.caching import catalogue_changed
from catalogue.models import ProductImage

admin.site.unregister(ProductImage)  # Oscar's, replaced by one that reviews stations' photos


@admin.register(ProductImage)
class ProductImageAdmin(admin.ModelAdmin):
    """Photos stations took for one household's listing of a shared product: the operator
    approves those that may show on the product page."""

    list_display = ["product", "listing", "caption", "is_approved", "date_created"]
    list_filter = ["is_approved"]
    list_select_related = ["product", "listing__partner"]
    raw_id_fields = ["product", "listing"]
    actions = ["approve"]

    @admin.action(description=_("Show on the product page"))
    def approve(self, request, queryset):
        count = queryset.update(is_approved=True)
        catalogue_changed()  # update() sends no signal: drop the cached pages ourselves
        self.message_user(
            request, ngettext("%(n)d photo approved.", "%(n)d photos approved.", count) % {"n": count}, messages.SUCCESS
        )
