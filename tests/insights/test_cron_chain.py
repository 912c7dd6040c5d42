"""The whole chain once, end to end: the hourly pg_cron job's command (looked up by name) queues a
pg_net request with the URL and secret from Vault; the net worker delivers it; the service answers
202 at once and syncs from the fake Graph API through the REST layer; rows appear."""

from __future__ import annotations

import json

import pytest

from .conftest import HOURLY_JOB, SYNC, wait_for

SECRETS = ("social_link_sync_url", "social_link_cron_secret", "social_link_sync_shards")


@pytest.fixture
def vault(db):
    """`vault(name, value)` sets a Vault secret for the test; the ones it set are removed after."""
    previous = {row["name"]: row["decrypted_secret"] for row in db.query(
        "select name, decrypted_secret from vault.decrypted_secrets where name = any(%s)", list(SECRETS))}
    db.query("delete from vault.secrets where name = any(%s)", list(SECRETS))

    def set_secret(name: str, value: str) -> None:
        db.query("select vault.create_secret(%s, %s)", value, name)

    yield set_secret
    db.query("delete from vault.secrets where name = any(%s)", list(SECRETS))
    for name, value in previous.items():
        set_secret(name, value)


def test_the_hourly_job_reaches_the_service_through_pg_net_and_rows_appear(service, db, connected, vault):
    sub, facebook_user = connected()
    page = facebook_user["pages"][0]
    job = db.query("select schedule, command from cron.job where jobname = %s", HOURLY_JOB)
    assert len(job) == 1
    assert job[0]["schedule"] == "5 * * * *"  # hourly, five minutes past
    vault("social_link_sync_url", f"{service.base_url}{SYNC}")
    vault("social_link_cron_secret", service.cron_secret)

    request_ids = [next(iter(row.values())) for row in db.query(job[0]["command"])]

    assert len(request_ids) == 1
    response = wait_for(lambda: db.query("select * from net._http_response where id = %s", request_ids[0]),
                        what="pg_net's response")[0]
    # The service answered 202 at once (no timeout however long the sync takes) and works on.
    assert (response["status_code"], response["timed_out"], response["error_msg"]) == (202, False, None)
    started = json.loads(response["content"])
    assert started["status"] == "running"
    run = wait_for(lambda: db.query("select * from public.social_media_sync_runs where id = %s "
                                    "and finished_at is not null", started["run_id"]), what="the run to finish")[0]
    assert (run["trigger"], run["shard"], run["shards"]) == ("cron", 0, 1)
    outcomes = db.outcomes(started["run_id"])
    assert outcomes[page["id"]]["status"] == outcomes[page["instagram"]["id"]]["status"] == "synced"
    assert {(row["platform"], row["period"]) for row in db.insights(sub)} == {
        ("facebook", "hour"), ("facebook", "day"), ("instagram", "hour"), ("instagram", "day")}
