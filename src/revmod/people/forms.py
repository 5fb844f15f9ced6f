"""Forms of the account and nomination pages. They only read input: the views hand the cleaned
data to the domain functions, whose refusals come back as errors of the form."""

from typing import cast

from django import forms
from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from revmod.mechanisms.models import Mechanism
from revmod.parties.models import Language, State
from revmod.people.models import Nomination, NoteVerbale, User
from revmod.reviews.models import CountryReview


def refusal_messages(error: ValidationError | PermissionDenied) -> list[str]:
    """The messages of a domain function's refusal (DomainError or NotAllowed)."""
    if isinstance(error, ValidationError):
        return error.messages
    return [str(getattr(error, "reason", error))]


def add_domain_error(form: forms.Form, error: ValidationError | PermissionDenied) -> None:
    """Show a refusal of a domain function above the form, which keeps what was typed."""
    for message in refusal_messages(error):
        form.add_error(None, message)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        # The browser's date picker reads and writes ISO dates whatever the page's language.
        super().__init__(attrs, format="%Y-%m-%d")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.full_name} <{obj.email}>"


def officials(state: State | None = None):
    people = User.objects.exclude(status=User.Status.DEACTIVATED).filter(state__isnull=False)
    return people.filter(state=state) if state is not None else people


class ActivationForm(SetPasswordForm):
    """Choose a password. The email is shown so the person knows which account they activate."""

    email = forms.EmailField(label=_("Email address"), disabled=True, required=False)
    field_order = ["email", "new_password1", "new_password2"]

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["email"].initial = user.email


class ProfileForm(forms.ModelForm):
    languages: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("Working languages"),
        queryset=Language.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The languages in which you can work on a review."),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=settings.LANGUAGES,
        help_text=_("The language of the emails you receive."),
    )

    class Meta:
        model = User
        fields = [
            "full_name",
            "title",
            "position",
            "organization",
            "phone",
            "gender",
            "languages",
            "preferred_language",
        ]

    def profile_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["languages"] = [language.code for language in data["languages"]]
        return data


class ClarificationForm(forms.Form):
    message = forms.CharField(
        label=_("What should the person clarify or correct?"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for deactivating the account"),
        max_length=300,
        help_text=_("Also recorded as the reason that ends the person's current nominations."),
    )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    state: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("State"),
        queryset=State.objects.all(),
        required=False,
        help_text=_("The State whose official this person is. Leave empty for the secretariat."),
    )
    preferred_language = forms.ChoiceField(
        label=_("Language of the invitation"), choices=settings.LANGUAGES
    )
    mechanism: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Mechanism"),
        queryset=Mechanism.objects.all(),
        help_text=_("Its rules set how long the activation link stays valid."),
    )
    is_secretariat = forms.BooleanField(label=_("Member of the secretariat"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mechanisms = list(self.fields["mechanism"].queryset[:2])
        if len(mechanisms) == 1:
            self.fields["mechanism"].initial = mechanisms[0]


class NominationForm(forms.Form):
    person = PersonChoiceField(label=_("Person"), queryset=officials())
    state: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Nominated by the State"), queryset=State.objects.all()
    )
    review = forms.ModelChoiceField(
        label=_("Review"), queryset=CountryReview.objects.select_related("state", "mechanism")
    )
    role = forms.ChoiceField(label=_("Role"), choices=Nomination.Role.choices)
    starts_on = forms.DateField(label=_("From"), widget=DateInput())
    note_verbale = forms.ModelChoiceField(
        label=_("Note Verbale"), queryset=NoteVerbale.objects.all(), required=False
    )


class ReplaceFocalPointForm(forms.Form):
    new_person = PersonChoiceField(label=_("New focal point"), queryset=User.objects.none())
    starts_on = forms.DateField(label=_("From"), widget=DateInput())
    note_verbale = forms.ModelChoiceField(
        label=_("Note Verbale"), queryset=NoteVerbale.objects.none(), required=False
    )

    def __init__(self, state: State, current: User | None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The focal point in office is not offered as their own replacement.
        people = cast(forms.ModelChoiceField, self.fields["new_person"])
        people.queryset = officials(state).exclude(pk=getattr(current, "pk", None))
        notes = cast(forms.ModelChoiceField, self.fields["note_verbale"])
        notes.queryset = NoteVerbale.objects.filter(state=state)


class EndNominationForm(forms.Form):
    ends_on = forms.DateField(label=_("Until"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=300)
    note_verbale = forms.ModelChoiceField(
        label=_("Note Verbale"), queryset=NoteVerbale.objects.none(), required=False
    )

    def __init__(self, state: State, *args, **kwargs):
        super().__init__(*args, **kwargs)
        notes = cast(forms.ModelChoiceField, self.fields["note_verbale"])
        notes.queryset = NoteVerbale.objects.filter(state=state)


class PeopleFilterForm(forms.Form):
    state: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("State"), queryset=State.objects.all(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *User.Status.choices], required=False
    )
    role = forms.ChoiceField(
        label=_("Current role"),
        choices=[("", _("Any role")), *Nomination.Role.choices],
        required=False,
    )

    def filter(self, people):
        if not self.is_valid():
            return people
        data = self.cleaned_data
        if data["state"]:
            people = people.filter(state=data["state"])
        if data["status"]:
            people = people.filter(status=data["status"])
        if data["role"]:
            people = people.filter(
                nominations__role=data["role"], nominations__ends_on__isnull=True
            ).distinct()
        return people
