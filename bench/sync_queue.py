"""The sync queue spread over service processes, and surviving one of them dying.

- scale-out: the same hour of N accounts at a high Graph latency, worked by one service process,
  then by two (gunicorn workers sharing the queue); the ratio of their accounts/s.
- crash: two processes; once a third of the hour is done, one is SIGKILLed while it holds
  messages. Nothing but pg_cron's kick job (every minute) and the messages' visibility timeout
  brings its work back; reported: whether every account has the hour's row before the hour
  ends, and how long after the kill the run finished.
"""

from __future__ import annotations

import os
import queue
import signal
import threading
import time

import psycopg
import requests
from psycopg.rows import dict_row

from bench.sync_throughput import create_accounts, hourly_run, per_process_peak_rss_mb, restart_webhook, set_active
from devstack.stack import Stack

CRASH_VISIBILITY_TIMEOUT_S = 20


def prepare(env: dict[str, str], graph: requests.Session, accounts: int, prefix: str, latency_ms: int) -> None:
    """`accounts` accounts of their own become the only active ones."""
    control = f"{env['GRAPH_API_BASE']}/_control"
    users = graph.post(f"{control}/bulk", json={"users": accounts // 2, "pages_per_user": 1,
                                                 "with_instagram": True}).json()["users"]
    set_active(env, "bench_", False)
    create_accounts(env, users, prefix, active=True)
    graph.post(f"{control}/latency", json={"ms": latency_ms}).raise_for_status()


def scale_out(stack: Stack, env: dict[str, str], *, accounts: int, latency_ms: int) -> dict:
    graph = requests.Session()
    prepare(env, graph, accounts, "bench_scale_", latency_ms)
    measured = {}
    for processes in (1, 2):
        restart_webhook(stack, env, WEB_CONCURRENCY=str(processes))
        run = hourly_run(env)
        measured[processes] = {"wall_s": run["wall_s"], "accounts_done": run["run"]["accounts_done"],
                               "accounts_per_s": round(run["run"]["accounts_done"] / run["wall_s"], 1),
                               "service_peak_rss_mb_per_process": per_process_peak_rss_mb(stack)}
    return {
        "accounts": accounts,
        "latency_ms": latency_ms,
        "one_process": measured[1],
        "two_processes": measured[2],
        "two_over_one_accounts_per_s": round(measured[2]["accounts_per_s"] / measured[1]["accounts_per_s"], 2),
    }


def crash(stack: Stack, env: dict[str, str], *, accounts: int, latency_ms: int) -> dict:
    graph = requests.Session()
    prepare(env, graph, accounts, "bench_crash_", latency_ms)
    workers = restart_webhook(stack, env, WEB_CONCURRENCY="2",
                              INSIGHTS_VISIBILITY_TIMEOUT_SECONDS=str(CRASH_VISIBILITY_TIMEOUT_S))
    killed: dict = {}
    started = queue.Queue()

    def kill_one_once_a_third_is_done() -> None:
        run_id = started.get()
        with psycopg.connect(env["DATABASE_URL"], autocommit=True, row_factory=dict_row) as db:
            while True:
                run = db.execute("select accounts_queued, accounts_done from social_media_sync_runs where id = %s",
                                 (run_id,)).fetchone()
                if run["accounts_done"] >= run["accounts_queued"] / 3:
                    break
                time.sleep(0.1)
            held = db.execute("select count(*) as n from pgmq.q_social_link_sync where vt > now()").fetchone()["n"]
        os.kill(workers[0], signal.SIGKILL)
        killed.update(at=time.perf_counter(), done_before=run["accounts_done"], messages_in_flight=held)

    killer = threading.Thread(target=kill_one_once_a_third_is_done, daemon=True)
    killer.start()
    measured = hourly_run(env, on_start=started.put)
    finished = time.perf_counter()
    killer.join()
    run = measured["run"]
    with psycopg.connect(env["DATABASE_URL"], row_factory=dict_row) as db:
        rows = db.execute("select count(distinct (platform, account_id)) as n from social_media_insights "
                          "where user_id like 'bench_crash_%%' and period = 'hour' and window_start = %s",
                          (run["window_start"],)).fetchone()["n"]
    return {
        "accounts": accounts,
        "latency_ms": latency_ms,
        "visibility_timeout_s": CRASH_VISIBILITY_TIMEOUT_S,
        "killed_after_accounts_done": killed["done_before"],
        "messages_in_flight_at_kill": killed["messages_in_flight"],
        "accounts_with_the_hours_row": rows,
        "all_within_the_hour": rows == accounts and run["finished_at"] < run["window_end"],
        "recovered_s_after_kill": round(finished - killed["at"], 1),
        "wall_s": measured["wall_s"],
        "dead_lettered": run["accounts_dead_lettered"],
    }
