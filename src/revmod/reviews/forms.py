"""Forms of the review pages. They only read input: the views hand the cleaned data to the domain
functions of `revmod.reviews.services`, whose refusals come back as errors of the form."""

from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from revmod.core.models import AuditEvent
from revmod.mechanisms.models import Mechanism, ReviewGroup, StepDefinition
from revmod.parties.models import Language, RegionalGroup
from revmod.people.forms import DateInput
from revmod.people.models import User
from revmod.reviews.models import CountryReview, ReviewStep
from revmod.reviews.queries import (
    MISSING_EXPERTS,
    MISSING_FOCAL_POINT,
    OFFICER_ME,
    OFFICER_NOBODY,
    ReviewFilters,
)


def described_filters(form: forms.Form) -> dict[str, str]:
    """The filters in force (objects by their key), as the audit trail of an export records
    them."""
    form.is_valid()
    return {
        name: str(getattr(value, "pk", value))
        for name, value in form.cleaned_data.items()
        if value not in (None, "")
    }


class StepChoiceField(forms.ModelChoiceField):
    several_mechanisms = False

    def label_from_instance(self, obj) -> str:
        if self.several_mechanisms:
            return str(
                _("%(step)s (%(mechanism)s)") % {"step": obj.name, "mechanism": obj.mechanism}
            )
        return obj.name


class ReviewFilterForm(forms.Form):
    """The filters of the review list, read from the address so that a filtered list can be
    bookmarked, shared and exported."""

    mechanism: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Mechanism"),
        queryset=Mechanism.objects.all(),
        required=False,
        empty_label=_("Any mechanism"),
    )
    group = forms.TypedChoiceField(label=_("Group"), coerce=int, required=False)
    regional_group: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Regional group"),
        queryset=RegionalGroup.objects.all(),
        required=False,
        empty_label=_("Any regional group"),
    )
    step = StepChoiceField(
        label=_("Current step"),
        queryset=StepDefinition.objects.select_related("mechanism").order_by(
            "mechanism__code", "order"
        ),
        required=False,
        empty_label=_("Any step"),
    )
    step_status = forms.ChoiceField(
        label=_("Status of the step"),
        choices=[("", _("Any status")), *ReviewStep.Status.choices],
        required=False,
    )
    progress = forms.ChoiceField(
        label=_("Progress"),
        choices=[("", _("Any progress")), *CountryReview.Progress.choices],
        required=False,
    )
    overdue_days = forms.IntegerField(
        label=_("Overdue by at least (days)"),
        min_value=0,
        required=False,
        help_text=_("0 lists every review whose next due date has passed."),
    )
    language: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Working language"),
        queryset=Language.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("Any language"),
    )
    officer = forms.ChoiceField(
        label=_("Followed by"),
        choices=[("", _("Anyone")), (OFFICER_ME, _("Me")), (OFFICER_NOBODY, _("Nobody"))],
        required=False,
    )
    missing = forms.ChoiceField(
        label=_("Missing nominations"),
        choices=[
            ("", _("Any")),
            (MISSING_FOCAL_POINT, _("No focal point for the State under review")),
            (MISSING_EXPERTS, _("No governmental expert for the State under review")),
        ],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        numbers = ReviewGroup.objects.values_list("number", flat=True).distinct()
        group = cast(forms.TypedChoiceField, self.fields["group"])
        group.choices = [("", _("Any group"))] + [
            (number, _("Group %(number)s") % {"number": number}) for number in sorted(set(numbers))
        ]
        step = cast(StepChoiceField, self.fields["step"])
        step.several_mechanisms = Mechanism.objects.count() > 1

    def filters(self) -> ReviewFilters:
        """The filters given, leaving out those with an error (the form shows it)."""
        self.is_valid()
        data = self.cleaned_data
        return ReviewFilters(
            mechanism=getattr(data.get("mechanism"), "pk", None),
            group=data.get("group") or None,
            regional_group=getattr(data.get("regional_group"), "pk", None),
            step=getattr(data.get("step"), "pk", None),
            progress=data.get("progress") or "",
            step_status=data.get("step_status") or "",
            overdue_days=data.get("overdue_days"),
            language=getattr(data.get("language"), "pk", None),
            missing=data.get("missing") or "",
            officer=data.get("officer") or "",
        )


class BulkActionForm(forms.Form):
    EXTEND = "extend"
    REMIND = "remind"
    ASSIGN = "assign"

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            (EXTEND, _("Extend the open deadlines of the current step")),
            (REMIND, _("Send a reminder to the focal point of the State under review")),
            (ASSIGN, _("Choose the secretariat officer who follows them")),
        ],
    )
    reviews = forms.ModelMultipleChoiceField(
        label=_("Reviews"),
        queryset=CountryReview.objects.select_related("state"),
        error_messages={"required": _("Select at least one review.")},
    )
    new_due_on = forms.DateField(label=_("New due date"), required=False, widget=DateInput())
    days = forms.IntegerField(label=_("Or extend by (days)"), min_value=1, required=False)
    reason = forms.CharField(
        label=_("Reason for the extension"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded in the history of each review."),
    )

    officer = forms.ModelChoiceField(
        label=_("Secretariat officer"),
        queryset=User.objects.filter(is_secretariat=True, status=User.Status.ACTIVE).order_by(
            "full_name", "email"
        ),
        required=False,
        empty_label=_("Nobody (unassign)"),
    )

    def clean(self):
        data = super().clean()
        if data.get("action") == self.EXTEND:
            if not (data.get("reason") or "").strip():
                self.add_error(
                    "reason", _("Give a reason: it is recorded in each review's history.")
                )
            if (data.get("new_due_on") is None) == (data.get("days") is None):
                self.add_error(None, _("Give either a new due date or a number of days."))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded in the review's history."),
    )


class ExtensionForm(ReasonForm):
    new_due_on = forms.DateField(label=_("New due date"), widget=DateInput())
    field_order = ["new_due_on", "reason"]


class LaunchPhaseForm(forms.Form):
    phase_number = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    starts_on = forms.DateField(
        label=_("Starts on"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty to start on the date the group's calendar sets for this phase."),
    )


class AuditFilterForm(forms.Form):
    review = forms.ModelChoiceField(
        label=_("Review"),
        queryset=CountryReview.objects.select_related("state").order_by("state__name"),
        required=False,
        empty_label=_("Any review"),
    )
    person = forms.CharField(
        label=_("Person (email address)"),
        required=False,
        help_text=_("All or part of the email address of the person who acted."),
    )
    action = forms.ChoiceField(label=_("Action"), required=False)
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Until"), required=False, widget=DateInput())

    def __init__(self, *args, action_labels: Mapping[str, Any] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = action_labels or {}
        actions = AuditEvent.objects.order_by("action").values_list("action", flat=True)
        action = cast(forms.ChoiceField, self.fields["action"])
        action.choices = [("", _("Any action"))] + [
            (code, labels.get(code, code)) for code in actions.distinct()
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period comes before its start."))
        return data

    def filter(self, events):
        self.is_valid()
        data = self.cleaned_data
        if data.get("review"):
            events = events.filter(review_id=data["review"].pk)
        if data.get("person"):
            events = events.filter(actor__email__icontains=data["person"].strip())
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("date_from"):
            events = events.filter(occurred_at__date__gte=data["date_from"])
        if data.get("date_to") and "date_to" not in self.errors:
            events = events.filter(occurred_at__date__lte=data["date_to"])
        return events
