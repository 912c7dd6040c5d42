"""The whole chain once, end to end: the hourly pg_cron job's command (looked up by name) records the
hour's run and queues its accounts as pgmq messages, then pokes the service through pg_net with the
URL and secret from Vault; the net worker delivers the pokes; the service answers 202 and its
workers drain the queue from the fake Graph API through the REST layer; rows appear and the run
finishes. Run twice, the command queues nothing more."""

from __future__ import annotations

from .conftest import HOURLY_JOB, SYNC, job_command, wait_for


def queued_messages(db) -> int:
    return db.query("select (select count(*) from pgmq.q_social_link_sync) "
                    "+ (select count(*) from pgmq.q_social_link_sync_low) as n")[0]["n"]


def test_the_hourly_jobs_command_run_by_hand_enqueues_the_hour_once_and_twice_enqueues_nothing_more(
        service, db, connected, vault, within_one_hour):
    sub, facebook_user = connected()
    page = facebook_user["pages"][0]
    job = db.query("select schedule from cron.job where jobname = %s", HOURLY_JOB)
    assert job == [{"schedule": "5 * * * *"}]  # hourly, five minutes past
    vault("social_link_sync_url", f"{service.base_url}{SYNC}")
    vault("social_link_cron_secret", service.cron_secret)
    db.query("delete from public.social_media_sync_runs where trigger = 'cron' and user_id is null "
             "and window_start = date_trunc('hour', now(), 'UTC')")

    def run_the_job_twice(hour):
        first = db.query(job_command(db, HOURLY_JOB))[0]
        queued = queued_messages(db)
        second = db.query(job_command(db, HOURLY_JOB))[0]
        return first, queued, second, queued_messages(db)

    first, queued, second, queued_after_second = within_one_hour(run_the_job_twice)

    run_id = first["enqueue_hourly_social_media_sync"]
    assert second["enqueue_hourly_social_media_sync"] == run_id
    assert queued_after_second <= queued  # workers may already be draining; nothing was added
    run = db.query("select * from public.social_media_sync_runs where id = %s", run_id)[0]
    assert (run["trigger"], run["user_id"]) == ("cron", None)
    eligible = db.query("select count(*) as n from public.social_media_accounts a join private.social_media_tokens t "
                        "on t.account_id = a.id where a.is_active and a.status <> 'needs_reauth'")[0]["n"]
    assert run["accounts_queued"] + run["accounts_joined"] == eligible
    # The pokes reached the service (202, through pg_net), whose workers drained the hour.
    pokes = wait_for(lambda: db.query("select status_code from net._http_response where content like '%%working%%'"),
                     what="a poke's response")
    assert {row["status_code"] for row in pokes} == {202}
    finished = wait_for(lambda: db.query("select * from public.social_media_sync_runs where id = %s "
                                         "and finished_at is not null", run_id), seconds=120, what="the run to finish")[0]
    assert finished["accounts_done"] + finished["accounts_failed"] <= finished["accounts_queued"]
    assert finished["accounts_dead_lettered"] == 0
    outcomes = db.outcomes(run_id)
    assert outcomes[page["id"]]["status"] == outcomes[page["instagram"]["id"]]["status"] == "synced"
    assert {(row["platform"], row["period"]) for row in db.insights(sub)} == {
        ("facebook", "hour"), ("facebook", "day"), ("instagram", "hour"), ("instagram", "day")}
