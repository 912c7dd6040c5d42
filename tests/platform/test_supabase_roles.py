"""The stack's roles are Supabase's: `supabase_admin` is the superuser, `postgres` (the project's
role, which pushes the migrations) is not, so a migration that needs a superuser fails here as it
fails on `supabase db push`."""

from __future__ import annotations

import shutil
import subprocess

import psycopg
import pytest

from devstack.stack import PROJECT_ROOT, SUPABASE_CLI


def test_postgres_is_not_a_superuser_and_supabase_admin_is(db):
    rows = db.query("select rolname, rolsuper, rolcreaterole, rolbypassrls from pg_roles "
                    "where rolname in ('postgres', 'supabase_admin') order by rolname")
    assert rows == [
        {"rolname": "postgres", "rolsuper": False, "rolcreaterole": True, "rolbypassrls": True},
        {"rolname": "supabase_admin", "rolsuper": True, "rolcreaterole": True, "rolbypassrls": True},
    ]
    assert db.query("select current_user as role")[0]["role"] == "postgres"


@pytest.mark.parametrize("statement, error", [
    ("create extension pg_stat_statements", "permission denied to create extension"),
    ("create event trigger audit_ddl on ddl_command_end execute function extensions.pgrst_ddl_watch()",
     "permission denied to create event trigger"),
    ("alter role postgres superuser", "must be superuser"),
])
def test_what_needs_a_superuser_is_refused_to_postgres(database_url, statement, error):
    with psycopg.connect(database_url) as db, pytest.raises(psycopg.errors.InsufficientPrivilege, match=error):
        db.execute(statement)


def test_a_migration_that_needs_a_superuser_fails_to_push(stack, tmp_path):
    """The real CLI pushes, as postgres, the project's migrations plus one that creates an extension
    outside Supabase's allowed list; the push fails and records nothing."""
    project = tmp_path / "project"
    shutil.copytree(PROJECT_ROOT / "supabase" / "migrations", project / "supabase" / "migrations")
    (project / "supabase" / "migrations" / "29991231000000_needs_superuser.sql").write_text(
        "create extension if not exists pg_stat_statements with schema extensions;\n")
    result = subprocess.run(
        [*SUPABASE_CLI, "--workdir", str(project), "db", "push", f"--remote={stack.cluster.url}?sslmode=disable",
         "--yes"],
        cwd=PROJECT_ROOT, capture_output=True, text=True,
    )
    assert result.returncode != 0
    assert "permission denied to create extension" in result.stdout + result.stderr
    with psycopg.connect(stack.cluster.url) as db:
        recorded = db.execute("select count(*) from supabase_migrations.schema_migrations "
                              "where version = '29991231000000'").fetchone()[0]
    assert recorded == 0


def test_new_public_tables_get_supabases_default_privileges(database_url):
    with psycopg.connect(database_url) as db:  # rolled back at the end
        db.execute("create table public.default_privileges_probe (id int)")
        granted = db.execute(
            "select r.rolname, has_table_privilege(r.rolname, 'public.default_privileges_probe', 'select, insert') "
            "from pg_roles r where r.rolname in ('anon', 'authenticated', 'service_role') order by 1").fetchall()
        db.rollback()
    assert granted == [("anon", True), ("authenticated", True), ("service_role", True)]


def test_the_api_roles_timeouts(db):
    rows = db.query("select r.rolname, s.setconfig from pg_db_role_setting s join pg_roles r on r.oid = s.setrole "
                    "where r.rolname in ('anon', 'authenticated', 'authenticator') order by 1")
    settings = {row["rolname"]: sorted(row["setconfig"]) for row in rows}
    assert settings == {
        "anon": ["statement_timeout=3s"],
        "authenticated": ["statement_timeout=8s"],
        "authenticator": ["lock_timeout=8s", "statement_timeout=8s"],
    }
