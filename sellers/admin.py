from django.contrib import admin

from sellers.models import BenefitLink, Household, HouseholdMember, Seller


class HouseholdMemberInline(admin.TabularInline):
    model = HouseholdMember
    extra = 0


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["registry_id", "head_name", "township", "village", "members", "poverty_status"]
    list_filter = ["poverty_status", "poverty_cause", "township"]
    search_fields = ["registry_id", "head_name"]
    inlines = [HouseholdMemberInline]


class BenefitLinkInline(admin.TabularInline):
    model = BenefitLink
    extra = 0
    autocomplete_fields = ["household"]


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    list_display = ["partner", "kind", "township"]
    list_filter = ["kind"]
    inlines = [BenefitLinkInline]
