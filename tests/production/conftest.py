"""The service as the container image runs it: the wheel built from what the Dockerfile copies,
installed with its declared dependencies into a fresh virtualenv, started with the image's
command and environment. (No Docker engine here: this is the image's content without the image.)"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from devstack.postgres import free_port
from devstack.stack import PROJECT_ROOT, wait_until_ready
from tests.production import dockerfile

DOCKERFILE = PROJECT_ROOT / "Dockerfile"

# Settings a deployment would pass with `docker run -e ...`; values are throwaway.
SETTINGS = {
    "SUPABASE_URL": "http://127.0.0.1:9",
    "SUPABASE_SERVICE_ROLE_KEY": "service-role-key-for-the-image-test",
    "SUPABASE_JWT_SECRET": "jwt-secret-for-the-image-test-0123456789",
    "FACEBOOK_APP_ID": "100000000000001",
    "FACEBOOK_APP_SECRET": "app-secret-for-the-image-test",
    "OAUTH_REDIRECT_URL": "https://service.example.com/api/v1/social-media/oauth/callback",
    "OAUTH_STATE_SECRET": "oauth-state-secret-for-the-image-test-0123456789",
    "FRONTEND_URL": "https://app.example.com/",
    "TOKEN_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "CRON_SECRET": "cron-secret-for-the-image-test",
}


@dataclass
class Image:
    stages: list[dockerfile.Stage]
    wheel: Path
    venv: Path
    workdir: Path

    @property
    def runtime(self) -> dockerfile.Stage:
        return self.stages[-1]

    def environment(self, **overrides: str | None) -> dict[str, str]:
        """The container's environment: the image's ENV, the deployment's settings, and `python`
        on PATH being the image's interpreter (here: the virtualenv's). An override of None unsets."""
        env = {"PATH": f"{self.venv / 'bin'}:/usr/bin:/bin", "HOME": str(self.workdir), **self.runtime.env()}
        env["PROMETHEUS_MULTIPROC_DIR"] = str(self.workdir / "prometheus")
        env = {**env, **SETTINGS, **overrides}
        return {key: value for key, value in env.items() if value is not None}

    def run(self, command: list[str], **overrides: str | None) -> subprocess.CompletedProcess:
        return subprocess.run(command, env=self.environment(**overrides), cwd=self.workdir,
                              capture_output=True, text=True, timeout=60)

    @contextmanager
    def serve(self, **overrides: str) -> Iterator[tuple[str, Path]]:
        """Runs the image's CMD; yields its base URL and log file."""
        port = overrides.setdefault("PORT", str(free_port()))
        log_path = self.workdir / f"service-{port}.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(self.runtime.last("CMD").exec_form(), env=self.environment(**overrides),
                                       cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_ready("image", f"{url}/healthz", process, log_path)
            yield url, log_path
        finally:
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture(scope="session")
def image(tmp_path_factory) -> Image:
    """Builds the wheel as the Dockerfile's build stage does, from exactly what that stage copies,
    and installs it as its runtime stage does (dependencies from the wheel's metadata)."""
    stages = dockerfile.read(DOCKERFILE)
    root = tmp_path_factory.mktemp("image")
    context = root / "context"
    context.mkdir()
    for source in stages[0].copied_sources():
        copy = shutil.copytree if (PROJECT_ROOT / source).is_dir() else shutil.copy2
        copy(PROJECT_ROOT / source, context / source)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "--wheel-dir", str(root / "wheels"), str(context)], check=True, capture_output=True)
    wheel = next((root / "wheels").glob("*.whl"))
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
                   check=True, capture_output=True)
    workdir = root / "run"
    workdir.mkdir()
    return Image(stages, wheel, venv, workdir)


def wheel_top_level(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return {name.split("/", 1)[0] for name in archive.namelist()}
