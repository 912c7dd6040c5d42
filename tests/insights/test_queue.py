"""The sync queue against the stack: two service processes draining one hour together, a worker
SIGKILLed while it holds messages and the kick job alone completing the hour, a message that fails
every delivery dead-lettered with its accounts recorded failed, and 2,500 accounts read through
PostgREST's db-max-rows cap of 1000 with pages of 2,000 asked for."""

from __future__ import annotations

import signal
import time
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import requests
from cryptography.fernet import Fernet

from tests.reliability.harness import PrivateService

from .conftest import KICK_JOB, SYNC, job_command, wait_for

CRON = "Bearer {}"


@pytest.fixture
def webhook_processes(stack_env, tmp_path):
    """`start(name, **settings)`: a service process of the test's own (one gunicorn worker), with
    its log; all of them are stopped after the test."""
    started: list[PrivateService] = []

    def start(name: str, **settings: str) -> PrivateService:
        process = PrivateService("webhook_service", [], {**stack_env, "HOST": "127.0.0.1", "WEB_CONCURRENCY": "1",
                                                         **settings}, "/healthz", tmp_path / f"{name}.log").start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop(signal.SIGKILL)


def queue_user_async(process: PrivateService, cron_secret: str, sub: str) -> str:
    """Queues `sub`'s accounts through `process` (which pokes its own workers); the run id."""
    response = requests.post(f"{process.url}{SYNC}", params={"user_id": sub}, timeout=30,
                             headers={"Authorization": CRON.format(cron_secret), "Prefer": "respond-async"})
    assert response.status_code == 202, response.text
    return response.json()["run_id"]


def finished_run(db, run_id: str, seconds: float = 90) -> dict:
    return wait_for(lambda: db.query("select * from public.social_media_sync_runs where id = %s "
                                     "and finished_at is not null", run_id), seconds=seconds,
                    what="the run to finish")[0]


def hour_rows_per_account(db, sub: str, hour: datetime) -> dict[str, int]:
    rows = db.query("select account_id, count(*) as n from public.social_media_insights where user_id = %s "
                    "and period = 'hour' and window_start = %s group by account_id", sub, hour)
    return {row["account_id"]: row["n"] for row in rows}


def accounts_of(facebook_user: dict) -> set[str]:
    return {account["id"] for page in facebook_user["pages"] for account in (page, page["instagram"])}


def messages_done_by(process: PrivateService, run_id: str) -> int:
    return sum(1 for line in process.log.read_text().splitlines() if "(delivery" in line and run_id in line)


def test_two_service_processes_drain_one_hour_together_every_account_has_its_hour_row_no_duplicates(
        service, db, connected, fake_graph, webhook_processes):
    sub, facebook_user = connected(pages=6)
    first, second = (webhook_processes(name, INSIGHTS_ACCOUNTS_PER_MESSAGE="10") for name in ("first", "second"))
    # Every Graph batch takes a moment, so that neither process can drain the hour alone at once.
    fake_graph.add_fault(None, {"delay_ms": 300}, times=60, path_regex="^/$")

    run_id = queue_user_async(first, service.cron_secret, sub)
    poked = requests.post(f"{second.url}{SYNC}", headers={"Authorization": CRON.format(service.cron_secret)}, timeout=30)

    assert (poked.status_code, poked.json()) == (202, {"success": True, "status": "working"})
    run = finished_run(db, run_id)
    assert (run["status"], run["accounts_queued"], run["accounts_done"]) == ("succeeded", 12, 12)
    assert hour_rows_per_account(db, sub, run["window_start"]) == dict.fromkeys(accounts_of(facebook_user), 1)
    duplicates = db.query("select account_id, period, window_start from public.social_media_insights where user_id = %s "
                          "group by 1, 2, 3 having count(*) > 1", sub)
    assert duplicates == []
    # 12 new accounts: 12 backfill messages of one account each, shared by the two processes.
    done = [messages_done_by(process, run_id) for process in (first, second)]
    assert sum(done) == 12 and min(done) >= 1, done


def test_a_worker_sigkilled_while_it_holds_messages_the_kick_job_alone_completes_the_hour(
        service, db, connected, fake_graph, webhook_processes, vault):
    sub, facebook_user = connected(pages=3)
    doomed = webhook_processes("doomed", INSIGHTS_VISIBILITY_TIMEOUT_SECONDS="3", INSIGHTS_ACCOUNTS_PER_MESSAGE="10")
    survivor = webhook_processes("survivor", INSIGHTS_VISIBILITY_TIMEOUT_SECONDS="3")
    fake_graph.add_fault(None, {"delay_ms": 5000}, times=20, path_regex="^/$")

    run_id = queue_user_async(doomed, service.cron_secret, sub)
    wait_for(lambda: db.query("select 1 from pgmq.q_social_link_sync_low where message ->> 'run_id' = %s "
                              "and read_ct > 0 and vt > now()", run_id), what="the doomed worker to hold messages")
    doomed.stop(signal.SIGKILL)
    fake_graph.clear_faults()
    vault("social_link_sync_url", f"{survivor.url}{SYNC}")
    vault("social_link_cron_secret", service.cron_secret)
    started = time.monotonic()

    # Nothing but the kick job's command, as pg_cron runs it every minute (here every second).
    def kicked_until_finished():
        db.query(job_command(db, KICK_JOB))
        return db.query("select * from public.social_media_sync_runs where id = %s and finished_at is not null", run_id)

    run = wait_for(kicked_until_finished, seconds=60, what="the kicks to finish the run")[0]

    recovered_in = time.monotonic() - started
    assert run["status"] == "succeeded" and run["accounts_done"] == 6
    assert run["finished_at"] < run["window_end"] and not run["overran_hour"]  # within the same hour
    assert hour_rows_per_account(db, sub, run["window_start"]) == dict.fromkeys(accounts_of(facebook_user), 1)
    redelivered = [line for line in survivor.log.read_text().splitlines() if "(delivery 2)" in line and run_id in line]
    assert redelivered, "the survivor took over messages the killed worker held"
    assert recovered_in < 60


