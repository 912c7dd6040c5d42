"""Query parameters are parsed by the API's declared models (in process, through Flask's test client):
integers are ASCII digits only, and the read API's bounds are the read RPC's."""

from __future__ import annotations

import psycopg
import pytest

from webhook_service import create_app
from webhook_service.api.models import MAX_DAYS, MAX_HOURS
from webhook_service.config import Config

READ = "/api/v1/social-media/insights"
SYNC = "/api/v1/social-media/insights/sync"
# '²', '٣', '௫', ...: str.isdigit() and int() take them all.
NON_ASCII_DIGITS = [character for character in map(chr, range(0x80, 0x110000)) if character.isdigit()]


@pytest.fixture(scope="module")
def client(stack_env):
    return create_app(Config.from_env(stack_env)).test_client()


@pytest.fixture
def as_user(user_jwt, user_id):
    return {"Authorization": f"Bearer {user_jwt(user_id)}"}


def test_hours_of_superscript_two_is_a_400(client, as_user):
    response = client.get(READ, query_string={"platform": "facebook", "hours": "²"}, headers=as_user)

    assert response.status_code == 400
    assert response.json == {"error": "invalid_parameter", "message": "hours must be an integer from 1 to 2160."}


@pytest.mark.parametrize("name", ["hours", "days"])
def test_every_non_ascii_digit_in_a_read_parameter_is_a_400(client, as_user, name):
    refused = {digit: client.get(READ, query_string={"platform": "facebook", name: digit}, headers=as_user)
               for digit in NON_ASCII_DIGITS}

    assert len(refused) > 500
    assert {(response.status_code, response.json["error"]) for response in refused.values()} == {
        (400, "invalid_parameter")}


@pytest.mark.parametrize("name", ["shard", "shards"])
def test_every_non_ascii_digit_in_a_shard_parameter_is_a_400(client, stack_env, name):
    as_cron = {"Authorization": f"Bearer {stack_env['CRON_SECRET']}"}
    refused = {digit: client.post(SYNC, query_string={name: digit}, headers=as_cron) for digit in NON_ASCII_DIGITS}

    assert {(response.status_code, response.json["error"]) for response in refused.values()} == {
        (400, "invalid_parameter")}


def test_a_nul_character_in_an_account_id_is_a_400_not_a_database_error(client, as_user):
    read = client.get(READ, query_string={"platform": "instagram", "account_id": "\u00bd\x00"}, headers=as_user)
    disconnect = client.post("/api/v1/social-media/disconnect/facebook", json={"account_id": "1\x00"}, headers=as_user)

    assert read.status_code == 400
    assert read.json == {"error": "invalid_parameter", "message": "account_id must not contain NUL characters."}
    assert (disconnect.status_code, disconnect.json["error"]) == (400, "invalid_body")


@pytest.mark.parametrize("argument, period, maximum", [("hours", "hour", MAX_HOURS), ("days", "day", MAX_DAYS)])
def test_the_read_rpc_takes_exactly_the_range_the_api_takes(db, argument, period, maximum):
    call = f"select public.get_social_media_insights(platform => 'facebook', period => %s, {argument} => %s)"

    db.query(call, period, maximum)
    with pytest.raises(psycopg.errors.InvalidParameterValue, match=f"{argument} must be between 1 and {maximum}"):
        db.query(call, period, maximum + 1)
