"""`pip install .` in a fresh virtualenv gives the service alone, with the dependencies it declares,
and `gunicorn 'webhook_service:create_app()'` serves it (run outside the checkout, so nothing is
imported from here)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests
from cryptography.fernet import Fernet

from devstack.postgres import free_port
from devstack.stack import PROJECT_ROOT, wait_until_ready

SETTINGS = {
    "SUPABASE_URL": "http://127.0.0.1:9",
    "SUPABASE_SERVICE_ROLE_KEY": "service-role-key",
    "SUPABASE_JWT_SECRET": "j" * 40,
    "FACEBOOK_APP_ID": "100000000000001",
    "FACEBOOK_APP_SECRET": "app-secret",
    "OAUTH_REDIRECT_URL": "https://service.example.com/api/v1/social-media/oauth/callback",
    "OAUTH_STATE_SECRET": "s" * 40,
    "FRONTEND_URL": "https://app.example.com/",
    "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "CRON_SECRET": "c" * 32,
}


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    root = tmp_path_factory.mktemp("install")
    subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True, capture_output=True)
    python = root / "venv" / "bin" / "python"
    # Run from the new folder: from the checkout, its own files (and egg-info) would be found first.
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(PROJECT_ROOT)], cwd=root, check=True,
                   capture_output=True)
    return root


def test_the_package_holds_the_service_only(venv):
    listing = subprocess.run([str(venv / "venv" / "bin" / "python"), "-c",
                              "import importlib.metadata as m; print('\\n'.join(str(f) for f in m.files('social-link')))"],
                             cwd=venv, check=True, capture_output=True, text=True).stdout
    top_level = {line.split("/", 1)[0] for line in listing.splitlines()}

    assert {name for name in top_level if not name.endswith(".dist-info")} == {"webhook_service"}


def test_the_installed_runtime_has_postgrest_but_not_supabase_nor_the_dev_tools(venv):
    installed = subprocess.run([str(venv / "venv" / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
                               cwd=venv, check=True, capture_output=True, text=True).stdout.lower()
    names = {line.split("==")[0] for line in installed.splitlines()}

    assert {"postgrest", "flask", "flask-openapi3", "gunicorn", "pydantic"} <= names
    assert not names & {"supabase", "realtime", "storage3", "supabase-auth", "websockets", "psycopg", "pytest"}


def test_gunicorn_serves_the_installed_app_factory(venv):
    port = free_port()
    log_path = venv / "gunicorn.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(venv / "venv" / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{port}", "webhook_service:create_app()"],
            cwd=venv, env={"PATH": "/usr/bin:/bin", **SETTINGS}, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until_ready("gunicorn", f"http://127.0.0.1:{port}/healthz", process, log_path)
        health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        document = requests.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=5)
    finally:
        process.terminate()
        process.wait(timeout=30)

    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert document.json()["openapi"] == "3.1.0"
