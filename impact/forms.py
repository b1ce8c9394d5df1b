"""The report pages' filters, read from the query string: which region and which year.

The region is only parsed here (any code of digits); whether it exists and whether the official
may read it is `impact.access.report_region`'s answer, so the pages, the exports and the API
refuse the same things. A year out of range is a form error (the page answers 400 and says
which years there are), never a 500 and never silently another year."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sellers.models.households import FIRST_IDENTIFIED_YEAR


def this_year() -> int:
    """The year in China, where the reports count income."""
    return timezone.localdate().year


def report_years() -> range:
    """The years a report may be asked for, by the pages, the exports and the API alike: from the
    first registrations to this year."""
    return range(FIRST_IDENTIFIED_YEAR, this_year() + 1)


def year_out_of_range_message(years: range) -> str:
    return _("Choose a year from %(first)s to %(last)s.") % {"first": years[0], "last": years[-1]}


class YearFilter(forms.Form):
    """The year of a report (alone on a household's page: its region is the household's own)."""

    year = forms.IntegerField(label=_("Year"), required=False)

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if year is None:
            return this_year()
        years = report_years()
        if year not in years:
            raise forms.ValidationError(year_out_of_range_message(years), code="year_out_of_range")
        return year


class ReportFilter(YearFilter):
    region = forms.CharField(label=_("Region"), required=False, max_length=12)

    def clean_region(self) -> str:
        # A code that is not digits is no region's: the view answers 404, as for an unknown code.
        return self.cleaned_data["region"].replace("\x00", "").strip()


class VillageFilter(ReportFilter):
    """A village is named within its township (the region): names repeat across townships."""

    village = forms.CharField(label=_("Village"), max_length=64)

    def clean_village(self) -> str:
        return self.cleaned_data["village"].replace("\x00", "").strip()

