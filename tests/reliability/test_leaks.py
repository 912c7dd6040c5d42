"""Leaks: Facebook and Instagram Login tokens never reach a response, a redirect, an error message, a log line or a
column a browser role can read, and at rest they are ciphertext.

Every test here is also checked by `no_token_leaks` (tests/service/conftest.py): the responses it
received and what the service logged meanwhile hold no token it learned, nor anything shaped like
a token the fake mints.
"""

from __future__ import annotations

import json

from psycopg import sql

from tests.service.conftest import MINTED_TOKEN, with_json_decoded

from .conftest import SYNC

FERNET_PREFIX = "gAAAAA"
BROWSER_ROLES = ("anon", "authenticated")
# Logs of the stack's own services; graph.log is the stand-in for Meta's side, which sees tokens.
NOT_OURS = {"graph.log"}


def tables(db) -> list[tuple[str, str]]:
    return [(row["schema"], row["name"]) for row in db.query(
        "select n.nspname as schema, c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') "
        "order by 1, 2")]


def rows_holding(db, needle: str) -> list[str]:
    """Every table of the database (read as the superuser: Vault's and pg_cron's too): which hold
    `needle` anywhere in a row."""
    assert db.query("select current_setting('is_superuser') as su")[0]["su"] == "on", \
        "scan with admin_db: postgres may not read every table (Vault's key, pg_cron's)"
    found = []
    for schema, name in tables(db):
        query = sql.SQL("select count(*) as n from {} t where t::text like %s").format(sql.Identifier(schema, name))
        if db.query(query.as_string(None), f"%{needle}%")[0]["n"]:
            found.append(f"{schema}.{name}")
    return found


def test_tokens_at_rest_are_ciphertext_that_only_the_key_opens(connect_user, db, cipher):
    user = connect_user(pages=2)
    stored = db.tokens(user.sub)

    for page in user.facebook_user["pages"]:
        for account_id in (page["id"], page["instagram"]["id"]):
            raw = stored[account_id]
            assert raw.startswith(FERNET_PREFIX) and page["access_token"] not in raw
            assert cipher.decrypt(raw) == page["access_token"]
    assert len(stored) == 4


def test_no_table_anywhere_holds_a_plaintext_token(connect_user, admin_db):
    user = connect_user()
    page_token = user.facebook_user["pages"][0]["access_token"]

    assert rows_holding(admin_db, page_token) == []
    assert rows_holding(admin_db, user.facebook_user["access_token"]) == []
    assert rows_holding(admin_db, page_token[:24]) == []  # no part of it either


def test_no_column_a_browser_role_can_read_holds_a_token_or_its_ciphertext(connect_user, db):
    connect_user()
    readable = db.query(
        "select n.nspname as schema, c.relname as table, a.attname as column, r.role "
        "from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped "
        "cross join unnest(%s::text[]) as r(role) "
        "where c.relkind in ('r', 'p', 'v', 'm', 'f') and n.nspname not in ('pg_catalog', 'information_schema') "
        "and has_schema_privilege(r.role, n.oid, 'USAGE') and has_column_privilege(r.role, c.oid, a.attnum, 'SELECT')",
        list(BROWSER_ROLES))
    holding = []
    for column in readable:
        query = sql.SQL("select count(*) as n from {table} where {column}::text like any(%s)").format(
            table=sql.Identifier(column["schema"], column["table"]), column=sql.Identifier(column["column"]))
        if db.query(query.as_string(None), [f"{FERNET_PREFIX}%", "EAAG%", "IGAA%"])[0]["n"]:
            holding.append(f"{column['role']}: {column['schema']}.{column['table']}.{column['column']}")

    assert {column["table"] for column in readable} >= {"social_media_accounts", "social_media_insights"}
    assert [column for column in readable if "token" in column["column"] and column["column"] != "token_expires_at"] == []
    assert holding == []


