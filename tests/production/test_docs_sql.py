"""The SQL that docs/operations.md and docs/deploy.md give operators runs against the schema as
migrated (read-only statements; Vault set-up is exercised by the stack itself)."""

from __future__ import annotations

import re

import psycopg
import pytest

from devstack.stack import PROJECT_ROOT

# Each document and how many queries it gives at least (so a parsing slip cannot pass silently).
DOCS = {"docs/operations.md": 15, "docs/deploy.md": 3}


def statements(path: str) -> list[str]:
    blocks = re.findall(r"```sql\n(.*?)```", (PROJECT_ROOT / path).read_text(), flags=re.S)
    found = []
    for block in blocks:
        text = "\n".join(line for line in block.splitlines() if not line.strip().startswith("--"))
        found += [statement.strip() for statement in text.split(";") if statement.strip()]
    return [statement for statement in found if statement.lower().startswith("select")
            and "vault." not in statement]


@pytest.mark.parametrize("path", DOCS)
def test_every_query_the_docs_give_runs(path, database_url):
    queries = statements(path)
    assert len(queries) >= DOCS[path]
    failed = {}
    with psycopg.connect(database_url) as connection:
        pgmq = connection.execute("select to_regprocedure('pgmq.metrics_all()') is not null").fetchone()[0]
        for query in queries:
            if "pgmq." in query and not pgmq:
                continue
            try:
                with connection.transaction():
                    connection.execute(query).fetchall()
            except psycopg.Error as error:
                failed[query[:80]] = str(error).splitlines()[0]
        connection.rollback()
    assert failed == {}
