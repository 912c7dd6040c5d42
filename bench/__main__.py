"""`python -m bench [--latency-ms 100] [--accounts 10000] [--posts-accounts 1000] [--only sync|queue|crash|read|posts|storage]`.

Starts its own stack in `.stack-bench/` (as `make run` does), runs the benchmarks, prints the
results and writes them to bench/results.json, then stops the stack.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
from datetime import datetime, timezone

from devstack.stack import PROJECT_ROOT, Stack

RESULTS = PROJECT_ROOT / "bench" / "results.json"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--latency-ms", type=int, default=100, help="fake Graph API latency per HTTP request")
    parser.add_argument("--accounts", type=int, default=10_000, help="accounts synced (half Facebook, half Instagram)")
    parser.add_argument("--baseline-sample", type=int, default=100, help="accounts synced by the plain baseline")
    parser.add_argument("--read-users", type=int, default=500, help="users (x2 accounts) with a year of history")
    parser.add_argument("--posts-accounts", type=int, default=1000, help="accounts with 50 posts each")
    parser.add_argument("--scale-accounts", type=int, default=20_000, help="accounts of the 1 vs 2 processes run")
    parser.add_argument("--scale-latency-ms", type=int, default=500, help="Graph latency of the 1 vs 2 processes run")
    parser.add_argument("--crash-accounts", type=int, default=10_000, help="accounts of the run a process dies in")
    parser.add_argument("--only", choices=["sync", "queue", "crash", "read", "posts", "storage"])
    args = parser.parse_args()

    stack_dir = PROJECT_ROOT / ".stack-bench"
    shutil.rmtree(stack_dir, ignore_errors=True)
    stack = Stack(stack_dir, fast=True)
    results: dict = {
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": _cpus(), "python": platform.python_version()},
    }
    try:
        env = stack.up()
        if args.only in (None, "sync"):
            from bench import sync_throughput

            results["sync"] = sync_throughput.run(stack, env, accounts=args.accounts,
                                                  latency_ms=args.latency_ms, baseline_sample=args.baseline_sample)
        if args.only in (None, "queue"):
            from bench import sync_queue

            results["sync_scale_out"] = sync_queue.scale_out(stack, env, accounts=args.scale_accounts,
                                                             latency_ms=args.scale_latency_ms)
        if args.only in (None, "queue", "crash"):
            from bench import sync_queue

            results["sync_crash"] = sync_queue.crash(stack, env, accounts=args.crash_accounts,
                                                     latency_ms=args.latency_ms)
        if args.only in (None, "read"):
            from bench import read_path

            results["read"] = read_path.run(env, users=args.read_users)
        if args.only in (None, "posts"):
            from bench import posts

            results["posts"] = posts.run(env, accounts=args.posts_accounts, latency_ms=args.latency_ms)
        if args.only in (None, "storage"):
            from bench import storage

            results["storage"] = storage.run(env)
    finally:
        stack.down()
        shutil.rmtree(stack_dir, ignore_errors=True)

    if args.only and RESULTS.exists():
        # One part re-measured: the other parts' latest figures stay.
        results = json.loads(RESULTS.read_text()) | results
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    print(f"written to {RESULTS.relative_to(PROJECT_ROOT)}")
    return 0


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    sys.exit(main())