def test_an_instagram_login_token_is_ciphertext_at_rest_and_nowhere_else(api, anonymous, fake_graph, db, admin_db,
                                                                          cipher, user_id, received):
    creator = fake_graph.create_instagram_account(username="leak.check")
    fake_graph.set_instagram_dialog(creator["id"])

    redirect = anonymous.get(api.login_redirect("instagram", "instagram_login"))
    listed = api.get("/api/v1/social-media/connected-accounts")

    stored = db.tokens(user_id)[creator["id"]]
    token = cipher.decrypt(stored)
    assert stored.startswith(FERNET_PREFIX) and token.startswith("IGAA") and token not in stored
    assert rows_holding(admin_db, token) == [] and rows_holding(admin_db, token[:24]) == []
    assert token not in redirect.headers["Location"] and token not in listed.text
    assert all(token not in text for text in received)


def test_graph_errors_that_quote_the_token_are_redacted_everywhere(connect_user, fake_graph, graph_faults, db):
    user = connect_user()
    page = user.facebook_user["pages"][0]
    quoting = {"graph_error": {"code": 190, "error_subcode": 463,
                               "message": f"Error validating access token {page['access_token']}: Session has expired"}}
    graph_faults.add("token_expired_quoting_the_token", quoting, times=100, account_id=page["id"])
    graph_faults.add("token_expired_quoting_the_token", quoting, times=100, account_id=page["instagram"]["id"])

    response = user.api.post(SYNC)

    assert response.status_code == 200
    body = response.json()
    assert {(error["account_id"], error["status"]) for error in body["errors"]} == {
        (page["id"], "needs_reauth"), (page["instagram"]["id"], "needs_reauth")}
    assert all("[redacted]" in error["error"] for error in body["errors"])
    recorded = db.query("select a.last_error, o.error from public.social_media_accounts a "
                        "join public.social_media_sync_run_accounts o on o.social_media_account_id = a.id "
                        "where o.run_id = %s", body["run_id"])
    assert len(recorded) == 2
    assert all(page["access_token"] not in (row["last_error"] + row["error"]) for row in recorded)
    assert all("[redacted]" in row["error"] for row in recorded)


def test_a_connect_that_fails_at_the_transport_says_nothing_of_the_token(api, fake_graph, graph_faults, user_id):
    user = fake_graph.create_user(pages=[{}])
    graph_faults.add("connection_reset", {"reset": True}, times=20, path_regex="/me/permissions$")

    response = api.post("/api/v1/social-media/connect/facebook", json={"access_token": user["access_token"]})

    assert (response.status_code, response.json()["error"]) == (502, "graph_error")
    # requests' own exception text carries the URL, and so the token: it must not be the message.
    assert "access_token" not in response.text


def test_no_log_of_the_stack_holds_a_minted_token_or_a_secret(stack, ledger):
    """Runs last in the session (see conftest.py), so it reads everything the session logged."""
    logs = [path for path in sorted((stack.root / "logs").glob("*.log")) if path.name not in NOT_OURS]
    logs.append(stack.root / "pg" / "server.log")
    # The app secrets (Facebook and Instagram), cron secret, JWT secret, OAuth state secret, token
    # encryption key and metrics token.
    stack_secrets = stack.secrets()

    found = {}
    for path in logs:
        text = with_json_decoded(path.read_bytes().decode(errors="replace"))
        ledger.add("log_bytes_scanned", len(text))
        hits = [f"{len(MINTED_TOKEN.findall(text))} minted tokens"] if MINTED_TOKEN.search(text) else []
        hits += [name for name, value in stack_secrets.items() if value in text]
        if hits:
            found[path.name] = hits

    assert {path.name for path in logs} >= {"webhook.log", "rest.log", "net_worker.log", "server.log"}
    # The service logs JSON objects, one a line, and nothing else: the scan above read them decoded.
    service_lines = (stack.root / "logs" / "webhook.log").read_text().splitlines()
    assert [line for line in service_lines if not line.startswith("{") or not isinstance(json.loads(line), dict)] == []
    assert set(stack_secrets) == {"jwt_secret", "cron_secret", "token_encryption_key", "facebook_app_secret",
                                  "instagram_app_secret", "oauth_state_secret", "metrics_token"}
    assert found == {}
