"""Forms of the nomination health, languages and gate pages. They only read input: the views hand
the cleaned data to the domain functions, whose refusals come back as errors of the form."""

from typing import Any

from django import forms
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from revmod.mechanisms.models import ConferenceDecision, Mechanism, ReviewGroup
from revmod.parties.models import RegionalGroup
from revmod.people.forms import DateInput
from revmod.people.models import FollowUpAction
from revmod.reviews.health import Problem


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(
            _("%(mechanism)s, group %(number)s")
            % {"mechanism": obj.mechanism, "number": obj.number}
        )


def _mechanism_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Mechanism"),
        queryset=Mechanism.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("Any mechanism"),
    )


def _group_number_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=_("Group"), coerce=int, required=False, empty_value=None)


def _group_numbers() -> list[tuple[str, Any]]:
    highest = ReviewGroup.objects.aggregate(highest=Max("number"))["highest"] or 0
    return [("", _("Any group"))] + [
        (str(number), str(_("Group %(number)s") % {"number": number}))
        for number in range(1, highest + 1)
    ]


class HealthFilterForm(forms.Form):
    """The filters of the nomination health list, read from the address so that a filtered list
    can be bookmarked and exported."""

    mechanism = _mechanism_field()
    group = _group_number_field()
    regional_group: forms.ModelChoiceField[RegionalGroup] = forms.ModelChoiceField(
        label=_("Regional group"),
        queryset=RegionalGroup.objects.all(),
        required=False,
        empty_label=_("Any regional group"),
    )
    problem = forms.ChoiceField(
        label=_("Problem"), choices=[("", _("Any problem")), *Problem.choices], required=False
    )
    overdue_by = forms.IntegerField(
        label=_("Late by at least (days)"),
        min_value=0,
        required=False,
        help_text=_("Keeps the States whose focal point or experts are this many days late."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = _group_numbers()


class LanguagesFilterForm(forms.Form):
    mechanism = _mechanism_field()
    group = _group_number_field()
    flagged_only = forms.BooleanField(
        label=_("Only the reviews with a language problem"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = _group_numbers()


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUpAction
        fields = [
            "channel",
            "contacted_on",
            "contact_person",
            "note",
            "outcome",
            "outcome_note",
        ]
        widgets = {
            "contacted_on": DateInput(),
            "note": forms.Textarea(attrs={"rows": 3}),
            "outcome_note": forms.Textarea(attrs={"rows": 2}),
        }


class FollowUpOutcomeForm(forms.Form):
    follow_up = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=FollowUpAction.Outcome.choices)
    outcome_note = forms.CharField(
        label=_("About the outcome"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class GateFilterForm(forms.Form):
    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        widget=DateInput(),
        help_text=_("The gate as it stood at the end of this day; today if empty."),
    )
    mechanism = _mechanism_field()
    phase = forms.IntegerField(
        label=_("Phase"),
        min_value=2,
        required=False,
        help_text=_("Empty: the next phase of each group."),
    )


class ConferenceDecisionForm(forms.Form):
    mechanism: forms.ModelChoiceField[Mechanism] = forms.ModelChoiceField(
        label=_("Mechanism"), queryset=Mechanism.objects.all()
    )
    group = GroupChoiceField(
        label=_("Group"),
        queryset=ReviewGroup.objects.select_related("mechanism").order_by(
            "mechanism__code", "number"
        ),
        required=False,
        empty_label=_("Every group"),
    )
    phase_number = forms.IntegerField(label=_("Phase it opens or holds"), min_value=2)
    effect = forms.ChoiceField(label=_("Effect"), choices=ConferenceDecision.Effect.choices)
    decided_on = forms.DateField(label=_("Decided on"), widget=DateInput())
    reference = forms.CharField(
        label=_("Reference"), max_length=120, help_text=_("e.g. resolution 12/2")
    )
    text = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
