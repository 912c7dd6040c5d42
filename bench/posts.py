"""Post work in the hourly run: 1,000 accounts (500 Pages + 500 Instagram accounts) with 50 posts
each, against the fake Graph API with a fixed latency per HTTP request.

- warm-up (not timed): a first sync lists every post and reads all their insights.
- steady state: posts are then given the schedule an hour in a long-running deployment would
  have: posts younger than 48 hours are due, 1/24 of those younger than 30 days (read daily, at
  spread hours), 1/168 of those younger than 90 days (weekly), none older.
- accounts only: one hourly run with the post work switched off (POSTS_SYNC_ENABLED=false).
- with posts: the same run with the post work that is due.
Both runs are the service's sync, in this process, on the stack's REST layer, database and fake.
Reported: Graph calls and HTTP requests, wall time, rows written, bytes per post-day, and the
read RPC's plan and latency for "top posts of an account in a range" under RLS.
"""

from __future__ import annotations

import json
import statistics
import time
from datetime import UTC, datetime, timedelta

import psycopg
import requests

from bench.sync_throughput import create_accounts
from devstack import keys
from webhook_service import create_app
from webhook_service.config import Config

POSTS_PER_ACCOUNT = 50
DAY = 86400
READS = 200


def media_specs(platform: str) -> list[dict]:
    """50 posts over 100 days, newest 6 hours old: one in five a reel, a story on Instagram."""
    specs = []
    for index in range(POSTS_PER_ACCOUNT):
        age = 6 * 3600 + index * 2 * DAY
        if platform == "facebook":
            kind = "reel" if index % 5 == 4 else "post"
        else:
            kind = ("story" if index == 0 else "reel" if index % 5 == 4 else "carousel" if index % 5 == 2 else "image")
        specs.append({"kind": kind, "age_seconds": age if kind != "story" else 3 * 3600})
    return specs


def sync(client, env: dict[str, str], graph: requests.Session) -> dict:
    graph.post(f"{env['GRAPH_API_BASE']}/_control/stats/reset").raise_for_status()
    started = time.perf_counter()
    response = client.post("/api/v1/social-media/insights/sync",
                           headers={"Authorization": f"Bearer {env['CRON_SECRET']}"})
    wall = time.perf_counter() - started
    assert response.status_code == 200, response.get_data(as_text=True)
    stats = graph.get(f"{env['GRAPH_API_BASE']}/_control/stats").json()
    return {"wall_s": round(wall, 2), "status": response.get_json()["status"],
            "graph_calls": stats["calls"], "graph_http_requests": stats["http_requests"],
            "graph_calls_by_path": {path: count for path, count in sorted(stats["by_path"].items())}}


def steady_state_schedule(db: psycopg.Connection) -> dict[str, int]:
    """Due now: every post under 48 hours; a 24th of those under 30 days; a 168th of those
    under 90 days (the hour each is due is spread by a hash of its id); older ones never."""
    db.execute("""
        update social_media_posts set next_refresh_at = case
          when published_at > now() - interval '48 hours' then now() - interval '1 minute'
          when published_at > now() - interval '30 days'
            then now() + (abs(hashtext(post_id)) % 24) * interval '1 hour' - interval '59 minutes'
          when published_at > now() - interval '90 days'
            then now() + (abs(hashtext(post_id)) % 168) * interval '1 hour' - interval '59 minutes'
        end
        where user_id like 'bench_posts_%'""")
    db.execute("update social_media_accounts set last_synced_at = now() - interval '1 hour' "
               "where user_id like 'bench_posts_%'")
    db.commit()
    due, stored = db.execute("select count(*) filter (where next_refresh_at <= now()), count(*) "
                             "from social_media_posts where user_id like 'bench_posts_%'").fetchone()
    return {"posts_stored": stored, "posts_due": due}


def storage(db: psycopg.Connection) -> dict:
    (snapshot_rows, snapshot_bytes, post_rows, post_bytes) = db.execute("""
        select (select count(*) from social_media_post_insights),
               pg_total_relation_size('social_media_post_insights'),
               (select count(*) from social_media_posts),
               pg_total_relation_size('social_media_posts')""").fetchone()
    return {"post_days": snapshot_rows, "bytes_per_post_day": round(snapshot_bytes / max(snapshot_rows, 1)),
            "posts": post_rows, "bytes_per_post": round(post_bytes / max(post_rows, 1))}


