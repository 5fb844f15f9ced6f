"""Forms of the draw pages. They only read input: the views hand it to the domain functions."""

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from revmod.draws.models import Assignment
from revmod.mechanisms.models import Mechanism, ReviewGroup
from revmod.parties.models import State


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(_("%(mechanism)s: %(group)s") % {"mechanism": obj.mechanism, "group": obj})


class NewDrawForm(forms.Form):
    mechanism: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Mechanism"), queryset=Mechanism.objects.all()
    )
    group = GroupChoiceField(
        label=_("Group of States parties"),
        queryset=ReviewGroup.objects.select_related("mechanism").order_by(
            "mechanism__code", "number"
        ),
    )
    phase_number = forms.IntegerField(label=_("Phase"), min_value=1, initial=1)
    seed = forms.IntegerField(
        label=_("Seed"),
        min_value=0,
        required=False,
        help_text=_("Leave empty for a random seed; it is recorded, so the draw can be replayed."),
    )

    def clean(self):
        data = super().clean()
        mechanism, group = data.get("mechanism"), data.get("group")
        if mechanism and group and group.mechanism_id != mechanism.pk:
            self.add_error("group", _("This group belongs to another mechanism."))
        return data


class RedrawForm(forms.Form):
    requested_by: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Requested by"), queryset=State.objects.none()
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded with the draw and in the review's history."),
    )

    def __init__(self, assignment: Assignment, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prefix = f"redraw-{assignment.pk}"
        # The State under review or one of its reviewing States asks for a redraw.
        review = assignment.review
        reviewers = assignment.draw.assignments.filter(review=review, active=True)
        requested_by = cast(forms.ModelChoiceField, self.fields["requested_by"])
        requested_by.queryset = State.objects.filter(
            code__in=[review.state_id, *reviewers.values_list("reviewer_id", flat=True)]
        ).order_by("name")
