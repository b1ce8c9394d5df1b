from django.contrib import admin

from logistics.models import Station, StationMembership


class MembershipInline(admin.TabularInline):
    model = StationMembership
    extra = 0


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "township", "cold_chain", "shipping_charge", "cold_chain_surcharge", "is_active"]
    list_editable = ["shipping_charge", "cold_chain_surcharge"]
    inlines = [MembershipInline]
