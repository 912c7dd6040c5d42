"""Sync throughput: the real hourly sync for N accounts against the fake Graph API with a fixed
latency per HTTP request, through the REST layer into Postgres.

- ours: the hourly job's command (looked up by name) over every account, as pg_cron runs it: the
  hour's messages queued, the service poked through pg_net, its workers draining the queue, timed
  until the run is finished (steady state: each account synced an hour ago, so it re-fetches
  Meta's last 3 days rather than a 30-day backfill).
- baseline: the original plan's pseudocode done plainly on a sample of accounts: one after another,
  one Graph GET per call needed, one upsert per row.
- floor: the wall time the Graph round trips alone imply: HTTP requests / (concurrency x service
  processes) x latency.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import psycopg
import requests
from cryptography.fernet import Fernet
from postgrest import SyncPostgrestClient
from psycopg.rows import dict_row

from bench.measure import cpu_seconds, peak_rss_mb, process_tree
from devstack.stack import Stack
from webhook_service.catalog import FACEBOOK, INSTAGRAM, Request


def create_accounts(env: dict[str, str], users: list[dict], prefix: str, *, active: bool) -> list[dict]:
    """Stores a Page and its Instagram account per fake user, tokens encrypted as the service does.
    Inactive accounts are left out of the service's runs (the baseline syncs those)."""
    cipher = Fernet(env["TOKEN_ENCRYPTION_KEY"].split(",")[0])
    synced_an_hour_ago = datetime.now(timezone.utc) - timedelta(hours=1)
    accounts = []
    for number, user in enumerate(users):
        page = user["pages"][0]
        for platform, account_id in (("facebook", page["id"]), ("instagram", page["instagram_id"])):
            accounts.append({"user_id": f"{prefix}{number}", "platform": platform, "account_id": account_id,
                             "token": page["access_token"]})
    with psycopg.connect(env["DATABASE_URL"]) as db:
        with db.cursor().copy("copy social_media_accounts (user_id, platform, account_id, account_name, last_synced_at,"
                              " is_active) from stdin") as copy:
            for account in accounts:
                copy.write_row((account["user_id"], account["platform"], account["account_id"], "bench",
                                synced_an_hour_ago, active))
        ids = dict(((user_id, account_id), row_id) for row_id, user_id, account_id in db.execute(
            "select id, user_id, account_id from social_media_accounts where user_id like %s", (prefix + "%",)))
        with db.cursor().copy("copy private.social_media_tokens (account_id, access_token) from stdin") as copy:
            for account in accounts:
                copy.write_row((ids[(account["user_id"], account["account_id"])],
                                cipher.encrypt(account["token"].encode()).decode()))
    return accounts


def stack_processes(stack: Stack) -> dict[str, list[int]]:
    """Each part of the stack's processes (with their children), to account for CPU per part."""
    parts = {name: process_tree(int((stack.run / f"{name}.pid").read_text())) for name in ("webhook", "rest", "graph")}
    postmaster = int((stack.cluster.data_dir / "postmaster.pid").read_text().split()[0])
    parts["postgres"] = process_tree(postmaster)
    return parts


HOURLY_JOB = "social-link-insights-sync"


def hourly_run(env: dict[str, str], on_start: Callable[[str], None] | None = None) -> dict:
    """Runs the hourly job's command as pg_cron would (after removing this hour's run, so that each
    measurement queues its accounts afresh) and waits for the run to finish; the run row and the
    wall time from the command to the finish."""
    with psycopg.connect(env["DATABASE_URL"], autocommit=True, row_factory=dict_row) as db:
        db.execute("delete from social_media_sync_runs where trigger = 'cron' and user_id is null "
                   "and window_start = date_trunc('hour', now(), 'UTC')")
        command = db.execute("select command from cron.job where jobname = %s", (HOURLY_JOB,)).fetchone()["command"]
        started = time.perf_counter()
        run_id = next(iter(db.execute(command).fetchone().values()))
        if on_start:
            on_start(run_id)
        while True:
            run = db.execute("select * from social_media_sync_runs where id = %s", (run_id,)).fetchone()
            if run["finished_at"]:
                return {"run": run, "wall_s": round(time.perf_counter() - started, 2)}
            time.sleep(0.2)


