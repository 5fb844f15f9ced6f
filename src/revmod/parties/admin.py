"""Admin for the reference data. Translated models use modeltranslation's TranslationAdmin, which
shows one field per language. A party in no regional group (the European Union) gets its group
for the draw here; reloading the shipped files never overwrites it."""

from django.conf import settings
from django.contrib import admin, messages
from modeltranslation.admin import TranslationAdmin
from modeltranslation.utils import build_localized_fieldname

from revmod.core.domain import DomainError, NotAllowed
from revmod.parties.models import Instrument, Language, PartyStatus, RegionalGroup, State
from revmod.parties.services import set_draw_group
from revmod.people.forms import refusal_messages

NAME_FIELDS = [
    build_localized_fieldname("name", code) for code in settings.MODELTRANSLATION_LANGUAGES
]


@admin.register(Language)
class LanguageAdmin(TranslationAdmin):
    list_display = ["name", "code", "native_name", "right_to_left", "order"]
    search_fields = ["code", "native_name", *NAME_FIELDS]


@admin.register(RegionalGroup)
class RegionalGroupAdmin(TranslationAdmin):
    list_display = ["name", "code", "order"]
    search_fields = ["code", *NAME_FIELDS]


@admin.register(Instrument)
class InstrumentAdmin(TranslationAdmin):
    list_display = ["short_name", "code", "parent", "adopted_on", "order"]
    list_select_related = ["parent"]
    search_fields = ["code", *NAME_FIELDS]


@admin.register(State)
class StateAdmin(TranslationAdmin):
    list_display = ["name", "code", "kind", "regional_group", "draw_group"]
    list_filter = ["regional_group", "kind"]
    list_select_related = ["regional_group", "draw_group"]
    search_fields = ["code", *NAME_FIELDS]

    def save_model(self, request, obj, form, change):
        # The group for the draw changes who reviews whom: it goes through the domain function,
        # which checks the rule and writes the audit trail.
        if change and "draw_group" in form.changed_data:
            group = obj.draw_group
            obj.draw_group_id = State.objects.values_list("draw_group", flat=True).get(pk=obj.pk)
            super().save_model(request, obj, form, change)
            try:
                set_draw_group(actor=request.user, state=obj, group=group)
            except (DomainError, NotAllowed) as refused:
                self.message_user(request, " ".join(refusal_messages(refused)), messages.ERROR)
            obj.refresh_from_db()
        else:
            super().save_model(request, obj, form, change)


@admin.register(PartyStatus)
class PartyStatusAdmin(admin.ModelAdmin):
    list_display = ["state", "instrument", "became_party_on", "action", "verified", "withdrawn_on"]
    list_filter = ["instrument", "verified", "action"]
    list_select_related = ["state", "instrument"]
    search_fields = ["state__code", *(f"state__{name}" for name in NAME_FIELDS)]
    autocomplete_fields = ["state"]
    date_hierarchy = "became_party_on"
