"""`revmod setup_demo --if-empty`, the command `make run` calls on every start."""

import pytest
from django.core.management import call_command

from revmod.demo.builder import DEMO_ACCOUNTS
from revmod.reviews.models import CountryReview

pytestmark = pytest.mark.django_db


def test_setup_demo_if_empty_builds_once_and_then_only_prints_the_accounts(capsys):
    call_command("setup_demo", "--if-empty")
    first = capsys.readouterr().out
    call_command("setup_demo", "--if-empty")
    second = capsys.readouterr().out
    assert "Reviews per group: group 1: 62, group 2: 63, group 3: 64" in first
    assert "Reviews per group" not in second and DEMO_ACCOUNTS[0].email in second
    assert CountryReview.objects.filter(mechanism__code="untoc").count() == 189
