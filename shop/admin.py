from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from shop.models import Division, User

admin.site.register(User, UserAdmin)


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