def test_a_message_that_fails_every_delivery_is_dead_lettered_its_accounts_failed_and_the_run_finishes(
        service, db, connected, fake_graph, service_with):
    sub, facebook_user = connected(pages=2)
    stuck = facebook_user["pages"][0]["id"]
    client = service_with(INSIGHTS_VISIBILITY_TIMEOUT_SECONDS="1", INSIGHTS_MAX_DELIVERIES="2",
                          INSIGHTS_ACCOUNTS_PER_MESSAGE="10", GRAPH_TIMEOUT_SECONDS="30")
    # Each delivery of the stuck Page's message runs past its visibility timeout, so it never completes.
    fake_graph.add_fault(stuck, {"delay_ms": 4000}, times=None)

    response = client.post(SYNC, query_string={"user_id": sub}, headers={"Authorization": CRON.format(service.cron_secret)})

    assert response.status_code == 200, response.text
    body = response.json
    assert (body["status"], body["dead_lettered"]) == ("partial", 1)
    outcomes = db.outcomes(body["run_id"])
    assert outcomes[stuck]["status"] == "failed"
    assert outcomes[stuck]["error"].startswith("Gave up after 2 deliveries; last error: none recorded")
    assert {account: row["status"] for account, row in outcomes.items() if account != stuck} == \
        dict.fromkeys(accounts_of(facebook_user) - {stuck}, "synced")
    stuck_row_id = db.accounts_by_id(sub)[stuck]["id"]
    archived = db.query("select message from pgmq.a_social_link_sync_low where message ->> 'run_id' = %s",
                        body["run_id"])
    assert [row["message"]["accounts"] for row in archived] == [[str(stuck_row_id)]]


def store_accounts(database_url: str, encryption_key: str, sub: str, graph_users: list[dict]) -> int:
    """A Page and its Instagram account per fake user, for `sub`, synced an hour ago (so this run
    takes snapshots, not 30-day backfills), tokens encrypted as the service does."""
    cipher = Fernet(encryption_key.split(",")[0])
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    accounts = [(platform, account_id, page["access_token"]) for user in graph_users for page in user["pages"]
                for platform, account_id in (("facebook", page["id"]), ("instagram", page["instagram_id"]))]
    with psycopg.connect(database_url) as connection:
        with connection.cursor().copy("copy public.social_media_accounts (user_id, platform, account_id, "
                                      "last_synced_at) from stdin") as copy:
            for platform, account_id, _ in accounts:
                copy.write_row((sub, platform, account_id, an_hour_ago))
        ids = dict(connection.execute("select account_id, id from public.social_media_accounts where user_id = %s",
                                      (sub,)).fetchall())
        with connection.cursor().copy("copy private.social_media_tokens (account_id, access_token) from stdin") as copy:
            for _, account_id, token in accounts:
                copy.write_row((ids[account_id], cipher.encrypt(token.encode()).decode()))
    return len(accounts)


@pytest.fixture
def bulk_sub(db, new_sub):
    """A user id whose many accounts and rows are removed after the test (other suites page
    through every account of the session's database)."""
    sub = new_sub()
    yield sub
    db.query("delete from public.social_media_insights where user_id = %s", sub)
    db.query("delete from public.social_media_accounts where user_id = %s", sub)


def test_2500_accounts_with_pages_of_2000_under_the_default_db_max_rows_of_1000_are_all_synced(
        service, db, fake_graph, service_with, stack_env, bulk_sub):
    sub = bulk_sub
    graph_users = fake_graph.post("bulk", {"users": 1250, "pages_per_user": 1, "with_instagram": True})["users"]
    assert store_accounts(stack_env["DATABASE_URL"], stack_env["TOKEN_ENCRYPTION_KEY"], sub, graph_users) == 2500
    ids = [str(row["id"]) for row in db.accounts(sub)]
    key = stack_env["SUPABASE_SERVICE_ROLE_KEY"]
    capped = requests.post(f"{stack_env['SUPABASE_URL']}/rest/v1/rpc/social_media_sync_accounts",
                           params={"limit": 2000}, json={"p_ids": ids}, timeout=60,
                           headers={"apikey": key, "Authorization": f"Bearer {key}"})
    assert len(capped.json()) == 1000  # the REST layer's db-max-rows, as on Supabase
    # One message of all 2,500 accounts, read in pages of "2,000" that come back as 1,000.
    client = service_with(INSIGHTS_ACCOUNTS_PER_PAGE="2000", INSIGHTS_ACCOUNTS_PER_MESSAGE="2500",
                          INSIGHTS_SYNC_WAIT_SECONDS="600")

    response = client.post(SYNC, query_string={"user_id": sub}, headers={"Authorization": CRON.format(service.cron_secret)})

    assert response.status_code == 200, response.text
    body = response.json
    assert (body["queued"], body["synced"], body["status"]) == (2500, {"facebook": 1250, "instagram": 1250},
                                                               "succeeded")
    hour = datetime.fromisoformat(body["window"]["window_start"])
    assert len(hour_rows_per_account(db, sub, hour)) == 2500
