"""The operator's forms for fee rules and poverty lines. Each check the models make (shares
below one, amounts not negative, one rule per type and scope, one line per year, region and
kind) comes back as a form error next to the field, never as a database error."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from catalogue.models import Category
from impact.lines import NATIONAL
from impact.models import FeeRule, PovertyLine
from logistics.models import Station

# How many significant digits a region's code has: province, city, county, township.
REGION_DIGITS = (2, 4, 6, 9)
# A Chinese input method types full-width digits (５３); a code is stored in ASCII, which the
# lines' prefix match compares with the divisions' codes.
FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
FIRST_YEAR, LAST_YEAR = 1978, 2100


class FeeRuleForm(forms.ModelForm):
    class Meta:
        model = FeeRule
        fields = ["fee_type", "category", "station", "rate", "per_unit", "waived_for_certified"]
        widgets = {
            "rate": forms.NumberInput(attrs={"step": "0.0001", "min": "0", "max": "0.9999"}),
            "per_unit": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        category.queryset = Category.objects.order_by("path")
        category.empty_label = _("Every category")
        # Indented by depth, so "Chicken" under "Poultry" reads as such (no query per option).
        category.label_from_instance = lambda c: "— " * (c.depth - 1) + c.display_name
        station = self.fields["station"]
        station.queryset = Station.objects.select_related("township").order_by("code")
        station.empty_label = _("Every station")
        station.label_from_instance = lambda s: f"{s.display_name} ({s.code})"

    def clean_rate(self):
        rate = self.cleaned_data["rate"]
        if rate is not None and not 0 <= rate < 1:
            raise forms.ValidationError(_("Enter the share of the price as a fraction from 0 to below 1: 0.05 is 5%."))
        return rate


class PovertyLineForm(forms.ModelForm):
    class Meta:
        model = PovertyLine
        fields = ["year", "region_code", "kind", "amount", "note"]
        widgets = {"amount": forms.NumberInput(attrs={"step": "0.01", "min": "0"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        year = self.fields["year"]
        year.validators += [MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
        year.widget.attrs.update(min=FIRST_YEAR, max=LAST_YEAR)
        self.fields["region_code"].help_text = _(
            "CN for the national line, or the code of the province, city, county or township it covers "
            "(53 or 530000 for Yunnan, 5306 or 530600 for Zhaotong)."
        )

    def clean_region_code(self):
        code = self.cleaned_data["region_code"].strip().upper().translate(FULL_WIDTH_DIGITS)
        if code == NATIONAL:
            return code
        # isdigit() alone takes other scripts' digits too (²³, ٥٣): no division's code has them.
        if not (code.isascii() and code.isdigit()) or len(code) not in REGION_DIGITS:
            raise forms.ValidationError(_("Use CN or a division code of 2, 4, 6 or 9 digits."))
        # The lines apply by code prefix (`impact.lines`): a province's or a city's official
        # six-digit code (530000, 530600) is stored as the prefix its places start with.
        if len(code) == 6 and code.endswith("0000"):
            return code[:2]
        if len(code) == 6 and code.endswith("00"):
            return code[:4]
        return code
