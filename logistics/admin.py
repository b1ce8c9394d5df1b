from django.contrib import admin

from logistics.models import Station, StationMembership


class MembershipInline(admin.TabularInline):
    model = StationMembership
    extra = 0


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "township", "cold_chain", "is_active"]
    inlines = [MembershipInline]
