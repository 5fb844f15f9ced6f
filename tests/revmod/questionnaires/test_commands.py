import pytest
from django.core.management import CommandError, call_command

from revmod.core.models import AuditEvent
from revmod.questionnaires.models import QuestionnaireTemplate


def test_import_questionnaire_imports_the_shipped_source_on_behalf_of_the_secretariat(cast):
    call_command(
        "import_questionnaire", "untoc_cluster1", "--as", cast.secretariat.email, "--publish"
    )

    template = QuestionnaireTemplate.objects.get()
    assert template.status == QuestionnaireTemplate.Status.PUBLISHED
    assert template.imported_file_name == "untoc_cluster1.yaml"
    assert (
        AuditEvent.objects.get(action="questionnaire.template_imported").actor == cast.secretariat
    )


def test_import_questionnaire_refuses_an_official_who_is_not_the_secretariat(cast):
    with pytest.raises(CommandError, match="Only the secretariat"):
        call_command("import_questionnaire", "untoc_cluster1", "--as", cast.expert.email)
    assert not QuestionnaireTemplate.objects.exists()
