from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from sellers.masking import mask_digits
from sellers.models import BenefitLink, Household, HouseholdMember, Seller


class HouseholdMemberInline(admin.TabularInline):
    """People are registered by their station; here they are shown with their ID numbers masked."""

    model = HouseholdMember
    extra = 0
    fields = ["name", "relation", "id_number_masked"]
    readonly_fields = ["id_number_masked"]

    @admin.display(description=_("ID number"))
    def id_number_masked(self, member):
        return mask_digits(member.id_number)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["registry_id", "head_name", "township", "village", "members", "poverty_status"]
    list_filter = ["poverty_status", "poverty_cause", "township"]
    search_fields = ["registry_id", "head_name"]
    inlines = [HouseholdMemberInline]
    # Payout account, phone and consents change only through the station's services, which keep
    # the audit trail and unpublish a story whose consent is withdrawn; the ID number is never
    # shown whole again.
    readonly_fields = ["id_number_masked", "phone_masked", "bank_account_masked", "consent_to_sell",
                       "consent_to_story", "consent_recorded_at", "consent_recorded_by"]
    exclude = ["id_number", "phone", "bank_account"]

    @admin.display(description=_("ID number"))
    def id_number_masked(self, household):
        return mask_digits(household.id_number)

    @admin.display(description=_("phone"))
    def phone_masked(self, household):
        return mask_digits(household.phone)

    @admin.display(description=_("bank account for payouts"))
    def bank_account_masked(self, household):
        return mask_digits(household.bank_account)

    def has_delete_permission(self, request, obj=None):
        return False  # a registry record and its audit trail stay; a household exits, it is not erased


class BenefitLinkInline(admin.TabularInline):
    model = BenefitLink
    extra = 0
    autocomplete_fields = ["household"]


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    list_display = ["partner", "kind", "township"]
    list_filter = ["kind"]
    inlines = [BenefitLinkInline]
