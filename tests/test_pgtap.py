"""Runs the pgTAP suite in supabase/tests with Debian's pg_prove against the test stack."""

import subprocess

from devstack.stack import PROJECT_ROOT


def test_pgtap_suite_passes(database_url):
    test_files = sorted(str(path) for path in (PROJECT_ROOT / "supabase" / "tests").glob("*.test.sql"))
    assert test_files, "no pgTAP files found"
    result = subprocess.run(
        ["pg_prove", "--dbname", database_url, "--verbose", *test_files],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