def read_path(env: dict[str, str], db: psycopg.Connection, user_id: str, account_id: str) -> dict:
    """The read RPC as the user (under RLS): the ranking's plan, and latency through REST."""
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as admin:
        # As autovacuum would have by then: the visibility map lets the ranking skip the table.
        admin.execute("vacuum analyze social_media_posts")
    claims = json.dumps({"role": "authenticated", "sub": user_id})
    with db.transaction():
        db.execute("set local role authenticated")
        db.execute("select set_config('request.jwt.claims', %s, true)", (claims,))
        plan = db.execute("""
            explain (format json)
            select p.id, (p.metrics ->> 'views')::numeric from public.social_media_posts p
            where p.user_id = %s and p.account_id = %s
              and p.published_at >= now() - interval '90 days' and p.published_at < now()""",
                          (user_id, account_id)).fetchone()[0][0]["Plan"]
    arguments = {"account_id": account_id, "since": (datetime.now(UTC) - timedelta(days=90)).isoformat(),
                 "sort": "views", "page_size": 10}
    sql_timings = []
    for _ in range(READS):
        with db.transaction():
            db.execute("set local role authenticated")
            db.execute("select set_config('request.jwt.claims', %s, true)", (claims,))
            started = time.perf_counter()
            db.execute("select public.get_social_media_posts(%(account_id)s, %(since)s::timestamptz, null, "
                       "%(sort)s, 'desc', %(page_size)s)", arguments).fetchone()
            sql_timings.append((time.perf_counter() - started) * 1000)
    session = requests.Session()
    token = keys.user_token(env["SUPABASE_JWT_SECRET"], user_id)
    headers = {"apikey": env["SUPABASE_ANON_KEY"], "Authorization": f"Bearer {token}"}
    timings = []
    for _ in range(READS):
        started = time.perf_counter()
        response = session.post(f"{env['SUPABASE_URL']}/rest/v1/rpc/get_social_media_posts", headers=headers,
                                json=arguments)
        timings.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    timings.sort()
    return {"ranking_plan": _plan_nodes(plan), "sql_p50_ms": round(statistics.median(sql_timings), 2),
            "rpc_p50_ms": round(statistics.median(timings), 2),
            "rpc_p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2), "posts_ranked": response.json()["total"]}


def _plan_nodes(plan: dict) -> list[str]:
    nodes = [f"{plan['Node Type']}" + (f" using {plan['Index Name']}" if plan.get("Index Name") else "")]
    for child in plan.get("Plans", []):
        nodes += _plan_nodes(child)
    return nodes


def run(env: dict[str, str], *, accounts: int, latency_ms: int) -> dict:
    graph = requests.Session()
    control = f"{env['GRAPH_API_BASE']}/_control"
    users = graph.post(f"{control}/bulk", json={"users": accounts // 2, "pages_per_user": 1,
                                                 "with_instagram": True}).json()["users"]
    for user in users:
        page = user["pages"][0]
        for platform, account_id in (("facebook", page["id"]), ("instagram", page["instagram_id"])):
            graph.post(f"{control}/accounts/{account_id}/media", json=media_specs(platform)).raise_for_status()
    create_accounts(env, users, "bench_posts_", active=True)
    graph.post(f"{control}/latency", json={"ms": latency_ms}).raise_for_status()

    def service(**settings: str):
        # A fresh service each time: its Graph client has seen no usage figures from earlier runs.
        return create_app(Config.from_env({**env, **settings})).test_client()

    with psycopg.connect(env["DATABASE_URL"]) as db:
        db.execute("update social_media_accounts set last_synced_at = null where user_id like 'bench_posts_%'")
        db.commit()
        warm_up = sync(service(), env, graph)
        schedule = steady_state_schedule(db)
        only_accounts = sync(service(POSTS_SYNC_ENABLED="false"), env, graph)
        started_at = datetime.now(UTC)
        posts = sync(service(), env, graph)
        written = db.execute("select count(*) from social_media_post_insights where fetched_at >= %s",
                             (started_at,)).fetchone()[0]
        stored = storage(db)
        page = users[0]["pages"][0]
        reads = read_path(env, db, "bench_posts_0", page["instagram_id"])
    post_calls = posts["graph_calls"] - only_accounts["graph_calls"]
    return {
        "latency_ms": latency_ms,
        "accounts": len(users) * 2,
        "posts_per_account": POSTS_PER_ACCOUNT,
        "warm_up_first_sync": warm_up,
        "steady_state": schedule,
        "hourly_accounts_only": only_accounts,
        "hourly_with_posts": posts,
        "post_graph_calls_per_account_hour": round(post_calls / (len(users) * 2), 2),
        "with_posts_over_accounts_only": {
            "graph_calls": round(posts["graph_calls"] / only_accounts["graph_calls"], 2),
            "graph_http_requests": round(posts["graph_http_requests"] / only_accounts["graph_http_requests"], 2),
            "wall_s": round(posts["wall_s"] / only_accounts["wall_s"], 2),
        },
        "post_snapshot_rows_written": written,
        "storage": stored,
        "read": reads,
    }
