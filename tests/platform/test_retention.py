"""The daily retention job: old hourly rows go, in batches; daily rows and recent hours stay."""

import psycopg


def test_prune_deletes_only_hourly_rows_older_than_the_horizon(database_url):
    with psycopg.connect(database_url, autocommit=True) as db:
        db.execute(
            """
            insert into social_media_insights (user_id, platform, account_id, period, window_start, window_end, metrics)
            select 'retention_user', 'facebook'::social_media_platform, 'page-r', 'hour',
                   date_trunc('hour', now()) - make_interval(hours => h),
                   date_trunc('hour', now()) - make_interval(hours => h - 1), '{}'::jsonb
            from generate_series(1, 24 * 12) as h
            union all
            select 'retention_user', 'facebook'::social_media_platform, 'page-r', 'day',
                   date_trunc('day', now()) - make_interval(days => d),
                   date_trunc('day', now()) - make_interval(days => d - 1), '{}'
            from generate_series(1, 12) as d
            """
        )
        # Horizon 10 days, batches of 7 rows: many batches, each committed by the procedure.
        db.execute("call public.prune_hourly_insights(interval '10 days', 7)")
        remaining = db.execute(
            """
            select period, count(*), min(window_start) >= now() - interval '10 days'
            from social_media_insights where user_id = 'retention_user' group by period order by period
            """
        ).fetchall()

    # 288 hourly rows over 12 days: those starting in the last 10 days remain; all 12 daily rows stay.
    day_rows, hour_rows = remaining
    assert day_rows == ("day", 12, False)
    assert hour_rows[0] == "hour" and hour_rows[2] is True
    assert hour_rows[1] in (239, 240)  # 240 hours in 10 days; the boundary hour depends on now()


def test_retention_job_is_scheduled_daily_by_name(database_url):
    with psycopg.connect(database_url) as db:
        jobs = db.execute(
            "select schedule, command from cron.job where jobname = 'social-link-prune-hourly-insights'"
        ).fetchall()
    assert jobs == [("17 3 * * *", "call public.prune_hourly_insights(interval '90 days')")]


def test_cron_run_history_keeps_a_week_of_this_packages_jobs_and_leaves_other_jobs_alone(stack_env):
    # As the cluster's administrator: pg_cron's run history is written by pg_cron itself, not by postgres.
    with psycopg.connect(stack_env["ADMIN_DATABASE_URL"], autocommit=True) as db:
        schedule, command = db.execute(
            "select schedule, command from cron.job where jobname = 'social-link-prune-cron-history'").fetchone()
        ours = db.execute("select jobid from cron.job where jobname = 'social-link-insights-sync'").fetchone()[0]
        theirs = db.execute("select cron.schedule('someone-elses-job', '0 0 1 1 *', 'select 1')").fetchone()[0]
        runs = {}
        try:
            for job, age in ((ours, "8 days"), (ours, "6 days"), (theirs, "8 days")):
                runs[job, age] = db.execute(
                    "insert into cron.job_run_details (jobid, runid, command, status, start_time, end_time) "
                    "values (%s, nextval('cron.runid_seq'), 'select 1', 'succeeded', now() - %s::interval, "
                    "now() - %s::interval) returning runid", (job, age, age)).fetchone()[0]
            db.execute(command)
            kept = {row[0] for row in db.execute("select runid from cron.job_run_details where runid = any(%s)",
                                                  (list(runs.values()),))}
        finally:
            db.execute("delete from cron.job_run_details where jobid = %s or runid = any(%s)",
                       (theirs, list(runs.values())))
            db.execute("select cron.unschedule('someone-elses-job')")

    assert schedule == "47 3 * * *"
    assert kept == {runs[ours, "6 days"], runs[theirs, "8 days"]}
