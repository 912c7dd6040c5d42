"""JWT roles (HS256 and JWKS RS256), privilege errors, schemas, CORS, the schema cache and root."""

from __future__ import annotations

import time

import jwt
import psycopg
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa


@pytest.fixture
def context(rest, contract_profile):
    """`rest_contract.request_context()` as seen with the given headers."""
    def fetch(headers: dict[str, str]) -> requests.Response:
        return requests.get(f"{rest}/rpc/request_context", headers={**contract_profile, **headers})
    return fetch


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def signed(secret: str, **claims) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


def test_no_token_is_the_anonymous_role(context, anon_headers):
    body = context(anon_headers).json()
    assert body["current_user"] == "anon"
    assert body["claims"] == {"role": "anon"}


def test_user_token_switches_to_its_role_with_its_claims(context, user_headers):
    body = context(user_headers("user_a")).json()
    assert body["current_user"] == "authenticated"
    assert body["claims"]["sub"] == "user_a"


def test_role_settings_apply_in_the_transaction(context, anon_headers, user_headers):
    """`alter role anon set statement_timeout = '3s'` does not follow SET ROLE; PostgREST applies it."""
    assert context(anon_headers).json()["statement_timeout"] == "3s"
    assert context(user_headers("user_a")).json()["statement_timeout"] == "8s"


def test_token_without_role_claim_is_anonymous(context, secret):
    assert context(bearer(signed(secret, sub="someone"))).json()["current_user"] == "anon"


def test_audience_is_not_checked_by_default(context, secret):
    token = signed(secret, role="authenticated", aud="somebody-else")
    assert context(bearer(token)).json()["current_user"] == "authenticated"


def test_apikey_header_alone_is_ignored(context):
    assert context({"apikey": "not-even-a-jwt"}).json()["current_user"] == "anon"


@pytest.mark.parametrize("token, message", [
    ("abc", "Expected 3 parts in JWT; got 1"),
    ("a.b.c.d", "Expected 3 parts in JWT; got 4"),
])
def test_malformed_token_is_pgrst301(context, token, message):
    response = context(bearer(token))
    assert response.status_code == 401
    assert (response.json()["code"], response.json()["message"]) == ("PGRST301", message)


def test_wrong_signature_is_pgrst301(context):
    response = context(bearer(signed("another-secret-that-is-long-enough-32b", role="authenticated")))
    assert response.status_code == 401
    assert response.json()["code"] == "PGRST301"
    assert response.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')


def test_expired_token_is_pgrst303(context, secret):
    response = context(bearer(signed(secret, role="authenticated", exp=int(time.time()) - 120)))
    assert response.status_code == 401
    assert response.json() == {"code": "PGRST303", "details": None, "hint": None, "message": "JWT expired"}
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token", error_description="JWT expired"'


def test_expiry_allows_thirty_seconds_of_clock_skew(context, secret):
    response = context(bearer(signed(secret, role="authenticated", exp=int(time.time()) - 5)))
    assert response.status_code == 200


def test_role_that_does_not_exist_is_401(context, secret):
    response = context(bearer(signed(secret, role="ghost")))
    assert response.status_code == 401
    assert response.json()["code"] == "22023"
    assert response.json()["message"] == 'role "ghost" does not exist'


def test_rs256_token_from_the_jwks(context, sign_rs256):
    token = sign_rs256({"role": "authenticated", "sub": "rsa-user", "exp": int(time.time()) + 60})
    body = context(bearer(token)).json()
    assert (body["current_user"], body["claims"]["sub"]) == ("authenticated", "rsa-user")


def test_rs256_token_signed_by_an_unknown_key_is_401(context):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode({"role": "authenticated"}, stranger, algorithm="RS256", headers={"kid": "contract-test-key"})
    response = context(bearer(token))
    assert (response.status_code, response.json()["code"]) == (401, "PGRST301")


def test_missing_privilege_is_401_for_anon_and_403_for_a_user(rest, anon_headers, user_headers, contract_profile):
    anonymous = requests.get(f"{rest}/locked", headers={**anon_headers, **contract_profile})
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "42501")
    assert anonymous.headers["WWW-Authenticate"] == "Bearer"
    signed_in = requests.get(f"{rest}/locked", headers={**user_headers("user_a"), **contract_profile})
    assert (signed_in.status_code, signed_in.json()["code"]) == (403, "42501")


def test_unknown_table_is_pgrst205_with_a_suggestion(rest, service):
    response = requests.get(f"{rest}/itemz", headers=service)
    assert response.status_code == 404
    assert response.json() == {
        "code": "PGRST205", "details": None,
        "hint": "Perhaps you meant the table 'rest_contract.items'",
        "message": "Could not find the table 'rest_contract.itemz' in the schema cache",
    }


@pytest.mark.parametrize("method, header", [("GET", "Accept-Profile"), ("POST", "Content-Profile")])
def test_schema_that_is_not_exposed_is_pgrst106(rest, service_headers, method, header):
    response = requests.request(method, f"{rest}/social_media_tokens", json={},
                                headers={**service_headers, header: "private"})
    assert response.status_code == 406
    assert response.json()["code"] == "PGRST106"
    assert response.json()["hint"] == "Only the following schemas are exposed: public, rest_contract"


def test_profile_of_the_response_is_named(rest, service):
    assert requests.get(f"{rest}/items?id=eq.1", headers=service).headers["Content-Profile"] == "rest_contract"


def test_cors_preflight(rest):
    response = requests.options(f"{rest}/items", headers={
        "Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "apikey, content-type, prefer"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "PATCH" in response.headers["Access-Control-Allow-Methods"]
    allowed = {name.strip().lower() for name in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "apikey", "content-type", "prefer"} <= allowed
    assert response.headers["Access-Control-Max-Age"] == "86400"


def test_cors_headers_on_responses_and_errors(rest, contract_profile):
    for path in ("items?id=eq.1", "nothing_here"):
        response = requests.get(f"{rest}/{path}", headers={"Origin": "http://localhost:5173", **contract_profile})
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Content-Range" in response.headers["Access-Control-Expose-Headers"]


def test_root_describes_the_schema(rest, service_headers, contract_profile):
    public = requests.get(f"{rest}/", headers=service_headers)
    assert public.status_code == 200
    assert "/social_media_accounts" in public.json()["paths"]
    contract = requests.get(f"{rest}/", headers={**service_headers, **contract_profile}).json()
    assert {"/items", "/rpc/add"} <= set(contract["paths"])


def test_notify_reloads_the_schema_cache(rest, service, contract_database_url):
    with psycopg.connect(contract_database_url, autocommit=True) as connection:
        connection.execute("drop table if exists rest_contract.late; create table rest_contract.late (id int);"
                           "grant select on rest_contract.late to service_role")
        assert requests.get(f"{rest}/late", headers=service).status_code == 404
        connection.execute("notify pgrst, 'reload schema'")
    deadline = time.monotonic() + 10
    while requests.get(f"{rest}/late", headers=service).status_code == 404 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert requests.get(f"{rest}/late", headers=service).status_code == 200
