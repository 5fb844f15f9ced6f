from modeltranslation.translator import TranslationOptions, register

from revmod.parties.models import Instrument, Language, RegionalGroup, State


@register(Language)
class LanguageTranslation(TranslationOptions):
    fields = ("name",)


@register(RegionalGroup)
class RegionalGroupTranslation(TranslationOptions):
    fields = ("name",)


@register(Instrument)
class InstrumentTranslation(TranslationOptions):
    fields = ("name", "short_name")


@register(State)
class StateTranslation(TranslationOptions):
    fields = ("name",)