def restart_webhook(stack: Stack, env: dict[str, str], **settings: str) -> list[int]:
    """The stack's service again with these settings (WEB_CONCURRENCY=...); its worker pids."""
    stack.stop_service("webhook")
    pid_file = stack.run / "webhook.pid"
    ports = json.loads((stack.run / "ports.json").read_text())
    webhook = next(service for service in stack.services(ports) if service.name == "webhook")
    webhook.env.update(settings)
    stack.start_service(webhook, env)
    workers = int(settings.get("WEB_CONCURRENCY", 2))
    while len(process_tree(int(pid_file.read_text()))) < workers + 1:
        time.sleep(0.1)
    return process_tree(int(pid_file.read_text()))[1:]


def set_active(env: dict[str, str], prefix: str, active: bool) -> None:
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as db:
        db.execute("update social_media_accounts set is_active = %s where user_id like %s", (active, prefix + "%"))


def per_process_peak_rss_mb(stack: Stack) -> float:
    """The largest peak RSS of one service process (gunicorn's master or a worker)."""
    return max(peak_rss_mb([pid]) for pid in process_tree(int((stack.run / "webhook.pid").read_text())))


def run_ours(stack: Stack, env: dict[str, str], graph: requests.Session) -> dict:
    graph.post(f"{env['GRAPH_API_BASE']}/_control/stats/reset").raise_for_status()
    parts = stack_processes(stack)
    cpu_before = {name: cpu_seconds(pids) for name, pids in parts.items()}
    measured = hourly_run(env)
    cpu_used = {name: round(cpu_seconds(pids) - cpu_before[name], 2) for name, pids in stack_processes(stack).items()}
    stats = graph.get(f"{env['GRAPH_API_BASE']}/_control/stats").json()
    run = measured["run"]
    webhook_pid = int((stack.run / "webhook.pid").read_text())
    return {
        "wall_s": measured["wall_s"],
        "synced": run["synced"],
        "failed": run["failed"],
        "accounts_done": run["accounts_done"],
        "graph_http_requests": stats["http_requests"],
        "graph_calls": stats["calls"],
        "service_processes": len(process_tree(webhook_pid)) - 1,
        "service_peak_rss_mb": peak_rss_mb(process_tree(webhook_pid)),
        "service_peak_rss_mb_per_process": per_process_peak_rss_mb(stack),
        # CPU seconds per part during the run: on a 2-core machine everything shares 2 x wall_s.
        "cpu_s": cpu_used,
    }


