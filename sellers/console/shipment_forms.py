"""The station console's shipping forms: each parses one step of a shipment into a `Move`.

The forms check only what a form can (a number, a choice, a required note); the state machine's
rules (which step may follow which, cold chain, tracking numbers) are `logistics.movement`'s, and
its refusals are shown beside the form that was sent."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from logistics.carriers import carriers_all
from logistics.models import Grade
from logistics.movement import MAX_WEIGHT_KG, Intake, Move
from logistics.states import State

MAX_BATCH = 200  # shipments in one bulk action: a morning's batch is tens


class StepForm(forms.Form):
    """One step of one shipment. `to` is the state it moves the shipment to; the form's prefix is
    `to` too, so that several steps share a page without their fields clashing."""

    to: State
    title = ""
    button = ""
    secondary = False  # shown folded away: a step off the usual path (a problem, a failure)

    def __init__(self, *args, shipment, **kwargs):
        super().__init__(*args, prefix=self.to.value, **kwargs)
        self.shipment = shipment

    def to_move(self) -> Move:
        return Move(to=self.to, note=self.cleaned_data.get("note", ""))


class IntakeForm(StepForm):
    to = State.RECEIVED
    title = _("Take the goods in")
    button = _("Record the intake")

    def __init__(self, *args, shipment, **kwargs):
        super().__init__(*args, shipment=shipment, **kwargs)
        for line in shipment.lines.all():
            self.fields[f"weight_{line.pk}"] = forms.DecimalField(
                label=_("Weight (kg)"), min_value=Decimal("0.001"), max_value=MAX_WEIGHT_KG, max_digits=7,
                decimal_places=3, widget=forms.NumberInput(attrs={"step": "0.001", "inputmode": "decimal"}),
            )
            self.fields[f"grade_{line.pk}"] = forms.ChoiceField(
                label=_("Grade"), choices=Grade.choices, initial=Grade.FIRST, widget=forms.RadioSelect,
            )

    def rows(self):
        """(line, weight field, grade field) for each line, for the template."""
        return [(line, self[f"weight_{line.pk}"], self[f"grade_{line.pk}"]) for line in self.shipment.lines.all()]

    def to_move(self) -> Move:
        data = self.cleaned_data
        intake = {
            line.pk: Intake(data[f"weight_{line.pk}"], data[f"grade_{line.pk}"]) for line in self.shipment.lines.all()
        }
        return Move(to=self.to, intake=intake)


class QcPassForm(StepForm):
    to = State.QC_PASSED
    title = _("Quality check")
    button = _("Passed: the rest goes on")

    failed = forms.TypedMultipleChoiceField(
        label=_("Lines that failed"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, shipment, **kwargs):
        super().__init__(*args, shipment=shipment, **kwargs)
        self.fields["failed"].choices = [(line.pk, line_title(line)) for line in shipment.lines.all()]

    def to_move(self) -> Move:
        return Move(to=self.to, failed_lines=frozenset(self.cleaned_data["failed"]))


class QcFailForm(StepForm):
    to = State.QC_FAILED
    title = _("Everything failed the quality check")
    button = _("Record: all failed")
    secondary = True

    note = forms.CharField(label=_("What was wrong"), max_length=500, required=False)


class ConfirmForm(StepForm):
    """A step that needs nothing but the clerk's word."""


class PackForm(ConfirmForm):
    to = State.PACKED
    title = _("Pack")
    button = _("Packed")


class InTransitForm(ConfirmForm):
    to = State.IN_TRANSIT
    title = _("On its way")
    button = _("Mark in transit")


class DeliveredForm(ConfirmForm):
    to = State.DELIVERED
    title = _("Delivered")
    button = _("Mark delivered")


class DispatchForm(StepForm):
    to = State.DISPATCHED
    title = _("Hand to the courier")
    button = _("Handed over")

    carrier = forms.ChoiceField(label=_("Courier"))
    tracking_number = forms.CharField(
        label=_("Tracking number"), max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def __init__(self, *args, shipment, **kwargs):
        super().__init__(*args, shipment=shipment, **kwargs)
        # Chilled and frozen goods leave only with a cold-chain courier: no other is offered.
        carriers = [c for c in carriers_all() if c.cold_chain or not shipment.needs_cold_chain]
        self.fields["carrier"].choices = [("", "—")] + [(c.code, c.name) for c in carriers]
        if shipment.status == State.EXCEPTION:  # sent again: most often with the same courier
            self.title = _("Send it again")
            self.initial.update(carrier=shipment.carrier, tracking_number=shipment.tracking_number)
        if shipment.needs_cold_chain:
            self.fields["carrier"].help_text = _("Chilled and frozen goods: cold-chain couriers only.")

    def clean_tracking_number(self):
        return self.cleaned_data["tracking_number"].strip()

    def to_move(self) -> Move:
        return Move(to=self.to, carrier=self.cleaned_data["carrier"], tracking_number=self.cleaned_data["tracking_number"])


class NoteForm(StepForm):
    note_required = True
    note = forms.CharField(label=_("What happened"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, shipment, **kwargs):
        super().__init__(*args, shipment=shipment, **kwargs)
        self.fields["note"].required = self.note_required


class ExceptionForm(NoteForm):
    to = State.EXCEPTION
    title = _("Report a delivery problem")
    button = _("Report the problem")
    secondary = True


class ReturnRequestForm(NoteForm):
    to = State.RETURN_REQUESTED
    title = _("The buyer asks to return it")
    button = _("Record the return request")
    secondary = True


class ReturnedForm(NoteForm):
    to = State.RETURNED
    title = _("The parcel came back")
    button = _("Returned to the station")
    note_required = False


# The forms of each step, in the order the detail page shows them: the usual next step first.
STEP_FORMS: dict[State, type[StepForm]] = {
    form.to: form
    for form in (
        IntakeForm, QcPassForm, QcFailForm, PackForm, DispatchForm, InTransitForm, DeliveredForm, ReturnedForm,
        ReturnRequestForm, ExceptionForm,
    )
}


def line_title(line) -> str:
    product = line.order_line.product
    return product.get_title() if product else line.order_line.title


class ShipmentIdsField(forms.Field):
    """Shipment ids from the queue's checkboxes (`ids=1&ids=2`)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "required": _("Choose at least one shipment."),
        "invalid": _("Choose shipments from the list."),
        "too_many": _("Choose at most %(max)s shipments at once."),
    }

    def to_python(self, value):
        try:
            ids = sorted({int(pk) for pk in value or []})
        except (TypeError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if len(ids) > MAX_BATCH:
            raise ValidationError(self.error_messages["too_many"], code="too_many", params={"max": MAX_BATCH})
        return ids


# The steps the queue makes for a batch: those that need no weight, courier or note.
BULK_STEPS = {
    State.QC_PASSED: _("QC passed: all selected"),
    State.PACKED: _("Packed: all selected"),
    State.IN_TRANSIT: _("In transit: all selected"),
    State.DELIVERED: _("Delivered: all selected"),
}


class BulkForm(forms.Form):
    action = forms.TypedChoiceField(choices=list(BULK_STEPS.items()), coerce=State)
    ids = ShipmentIdsField()

    def to_move(self) -> Move:
        return Move(to=self.cleaned_data["action"])
