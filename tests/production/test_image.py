"""The container image: the wheel and the command it runs serve /healthz, honour PORT, run
unprivileged, and carry nothing secret."""

from __future__ import annotations

import json

import requests

from devstack import keys
from devstack.postgres import free_port
from devstack.stack import PROJECT_ROOT
from tests.production.conftest import SETTINGS, wheel_top_level

# Settings that are secrets: none may have a value in the image.
SECRET_SETTINGS = {"SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_JWT_SECRET", "FACEBOOK_APP_SECRET", "OAUTH_STATE_SECRET",
                   "TOKEN_ENCRYPTION_KEY", "CRON_SECRET", "FACEBOOK_ACCESS_TOKEN", "METRICS_TOKEN"}


def test_the_wheel_holds_the_service_only(image):
    assert {name for name in wheel_top_level(image.wheel) if not name.endswith(".dist-info")} == {"webhook_service"}


def test_the_image_command_serves_healthz_on_the_port_it_is_given(image):
    port = free_port()
    with image.serve(PORT=str(port)) as (url, _log):
        response = requests.get(f"{url}/healthz", timeout=5)
        origin = image.run(["python", "-c", "import webhook_service; print(webhook_service.__file__)"])

    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert url.endswith(f":{port}")
    # The service that answered is the installed wheel, not this checkout.
    assert origin.stdout.startswith(str(image.venv)), origin.stdout


def test_the_healthcheck_passes_while_the_service_runs_and_fails_when_it_is_gone(image):
    healthcheck = image.runtime.healthcheck()
    with image.serve() as (url, _log):
        port = url.rsplit(":", 1)[1]
        running = image.run(healthcheck, PORT=port)
    stopped = image.run(healthcheck, PORT=port)

    assert running.returncode == 0, running.stderr
    assert stopped.returncode != 0


def test_the_image_runs_the_service_module_as_an_unprivileged_user_listening_on_all_interfaces(image):
    runtime = image.runtime
    assert runtime.last("CMD").exec_form() == ["python", "-m", "webhook_service"]
    assert runtime.last("USER").arguments not in ("root", "0", "0:0")
    assert runtime.env()["HOST"] == "0.0.0.0"
    assert runtime.env()["PORT"] == runtime.last("EXPOSE").arguments


def test_nothing_secret_is_baked_into_the_image(image):
    baked = set(image.runtime.env()) | {instruction.arguments.split("=")[0]
                                        for stage in image.stages for instruction in stage.all("ARG")}
    assert SECRET_SETTINGS & baked == set()
    assert set(SETTINGS) >= SECRET_SETTINGS - {"FACEBOOK_ACCESS_TOKEN", "METRICS_TOKEN"}
    # The build context is an allowlist of what the build stage copies: no .stack*/ (secrets), no .venv.
    ignored = [line for line in (PROJECT_ROOT / ".dockerignore").read_text().splitlines()
               if line and not line.startswith("#")]
    assert ignored[0] == "*"
    assert {line[1:].rstrip("/") for line in ignored if line.startswith("!")} == set(image.stages[0].copied_sources())


def test_a_missing_setting_stops_the_image_with_one_line_naming_it(image):
    result = image.run(["python", "-m", "webhook_service"], CRON_SECRET="")

    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "CRON_SECRET" in lines[0], result.stderr


def test_every_line_the_image_logs_is_a_json_object_and_requests_carry_their_id(image):
    with image.serve() as (url, log_path):
        response = requests.get(f"{url}/healthz", headers={"X-Request-ID": "smoke-1"}, timeout=5)
        missing = requests.get(f"{url}/nowhere?code=secret-code&state=secret-state", timeout=5)
    lines = log_path.read_text().splitlines()
    entries = [json.loads(line) for line in lines]

    assert response.headers["X-Request-ID"] == "smoke-1"
    assert len(missing.headers["X-Request-ID"]) == 32
    assert all({"time", "level", "logger", "message"} <= entry.keys() for entry in entries)
    # The last two: the readiness checks came first.
    access = [entry for entry in entries if entry["logger"] == "gunicorn.access"][-2:]
    assert [(entry["method"], entry["path"], entry["status"], entry["request_id"]) for entry in access] == [
        ("GET", "/healthz", 200, "smoke-1"), ("GET", "/nowhere", 404, missing.headers["X-Request-ID"])]
    assert "secret-code" not in log_path.read_text() and "secret-state" not in log_path.read_text()
    assert any(entry["message"].startswith("Booting worker") for entry in entries)


def test_metrics_on_a_port_of_their_own_are_served_there_and_not_on_the_service_port(image):
    metrics_port = free_port()
    # No Graph API answers here: a connect is tried once and retried GRAPH_MAX_RETRIES times.
    with image.serve(METRICS_PORT=str(metrics_port), GRAPH_API_BASE="http://127.0.0.1:9", GRAPH_MAX_RETRIES="1",
                     WEB_CONCURRENCY="2") as (url, _log):
        token = keys.user_token(SETTINGS["SUPABASE_JWT_SECRET"], "user_image_test")
        for _ in range(2):
            connect = requests.post(f"{url}/api/v1/social-media/connect/facebook", json={"access_token": "EAAGx"},
                                    headers={"Authorization": f"Bearer {token}"}, timeout=30)
            assert connect.status_code == 502, connect.text
        scraped = requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=30)
        public = requests.get(f"{url}/metrics", timeout=5)

    assert scraped.status_code == 200
    # What the workers counted, added up by the master through PROMETHEUS_MULTIPROC_DIR.
    assert 'social_link_graph_requests_total{endpoint="oauth_token",outcome="unreachable"} 4.0' in scraped.text
    assert "social_link_database_metrics_up 0.0" in scraped.text  # no database here
    assert public.status_code == 404


def test_metrics_served_by_several_workers_need_the_multiprocess_folder(image):
    result = image.run(["python", "-m", "webhook_service"], METRICS_TOKEN="a-metrics-token-of-some-length",
                       PROMETHEUS_MULTIPROC_DIR=None, WEB_CONCURRENCY="2")

    assert result.returncode == 2
    assert "PROMETHEUS_MULTIPROC_DIR" in json.loads(result.stderr.strip().splitlines()[-1])["message"]