def run_baseline(env: dict[str, str], accounts: list[dict]) -> dict:
    """The plan's pseudocode: for each account, fetch with one GET per call, upsert row by row."""
    rest = SyncPostgrestClient(f"{env['SUPABASE_URL']}/rest/v1", headers={
        "apikey": env["SUPABASE_SERVICE_ROLE_KEY"], "Authorization": f"Bearer {env['SUPABASE_SERVICE_ROLE_KEY']}"})
    graph = requests.Session()
    base = f"{env['GRAPH_API_BASE']}/v25.0"
    now = datetime.now(timezone.utc)
    window_start = now.replace(minute=0, second=0, microsecond=0)
    days = [now.date() - timedelta(days=offset) for offset in range(2, -1, -1)]
    requests_made = rows_written = 0
    started = time.perf_counter()
    for account in accounts:
        metrics = FACEBOOK if account["platform"] == "facebook" else INSTAGRAM
        fields, series, totals = (metrics.meta_names(request)
                                  for request in (Request.FIELD, Request.SERIES, Request.TOTAL_VALUE))
        token = {"access_token": account["token"]}
        since, until = _unix(days[0]), _unix(days[-1] + timedelta(days=1))
        calls = [f"{account['account_id']}?{urlencode({'fields': ','.join(fields), **token})}",
                 f"{account['account_id']}/insights?" + urlencode(
                     {"metric": ",".join(series), "period": "day", "since": since, "until": until,
                      **({"metric_type": "time_series"} if metrics is INSTAGRAM else {}), **token})]
        calls += [f"{account['account_id']}/insights?" + urlencode(
            {"metric": ",".join(totals), "period": "day", "metric_type": "total_value",
             "since": _unix(day), "until": _unix(day + timedelta(days=1)), **token})
            for day in (days if totals else [])]
        snapshot: dict = {}
        for call in calls:
            answer = graph.get(f"{base}/{call}", timeout=30).json()
            requests_made += 1
            for item in answer.get("data", []):
                value = item.get("total_value", {}).get("value")
                if value is None and item.get("values"):
                    value = item["values"][-1]["value"]
                snapshot[item["name"]] = value
            snapshot.update({k: v for k, v in answer.items() if k in fields})
        rows = [{"period": "hour", "window_start": window_start, "window_end": window_start + timedelta(hours=1)}]
        rows += [{"period": "day", "window_start": datetime(d.year, d.month, d.day, tzinfo=timezone.utc),
                  "window_end": datetime(d.year, d.month, d.day, tzinfo=timezone.utc) + timedelta(days=1)} for d in days]
        for row in rows:
            rest.table("social_media_insights").upsert({
                "user_id": account["user_id"], "platform": account["platform"], "account_id": account["account_id"],
                "period": row["period"], "window_start": row["window_start"].isoformat(),
                "window_end": row["window_end"].isoformat(), "metrics": snapshot,
            }, on_conflict="user_id,platform,account_id,period,window_start").execute()
            rows_written += 1
    wall = time.perf_counter() - started
    return {"accounts": len(accounts), "wall_s": round(wall, 2), "graph_http_requests": requests_made,
            "rows_written": rows_written}


def _unix(day) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp())


def run(stack: Stack, env: dict[str, str], *, accounts: int, latency_ms: int, baseline_sample: int) -> dict:
    graph = requests.Session()
    control = f"{env['GRAPH_API_BASE']}/_control"
    users = graph.post(f"{control}/bulk", json={"users": accounts // 2 + baseline_sample // 2,
                                                 "pages_per_user": 1, "with_instagram": True}).json()["users"]
    ours_accounts = create_accounts(env, users[: accounts // 2], "bench_sync_", active=True)
    baseline_accounts = create_accounts(env, users[accounts // 2:], "bench_baseline_", active=False)
    graph.post(f"{control}/latency", json={"ms": latency_ms}).raise_for_status()
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as db:
        # The bench runs the hourly job's command itself; pg_cron must not add a run at :05.
        db.execute("select cron.alter_job(jobid, active := false) from cron.job where jobname = %s", (HOURLY_JOB,))

    baseline = run_baseline(env, baseline_accounts)
    ours = run_ours(stack, env, graph)
    with psycopg.connect(env["DATABASE_URL"]) as db:
        ours["rows_written"] = db.execute(
            "select count(*) from social_media_insights where user_id like 'bench_sync_%'").fetchone()[0]

    concurrency = int(env.get("GRAPH_CONCURRENCY", 10))
    floor_s = ours["graph_http_requests"] / (concurrency * ours["service_processes"]) * latency_ms / 1000
    ours_per_account = ours["wall_s"] / len(ours_accounts)
    baseline_per_account = baseline["wall_s"] / baseline["accounts"]
    return {
        "latency_ms": latency_ms,
        "accounts": len(ours_accounts),
        "ours": ours | {"accounts_per_s": round(len(ours_accounts) / ours["wall_s"], 1)},
        "baseline": baseline | {"accounts_per_s": round(baseline["accounts"] / baseline["wall_s"], 2)},
        "floor_s": round(floor_s, 2),
        "graph_concurrency": concurrency,
        "baseline_per_account_over_ours_per_account": round(baseline_per_account / ours_per_account, 1),
        "ours_wall_over_floor": round(ours["wall_s"] / floor_s, 2),
    }
