import datetime
from decimal import Decimal

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from revmod.mechanisms.models import Cluster, Mechanism, PhaseDefinition
from revmod.parties.models import PartyStatus

pytestmark = pytest.mark.django_db

OCT_2018 = datetime.date(2018, 10, 19)


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [party["code"] for party in response.json()["results"]]


@pytest.mark.parametrize(
    "path",
    ["/api/v1/parties/", "/api/v1/mechanisms/", "/api/v1/instruments/", "/api/v1/clusters/"],
)
def test_an_anonymous_caller_is_refused_with_a_json_reason(db, path):
    response = APIClient().get(path)
    assert response.status_code in (401, 403)
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"reason": "Authentication credentials were not provided."}


def test_a_token_obtained_with_email_and_password_opens_the_api(official, make_party):
    make_party("GHA", UNTOC=datetime.date(2012, 8, 21))
    client = APIClient()
    obtained = client.post(
        "/api/v1/auth/token/", {"username": official.email, "password": "a long enough passphrase"}
    )
    assert obtained.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {obtained.json()['token']}")
    assert codes(client.get("/api/v1/parties/")) == ["GHA"]


def test_a_wrong_password_gets_no_token_and_a_reason(official):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": official.email, "password": "not the passphrase"}
    )
    assert response.status_code == 400
    assert response.json()["reason"] == "Unable to log in with provided credentials."
    assert "token" not in response.json()


