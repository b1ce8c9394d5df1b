from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue.images import photo_bytes
from catalogue.models import Category, Product
from sellers.masking import personal_fields
from sellers.models import Household
from sellers.models.households import MAX_MEMBERS, MIN_MEMBERS
from shop.models import Division, DivisionLevel

PERSONAL = ("id_number", "phone", "bank_account")


class HouseholdForm(forms.ModelForm):
    """Register or edit a household. On edit, the ID number starts empty for everyone (it is never
    shown whole again once entered: its masked value is in the help text) and is only changed
    when a new one is typed in; so do the phone and bank account for staff who may not see
    personal data. The bank account is only on the form of those who may set it
    (`may_set_bank_account`: the station's manager). The household rules are the model's
    (`Household`): its validators and `clean()` run when the form is validated."""

    class Meta:
        model = Household
        fields = [
            "township", "registry_id", "village", "head_name", "id_number", "members", "phone", "bank_account",
            "poverty_cause", "secondary_poverty_cause", "attribute", "poverty_status", "monitoring_type",
            "baseline_income_per_capita", "identified_year", "exited_year", "capacity",
            "consent_to_sell", "consent_to_story",
        ]
        widgets = {
            "id_number": forms.TextInput(attrs={"inputmode": "text", "autocomplete": "off", "maxlength": 18}),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "bank_account": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "baseline_income_per_capita": forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        }

    def __init__(self, *args, townships, show_personal=True, may_set_bank_account=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = Division.objects.filter(code__in=townships, level=DivisionLevel.TOWNSHIP)
        self.fields["township"].empty_label = None
        self.show_personal = show_personal
        self.fields["members"].widget.attrs.update(min=MIN_MEMBERS, max=MAX_MEMBERS)
        if not may_set_bank_account:
            del self.fields["bank_account"]
        if self.instance.pk:
            del self.fields["township"], self.fields["registry_id"]
            masked = personal_fields(self.instance, full=False)
            kept_unless_typed = [name for name in PERSONAL if name in self.fields and (name == "id_number" or not show_personal)]
            for name in kept_unless_typed:
                self.initial[name] = ""
                self.fields[name].required = False
                self.fields[name].help_text = _("Now %(value)s. Leave empty to keep it.") % {"value": masked[name] or "—"}

    def clean_id_number(self):
        value = self.cleaned_data.get("id_number", "").strip().upper()  # the model checks the number
        if not value and self.instance.pk:
            return self.instance.id_number
        return value

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.show_personal:
            for name in ("phone", "bank_account"):
                if name in self.fields and not cleaned.get(name):
                    cleaned[name] = getattr(self.instance, name)
        return cleaned

    def changes(self) -> dict:
        """The edited fields, for `household_update`."""
        return {name: self.cleaned_data[name] for name in self.fields if name in self.cleaned_data}


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_title()


class ListingForm(forms.Form):
    """List goods for a household: add its stock to a product already on sale, or a new product."""

    product = ProductChoiceField(
        label=_("Add to a product already on sale"), required=False, queryset=Product.objects.none(),
        empty_label=_("— a new product —"),
    )
    title = forms.CharField(label=_("Product name"), max_length=120, required=False)
    category = CategoryChoiceField(label=_("Category"), required=False, queryset=Category.objects.none())
    unit = forms.CharField(label=_("Unit"), max_length=64, required=False, help_text=_("e.g. 500 g, one bird, box of 30"))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    price = forms.DecimalField(label=_("Price (CNY)"), min_value=Decimal("0.01"), max_digits=10, decimal_places=2,
                               required=False, help_text=_("For a new product. A product already on sale keeps its one price."),
                               widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}))
    stock = forms.IntegerField(label=_("Stock"), min_value=0, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    photo = forms.FileField(
        label=_("Photo"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products
        self.fields["category"].queryset = Category.get_root_nodes()

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        return photo_bytes(upload) if upload else None


class ListingEditForm(forms.Form):
    """Stock, and the product's one price for the station that pools the product."""

    price = forms.DecimalField(label=_("Price (CNY)"), min_value=Decimal("0.01"), max_digits=10, decimal_places=2,
                               help_text=_("The price every household of this product sells at."),
                               widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}))
    stock = forms.IntegerField(label=_("Stock"), min_value=0, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))

    def __init__(self, *args, may_set_price: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_set_price:
            del self.fields["price"]
