"""The operator's pages for fee rules and poverty lines, in Oscar's dashboard (its layout, its
menu under "Impact"). Thin: the forms check, the models store; a change of the fee rules drops
the product pages' cached price breakdowns (`impact.receivers`)."""

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import generic
from oscar.views.decorators import permissions_required

from impact.dashboard.access import OPERATOR_PERMISSIONS
from impact.dashboard.forms import FeeRuleForm, PovertyLineForm
from impact.lines import NATIONAL
from impact.models import FeeRule, PovertyLine
from shop.models import Division


class OperatorOnly:
    """Signed-out visitors go to the sign-in page; signed-in users who are not staff get a 403."""

    @method_decorator(permissions_required(OPERATOR_PERMISSIONS))
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)


class SaveOnce:
    """Saves the form; a row another operator saved meanwhile (the database's unique constraint,
    after the form's own check passed) is a form error, not a server error."""

    saved_message = _("Saved.")

    def form_valid(self, form):
        try:
            with transaction.atomic():
                response = super().form_valid(form)
        except IntegrityError:
            form.add_error(None, _("Another row with the same values was saved meanwhile. Please check the list."))
            return self.form_invalid(form)
        messages.success(self.request, self.saved_message)
        return response


class Deleted:
    deleted_message = _("Deleted.")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, self.deleted_message)
        return response


# Fee rules ---------------------------------------------------------------------------------

FEE_RULES = reverse_lazy("impact-dashboard:fee-rule-list")


class FeeRuleList(OperatorOnly, generic.ListView):
    template_name = "impact/dashboard/fee_rule_list.html"
    context_object_name = "rules"
    queryset = FeeRule.objects.select_related("category", "station").order_by(
        "fee_type", "station__code", "category__path", "id"
    )


class FeeRuleFormPage(OperatorOnly, SaveOnce):
    """What the new-rule and edit pages share."""

    model = FeeRule
    form_class = FeeRuleForm
    template_name = "impact/dashboard/form.html"
    success_url = FEE_RULES
    saved_message = _("Fee rule saved.")
    extra_context = {"list_url": FEE_RULES, "list_title": _("Fee rules"), "new_title": _("New fee rule")}


class FeeRuleCreate(FeeRuleFormPage, generic.CreateView):
    pass


class FeeRuleUpdate(FeeRuleFormPage, generic.UpdateView):
    pass


class FeeRuleDelete(OperatorOnly, Deleted, generic.DeleteView):
    model = FeeRule
    template_name = "impact/dashboard/delete.html"
    success_url = FEE_RULES
    deleted_message = _("Fee rule deleted.")
    extra_context = {
        "list_url": FEE_RULES, "list_title": _("Fee rules"),
        "consequence": _("Sales already credited keep the fees they were charged; later sales follow the rules left."),
    }


# Poverty lines -----------------------------------------------------------------------------

POVERTY_LINES = reverse_lazy("impact-dashboard:poverty-line-list")


def region_names(codes) -> dict[str, str]:
    """{region code of a line: the division's name} for the codes of divisions we know (one
    query): a line's code is a prefix (53, 5306), a division's code is padded (530000, 530600)."""
    padded = {code: code.ljust(6, "0") for code in codes if code != NATIONAL}
    names = {d.code: d.display_name for d in Division.objects.filter(code__in=set(padded.values()))}
    found = {code: names[full] for code, full in padded.items() if full in names}
    if NATIONAL in codes:
        found[NATIONAL] = _("China (national)")
    return found


class PovertyLineList(OperatorOnly, generic.ListView):
    template_name = "impact/dashboard/poverty_line_list.html"
    context_object_name = "lines"
    queryset = PovertyLine.objects.order_by("region_code", "-year", "kind")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        names = region_names({line.region_code for line in context["lines"]})
        context["rows"] = [(line, names.get(line.region_code, "")) for line in context["lines"]]
        return context


class PovertyLineFormPage(OperatorOnly, SaveOnce):
    """What the new-line and edit pages share."""

    model = PovertyLine
    form_class = PovertyLineForm
    template_name = "impact/dashboard/form.html"
    success_url = POVERTY_LINES
    saved_message = _("Poverty line saved.")
    extra_context = {"list_url": POVERTY_LINES, "list_title": _("Poverty lines"), "new_title": _("New poverty line")}


class PovertyLineCreate(PovertyLineFormPage, generic.CreateView):
    pass


class PovertyLineUpdate(PovertyLineFormPage, generic.UpdateView):
    pass


class PovertyLineDelete(OperatorOnly, Deleted, generic.DeleteView):
    model = PovertyLine
    template_name = "impact/dashboard/delete.html"
    success_url = POVERTY_LINES
    deleted_message = _("Poverty line deleted.")
    extra_context = {
        "list_url": POVERTY_LINES, "list_title": _("Poverty lines"),
        "consequence": _("The reports then use the lines left (for this region, the next region that contains it)."),
    }
