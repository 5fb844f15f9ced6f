from django import forms

from revmod.notifications.events import EVENTS
from revmod.notifications.models import Frequency


class PreferencesForm(forms.Form):
    """One choice per event the person may change; mandatory events are listed beside it."""

    def __init__(self, *args, current: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for code, event in EVENTS.items():
            if event.mandatory:
                continue
            self.fields[code] = forms.ChoiceField(
                label=event.label,
                choices=Frequency.choices,
                initial=current.get(code, Frequency.INSTANT),
            )