def test_a_forged_token_is_refused_with_a_reason(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    response = client.get("/api/v1/parties/")
    assert response.status_code in (401, 403)
    assert response.json() == {"reason": "Invalid token."}


def test_parties_to_an_instrument_on_a_date_are_those_in_force_that_day(api, make_party):
    make_party("AAA", UNTOC=datetime.date(2003, 1, 1), TIP=datetime.date(2004, 1, 1))
    make_party("BBB", UNTOC=datetime.date(2003, 1, 1), TIP=datetime.date(2018, 10, 19))
    make_party("CCC", UNTOC=datetime.date(2003, 1, 1), TIP=datetime.date(2019, 5, 1))
    make_party("DDD", UNTOC=datetime.date(2003, 1, 1))
    withdrawn = make_party("EEE", TIP=datetime.date(2005, 1, 1))
    withdrawn.party_statuses.update(withdrawn_on=datetime.date(2018, 1, 1))

    assert codes(api.get("/api/v1/parties/?instrument=TIP&on=2018-10-19")) == ["AAA", "BBB"]
    assert codes(api.get("/api/v1/parties/?instrument=TIP&on=2018-10-18")) == ["AAA"]
    # Without a date, the parties today.
    assert codes(api.get("/api/v1/parties/?instrument=TIP")) == ["AAA", "BBB", "CCC"]
    assert codes(api.get("/api/v1/parties/?on=2018-10-19")) == ["AAA", "BBB", "CCC", "DDD"]


def test_parties_can_be_filtered_by_regional_group(api, make_party):
    make_party("GHA", "AFR", UNTOC=OCT_2018)
    make_party("FRA", "WEOG", UNTOC=OCT_2018)
    make_party("EUU", None, UNTOC=OCT_2018)
    assert codes(api.get("/api/v1/parties/?regional_group=WEOG")) == ["FRA"]
    assert codes(api.get("/api/v1/parties/?regional_group=AFR&instrument=UNTOC")) == ["GHA"]


def test_a_party_shows_its_groups_and_its_status_for_each_instrument(api, make_party, regions):
    eu = make_party("EUU", None, UNTOC=datetime.date(2004, 5, 21), SOM=datetime.date(2006, 4, 6))
    eu.draw_group = regions["WEOG"]
    eu.save()
    party = api.get("/api/v1/parties/EUU/").json()
    assert party["regional_group"] is None
    assert party["draw_group"] == {"code": "WEOG", "name": "Western European and other States"}
    assert party["party_statuses"] == [
        {
            "instrument": "UNTOC",
            "became_party_on": "2004-05-21",
            "action": PartyStatus.Action.RATIFICATION,
            "withdrawn_on": None,
        },
        {
            "instrument": "SOM",
            "became_party_on": "2006-04-06",
            "action": PartyStatus.Action.RATIFICATION,
            "withdrawn_on": None,
        },
    ]


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("on=19/10/2018", "The date 19/10/2018 is not valid: write it as YYYY-MM-DD."),
        ("instrument=TIP&on=2018-02-30", "The date 2018-02-30 is not valid"),
        ("instrument=XYZ", "Unknown instrument XYZ."),
        ("regional_group=MARS", "Unknown regional group MARS."),
        ("lang=klingon", "Unknown language klingon"),
    ],
)
def test_an_invalid_filter_gets_a_json_400_that_says_why(api, make_party, query, reason):
    make_party("GHA", UNTOC=OCT_2018, TIP=OCT_2018)
    response = api.get(f"/api/v1/parties/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["reason"].startswith(reason)


def test_the_parties_list_runs_as_many_queries_for_50_states_as_for_10(api, make_party):
    def list_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api.get("/api/v1/parties/?instrument=UNTOC&on=2020-01-01")
        assert response.status_code == 200
        return len(queries)

    for number in range(10):
        make_party(f"A{number:02d}", UNTOC=OCT_2018, TIP=OCT_2018)
    few = list_queries()
    for number in range(10, 50):
        make_party(f"A{number:02d}", UNTOC=OCT_2018, TIP=OCT_2018, SOM=OCT_2018)
    assert list_queries() == few
    assert len(api.get("/api/v1/parties/").json()["results"]) == 50


def test_a_mechanism_carries_its_whole_definition(api, mechanism):
    response = api.get("/api/v1/mechanisms/untoc/")
    assert response.status_code == 200
    data = response.json()
    assert data["gate_threshold_percent"] == "70.00"
    assert data["phase_length_months"] == 24
    assert [instrument["code"] for instrument in data["instruments"]] == ["UNTOC", "TIP", "SOM"]
    assert data["instruments"][1]["parent"] == "UNTOC"
    [cluster] = data["clusters"]
    assert cluster["name"] == "Criminalization and jurisdiction"
    assert cluster["articles"] == [
        {"instrument": "UNTOC", "article": "5"},
        {"instrument": "UNTOC", "article": "6"},
        {"instrument": "TIP", "article": "5"},
    ]
    assert data["phases"] == [{"number": 1, "cluster": 1}]
    assert data["groups"] == [{"number": 1, "starts_on": "2020-10-01", "foreseen_reviews": 62}]
    assert [step["code"] for step in data["steps"]] == ["nominations", "saq"]
    assert data["steps"][1]["deadlines"] == [
        {
            "code": "answers",
            "name": "Answers",
            "amount": 6,
            "unit": "months",
            "anchor_step": "nominations",
            "anchor_event": "end",
        }
    ]
    assert data["draw_rules"]["same_group_reviewers"] == 1
    assert data["draw_rules"]["other_group_reviewers"] == 1
    assert data["draw_rules"]["max_redraws"] == 2


def test_the_mechanism_list_runs_a_fixed_number_of_queries(api, mechanism, instruments):
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/v1/mechanisms/").status_code == 200
    # session, user, count, mechanisms with their draw rules, then one query per relation.
    assert len(queries) == 11
    uncac = Mechanism.objects.create(
        code="uncac",
        name="UNCAC review",
        phase_length_months=12,
        gate_threshold_percent=Decimal(0),
        activation_link_days=10,
    )
    cluster = Cluster.objects.create(mechanism=uncac, number=1, name="Chapter III")
    PhaseDefinition.objects.create(mechanism=uncac, number=1, cluster=cluster)
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/v1/mechanisms/")
    assert len(queries) == 11
    assert [m["code"] for m in response.json()["results"]] == ["uncac", "untoc"]
    assert response.json()["results"][0]["draw_rules"] is None


def test_names_follow_the_accept_language_header(api, mechanism):
    french = api.get("/api/v1/mechanisms/untoc/", HTTP_ACCEPT_LANGUAGE="fr")
    assert french["Content-Language"] == "fr"
    data = french.json()
    assert data["name"] == "Mécanisme d'examen de l'application de la Convention"
    assert data["clusters"][0]["name"] == "Incrimination et compétence"
    # No French name recorded: the English one stands in.
    assert data["steps"][0]["name"] == "Nominations"


def test_the_lang_parameter_outweighs_the_accept_language_header(api, regions):
    response = api.get("/api/v1/regional-groups/?lang=fr", HTTP_ACCEPT_LANGUAGE="en")
    assert [group["name"] for group in response.json()["results"]] == [
        "États d'Afrique",
        "États d'Europe occidentale",
    ]
    english = api.get("/api/v1/regional-groups/AFR/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english == {"code": "AFR", "name": "African States"}


def test_instruments_and_clusters_are_listed(api, mechanism):
    instruments = api.get("/api/v1/instruments/?lang=fr").json()["results"]
    assert [instrument["code"] for instrument in instruments] == ["UNTOC", "TIP", "SOM"]
    assert instruments[0]["name"].startswith("Convention des Nations Unies")
    clusters = api.get("/api/v1/clusters/").json()["results"]
    assert [(cluster["mechanism"], cluster["number"]) for cluster in clusters] == [("untoc", 1)]


def test_reference_data_cannot_be_written_through_the_api(api, regions):
    response = api.post("/api/v1/regional-groups/", {"code": "XX", "name": "X"})
    assert response.status_code == 405
    assert "reason" in response.json()


def test_the_schema_is_openapi_and_lists_every_endpoint(db):
    response = APIClient().get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    for path in [
        "/api/v1/mechanisms/",
        "/api/v1/mechanisms/{code}/",
        "/api/v1/instruments/",
        "/api/v1/clusters/",
        "/api/v1/regional-groups/",
        "/api/v1/parties/",
        "/api/v1/parties/{code}/",
        "/api/v1/auth/token/",
    ]:
        assert path in schema["paths"], path
    filters = {p["name"] for p in schema["paths"]["/api/v1/parties/"]["get"]["parameters"]}
    assert {"instrument", "on", "regional_group", "lang"} <= filters
