"""`make run`'s stack, brought up the way `make stack-up` does it, answers on loopback."""

import os
import shutil
import subprocess
import sys

import psycopg
import requests

from devstack import keys
from devstack.stack import PROJECT_ROOT


def test_stack_up_serves_the_seed_to_its_owner_only():
    # Inside the project, not /tmp/pytest-of-root (mode 0700): the cluster runs as `postgres`.
    stack_dir = PROJECT_ROOT / f".stack-test-{os.getpid()}-make-run"
    run = lambda command: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "devstack", command, "--dir", str(stack_dir)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, env={**os.environ},
    )
    try:
        started = run("up")
        assert started.returncode == 0, started.stdout + started.stderr
        env = dict(line.split("=", 1) for line in (stack_dir / "env").read_text().splitlines())
        for key in ("DATABASE_URL", "SUPABASE_URL", "SUPABASE_ANON_KEY", "SUPABASE_SERVICE_ROLE_KEY",
                    "SUPABASE_JWT_SECRET", "WEBHOOK_URL", "UI_URL", "GRAPH_API_BASE", "CRON_SECRET",
                    "TOKEN_ENCRYPTION_KEY"):
            assert env.get(key), key

        maya = keys.user_token(env["SUPABASE_JWT_SECRET"], "user_demo_maya")
        response = requests.get(
            f"{env['SUPABASE_URL']}/rest/v1/social_media_accounts?select=user_id,platform",
            headers={"apikey": env["SUPABASE_ANON_KEY"], "Authorization": f"Bearer {maya}"},
        )
        assert response.status_code == 200
        assert sorted(row["platform"] for row in response.json()) == ["facebook", "instagram"]
        assert {row["user_id"] for row in response.json()} == {"user_demo_maya"}

        again = run("up")  # re-running is safe
        assert again.returncode == 0, again.stdout + again.stderr

        # The pg_cron jobs' Vault secrets point at this stack's service, once each.
        with psycopg.connect(env["DATABASE_URL"]) as db:
            secrets = db.execute("select name, decrypted_secret from vault.decrypted_secrets order by name").fetchall()
        assert secrets == [
            ("social_link_cron_secret", env["CRON_SECRET"]),
            ("social_link_service_url", env["WEBHOOK_URL"]),
            ("social_link_sync_url", f"{env['WEBHOOK_URL']}/api/v1/social-media/insights/sync"),
        ]
    finally:
        stopped = run("down")
        shutil.rmtree(stack_dir, ignore_errors=True)
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
