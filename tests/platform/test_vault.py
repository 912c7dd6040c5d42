"""The Vault stand-in has supabase_vault's signatures, columns and grants."""

from __future__ import annotations

import uuid

import psycopg
import pytest


@pytest.fixture
def as_role(database_url):
    """A transaction as `postgres`, optionally switched to another role; always rolled back."""
    def open_as(role: str | None = None) -> psycopg.Connection:
        connection = psycopg.connect(database_url)
        if role:
            connection.execute(f"set local role {role}")
        return connection
    return open_as


def test_secrets_take_and_show_a_key_id_and_a_nonce(as_role):
    key_id = uuid.uuid4()
    with as_role() as db:
        secret_id = db.execute("select vault.create_secret(new_secret := 's3cret', new_name := 'vault_probe', "
                               "new_description := 'probe', new_key_id := %s)", (key_id,)).fetchone()[0]
        db.execute("select vault.update_secret(secret_id := %s, new_secret := 'changed', new_key_id := %s)",
                   (secret_id, key_id))
        row = db.execute("select decrypted_secret, key_id, nonce is not null, secret <> 'changed' "
                         "from vault.decrypted_secrets where id = %s", (secret_id,)).fetchone()
        db.rollback()
    assert row == ("changed", key_id, True, True)


def test_service_role_may_use_vault(as_role):
    with as_role("service_role") as db:
        secret_id = db.execute("select vault.create_secret('from service_role', 'vault_service_probe')").fetchone()[0]
        value = db.execute("select decrypted_secret from vault.decrypted_secrets where id = %s",
                           (secret_id,)).fetchone()[0]
        db.rollback()
    assert value == "from service_role"


@pytest.mark.parametrize("role", ["anon", "authenticated"])
def test_the_browser_roles_may_not(as_role, role):
    with as_role(role) as db, pytest.raises(psycopg.errors.InsufficientPrivilege):
        db.execute("select decrypted_secret from vault.decrypted_secrets")


def test_postgres_writes_secrets_only_through_the_functions(as_role):
    with as_role() as db, pytest.raises(psycopg.errors.InsufficientPrivilege):
        db.execute("insert into vault.secrets (secret) values ('plain')")
