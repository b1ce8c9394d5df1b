from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from shop.models import Division, OfficialScope, User

admin.site.register(User, UserAdmin)


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(OfficialScope)
class OfficialScopeAdmin(admin.ModelAdmin):
    list_display = ["user", "region"]
    autocomplete_fields = ["region"]
    search_fields = ["user__username", "region__name"]
