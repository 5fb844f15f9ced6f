import pytest


@pytest.mark.django_db
def test_home_page_answers_in_every_language(client):
    for code in ["ar", "zh-hans", "en", "fr", "ru", "es"]:
        response = client.get(f"/{code}/")
        assert response.status_code == 200
        assert f'lang="{code}"' in response.content.decode()
