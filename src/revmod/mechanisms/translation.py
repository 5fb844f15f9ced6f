from modeltranslation.translator import TranslationOptions, register

from revmod.mechanisms.models import Cluster, Mechanism, StepDeadline, StepDefinition


@register(Mechanism)
class MechanismTranslation(TranslationOptions):
    fields = ("name", "short_name", "description")


@register(Cluster)
class ClusterTranslation(TranslationOptions):
    fields = ("name",)


@register(StepDefinition)
class StepDefinitionTranslation(TranslationOptions):
    fields = ("name", "description")


@register(StepDeadline)
class StepDeadlineTranslation(TranslationOptions):
    fields = ("name",)
