"""Admin for the reference data. Translated models use modeltranslation's TranslationAdmin, which
shows one field per language. A party in no regional group (the European Union) gets its group
for the draw here; reloading the shipped files never overwrites it."""

from django.conf import settings
from django.contrib import admin
from modeltranslation.admin import TranslationAdmin
from modeltranslation.utils import build_localized_fieldname

from revmod.parties.models import Instrument, Language, PartyStatus, RegionalGroup, State

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


@admin.register(PartyStatus)
class PartyStatusAdmin(admin.ModelAdmin):
    list_display = ["state", "instrument", "became_party_on", "action", "verified", "withdrawn_on"]
    list_filter = ["instrument", "verified", "action"]
    list_select_related = ["state", "instrument"]
    search_fields = ["state__code", *(f"state__{name}" for name in NAME_FIELDS)]
    autocomplete_fields = ["state"]
    date_hierarchy = "became_party_on"
