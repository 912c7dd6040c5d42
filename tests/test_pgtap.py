"""The pgTAP suite in supabase/tests, one pytest test per file, run with Debian's pg_prove against the
test stack. The RLS matrix is left to tests/reliability/test_rls_matrix.py, which also counts its cells."""

import subprocess

import pytest

from devstack.stack import PROJECT_ROOT

TESTS = PROJECT_ROOT / "supabase" / "tests"
RLS_MATRIX = "rls_matrix.test.sql"
TEST_FILES = sorted(path.name for path in TESTS.glob("*.test.sql") if path.name != RLS_MATRIX)


def test_the_suite_has_files_besides_the_rls_matrix():
    assert TEST_FILES and (TESTS / RLS_MATRIX).exists()


@pytest.mark.parametrize("test_file", TEST_FILES)
def test_pgtap_file_passes(database_url, test_file):
    result = subprocess.run(["pg_prove", "--dbname", database_url, "--verbose", str(TESTS / test_file)],
                            capture_output=True, text=True)

    assert result.returncode == 0, result.stdout + result.stderr
