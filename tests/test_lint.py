"""The code base passes ruff with the project's settings (pyproject.toml), as `make lint` checks."""

import subprocess
import sys

from devstack.stack import PROJECT_ROOT


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise", "."],
                            cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
