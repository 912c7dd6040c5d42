"""The RLS matrix (supabase/tests/rls_matrix.test.sql) on the session's database, with its cells
counted for the report. The only run of the matrix (tests/test_pgtap.py runs the other pgTAP files)."""

from __future__ import annotations

import re
import subprocess

from devstack.stack import PROJECT_ROOT

MATRIX = PROJECT_ROOT / "supabase" / "tests" / "rls_matrix.test.sql"
# The file's two last tests check that the matrix lists every table and routine; the rest are cells.
COVERAGE_TESTS = 2


def test_every_cell_of_the_rls_matrix_has_its_expected_outcome(database_url, ledger):
    result = subprocess.run(["psql", database_url, "-X", "-Atq", "-v", "ON_ERROR_STOP=1", "-f", str(MATRIX)],
                            capture_output=True, text=True)
    tap = result.stdout.splitlines()

    assert result.returncode == 0, result.stderr
    planned = int(re.fullmatch(r"1\.\.(\d+)", tap[0]).group(1))
    passed = [line for line in tap if line.startswith("ok ")]
    assert [line for line in tap if line.startswith("not ok")] == []
    assert len(passed) == planned
    cells = {line.split(" - ", 1)[1].rsplit(":", 1)[0] for line in passed[:-COVERAGE_TESTS]}
    callers = {cell.split(" ", 1)[0] for cell in cells}
    assert callers == {"anon", "user_a", "user_b", "service_role"}
    ledger.add("rls_cells", planned - COVERAGE_TESTS)
