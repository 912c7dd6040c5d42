"""The extensions the devstack provides: pgmq (its real SQL from the PyPI package) and the pg_net
stand-in, installed without ever overwriting extension files the devstack did not write."""

import psycopg
import pytest
from pgmq import install as pgmq_install

from devstack.extension_files import ExtensionFile, ForeignExtensionFile, install, pgmq_files


def test_pgmq_is_created_by_postgres_as_a_migration_would(database_url):
    with psycopg.connect(database_url) as db:  # as postgres, not a superuser; rolled back at the end
        db.execute("create extension if not exists pgmq")
        db.execute("select pgmq.create('orders')")
        db.execute("""select pgmq.send('orders', '{"order": 1}')""")
        message = db.execute("select msg_id, read_ct, message from pgmq.read('orders', 30, 1)").fetchone()
        version, owner = db.execute(
            "select e.extversion, c.relowner::regrole::text from pg_extension e, pg_class c "
            "where e.extname = 'pgmq' and c.oid = 'pgmq.meta'::regclass").fetchone()
        db.rollback()
    assert message == (1, 1, {"order": 1})
    assert version == pgmq_install.get_embedded_sql_version()
    assert owner == "postgres"  # where Supabase's after-create script leaves pgmq's objects


def test_pg_net_is_created_by_postgres_with_pg_nets_grants_and_method_domain(db):
    rows = db.query("select n.nspowner::regrole::text as owner, "
                    "has_schema_privilege('public', 'net', 'usage') as public_usage, "
                    "has_table_privilege('public', 'net.http_request_queue', 'select') as public_reads_queue, "
                    "(select format_type(atttypid, null) from pg_attribute "
                    " where attrelid = 'net.http_request_queue'::regclass and attname = 'method') as method_type "
                    "from pg_namespace n where n.nspname = 'net'")
    assert rows == [{"owner": "postgres", "public_usage": True, "public_reads_queue": True,
                     "method_type": "net.http_method"}]


def test_pgmq_script_is_the_packages_sql():
    control, script = pgmq_files()
    assert script.text.endswith(pgmq_install.get_embedded_install_sql())
    assert f"default_version = '{pgmq_install.get_embedded_sql_version()}'" in control.text
    assert "superuser = false" in control.text


def test_files_the_devstack_wrote_are_updated(tmp_path):
    install([ExtensionFile("x.control", "# devstack v1\n")], tmp_path)
    install([ExtensionFile("x.control", "# devstack v2\n")], tmp_path)
    assert (tmp_path / "x.control").read_text() == "# devstack v2\n"


def test_a_file_the_devstack_did_not_write_is_never_overwritten(tmp_path):
    (tmp_path / "pg_net.control").write_text("comment = 'Async HTTP'\n")
    with pytest.raises(ForeignExtensionFile, match="pg_net.control"):
        install([ExtensionFile("pg_net--0.20.4.sql", "-- devstack\n"),
                 ExtensionFile("pg_net.control", "# devstack\n")], tmp_path)
    assert (tmp_path / "pg_net.control").read_text() == "comment = 'Async HTTP'\n"
    assert not (tmp_path / "pg_net--0.20.4.sql").exists()  # refused before writing anything
