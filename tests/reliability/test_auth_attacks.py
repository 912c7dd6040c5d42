"""Attacks on who-is-calling: forged and misused JWTs on every endpoint that takes one, a user's
token on another user's resources, OAuth `state` games, forged Meta `signed_request`s, and guesses
at the cron secret. Every attempt is refused and changes nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.service.test_meta_callbacks import b64url, signed_request

from .conftest import SYNC

# Every operation a user's JWT opens (the OpenAPI document's userJwt security), path filled in.
USER_OPERATIONS = [
    ("POST", "/api/v1/social-media/connect/facebook"),
    ("GET", "/api/v1/social-media/oauth/start?platform=facebook"),
    ("GET", "/api/v1/social-media/connected-accounts"),
    ("POST", "/api/v1/social-media/disconnect/facebook"),
    ("GET", "/api/v1/social-media/insights?platform=facebook"),
    ("POST", SYNC),
]


def encoded(part: dict) -> str:
    return b64url(json.dumps(part).encode())


def unsigned(header: dict, claims: dict, signature: str = "") -> str:
    return f"{encoded(header)}.{encoded(claims)}.{signature}"


def forged_tokens(secret: str, victim: str) -> dict[str, str]:
    """Tokens naming `victim` that no verifier may accept, by what is wrong with them."""
    now = int(time.time())
    claims = {"sub": victim, "aud": "authenticated", "role": "authenticated", "iat": now, "exp": now + 600}
    genuine = jwt.encode(claims, secret, algorithm="HS256")
    header, _, signature = genuine.split(".")

    def without(name: str) -> dict:
        return {key: value for key, value in claims.items() if key != name}

    stranger_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {
        "alg_none": unsigned({"alg": "none", "typ": "JWT"}, claims),
        "alg_None_with_signature": unsigned({"alg": "None", "typ": "JWT"}, claims, signature),
        "signature_stripped": f"{header}.{genuine.split('.')[1]}.",
        "claims_swapped_under_a_real_signature": f"{header}.{encoded({**claims, 'sub': victim + 'x'})}.{signature}",
        "wrong_key": jwt.encode(claims, "another-projects-secret-" + "k" * 40, algorithm="HS256"),
        "right_key_other_algorithm_HS512": jwt.encode(claims, secret, algorithm="HS512"),
        "RS256_unknown_key": jwt.encode(claims, stranger_key, algorithm="RS256", headers={"kid": "rsa-1"}),
        "RS256_header_over_HS256_signature": unsigned({"alg": "RS256", "typ": "JWT"}, claims, signature),
        "wrong_audience": jwt.encode({**claims, "aud": "service_role"}, secret, algorithm="HS256"),
        "no_audience": jwt.encode(without("aud"), secret, algorithm="HS256"),
        "expired": jwt.encode({**claims, "exp": now - 120}, secret, algorithm="HS256"),
        "no_expiry": jwt.encode(without("exp"), secret, algorithm="HS256"),
        "not_yet_valid": jwt.encode({**claims, "nbf": now + 600}, secret, algorithm="HS256"),
        "no_sub": jwt.encode(without("sub"), secret, algorithm="HS256"),
        "empty_sub": jwt.encode({**claims, "sub": ""}, secret, algorithm="HS256"),
        "numeric_sub": jwt.encode({**claims, "sub": 12345}, secret, algorithm="HS256"),
        "anon_api_key_shape": jwt.encode({"role": "anon", "iat": now, "exp": now + 600}, secret, algorithm="HS256"),
        "not_a_jwt": "Bearer-but-not-a-token",
    }


@pytest.fixture
def victim(connect_user):
    """A connected user whose accounts the attacks try to reach."""
    return connect_user()


def test_forged_jwts_are_refused_on_every_user_endpoint_and_change_nothing(victim, anonymous, db, stack_env, ledger):
    forged = forged_tokens(stack_env["SUPABASE_JWT_SECRET"], victim.sub)
    answers = {}
    for name, token in forged.items():
        for method, path in USER_OPERATIONS:
            response = anonymous.request(method, path, headers={"Authorization": f"Bearer {token}"},
                                         json={"access_token": victim.facebook_user["access_token"]})
            answers[(name, method, path)] = (response.status_code, response.json().get("error"))
            ledger.add("jwt_attacks")

    assert {key: answer for key, answer in answers.items() if answer != (401, "unauthorized")} == {}
    assert len(answers) == len(forged) * len(USER_OPERATIONS)
    assert all(account["is_active"] for account in db.accounts(victim.sub))
    assert db.query("select 1 from public.social_media_sync_runs where requested_by = %s", victim.sub) == []


@pytest.mark.parametrize("headers, query", [
    ({"X-User-ID": "{victim}"}, ""),
    ({}, "?access_token={token}"),
    ({"Authorization": "Token {token}"}, ""),
    ({"Authorization": "{token}"}, ""),
], ids=["x_user_id_header", "token_in_query", "wrong_scheme", "no_scheme"])
def test_a_user_identity_outside_the_bearer_header_is_not_trusted(victim, anonymous, user_jwt, headers, query, db):
    token = user_jwt(victim.sub)
    filled = {name: value.format(victim=victim.sub, token=token) for name, value in headers.items()}

    response = anonymous.post(f"/api/v1/social-media/disconnect/facebook{query.format(token=token)}", headers=filled)

    assert (response.status_code, response.json()["error"]) == (401, "unauthorized")
    assert all(account["is_active"] for account in db.accounts(victim.sub))


def test_a_users_token_reaches_none_of_another_users_resources(victim, connect_user, db):
    intruder = connect_user()
    victim_page = victim.facebook_user["pages"][0]
    intruder_before = db.accounts(intruder.sub)

    listed = intruder.api.get("/api/v1/social-media/connected-accounts").json()
    read = intruder.api.get("/api/v1/social-media/insights", params={"platform": "facebook", "period": "day",
                                                                      "days": 30, "account_id": victim_page["id"]})
    disconnected = intruder.api.post("/api/v1/social-media/disconnect/instagram")
    synced = intruder.api.post(SYNC, params={"user_id": victim.sub})

    assert {account["accountId"] for account in listed["accounts"]} == {account["account_id"] for account in intruder_before}
    assert read.status_code == 200 and read.json()["series"] == []
    assert disconnected.json()["disconnected"] == 1  # the intruder's own Instagram account
    assert synced.status_code == 200
    assert db.query("select user_id from public.social_media_sync_runs where id = %s",
                    synced.json()["run_id"]) == [{"user_id": intruder.sub}]
    victim_rows = db.accounts(victim.sub)
    assert [(row["platform"], row["is_active"], row["last_synced_at"]) for row in victim_rows] == [
        ("facebook", True, None), ("instagram", True, None)]


# --- OAuth state ----------------------------------------------------------------------------------
def callback_state(callback_url: str) -> str:
    return parse_qs(urlsplit(callback_url).query)["state"][0]


def test_a_replayed_state_raced_in_parallel_connects_exactly_once(api, anonymous, fake_graph, db, user_id, ledger):
    facebook_user = fake_graph.create_user(pages=[{"instagram": {}}])
    fake_graph.set_dialog(user_id=facebook_user["id"])
    callback = api.login_redirect("facebook")

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: anonymous.get(callback), range(8)))
    ledger.add("oauth_state_attacks", 7)

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [302] + [400] * 7
    assert {answer.json()["error"] for answer in answers if answer.status_code == 400} == {"invalid_state"}
    assert len(db.accounts(user_id)) == 2


def test_a_state_rewritten_for_another_user_is_refused(api, anonymous, fake_graph, db, new_sub, ledger):
    fake_graph.set_dialog(user_id=fake_graph.create_user(pages=[{}])["id"])
    callback = api.login_redirect("facebook")
    state = callback_state(callback)
    header, claims, signature = state.split(".")
    other_user = new_sub()
    rewritten_claims = {**jwt.decode(state, options={"verify_signature": False}), "sub": other_user}
    rewritten = f"{header}.{encoded(rewritten_claims)}.{signature}"

    response = anonymous.get(callback.replace(state, rewritten))
    ledger.add("oauth_state_attacks")

    assert (response.status_code, response.json()["error"]) == (400, "invalid_state")
    assert db.accounts(other_user) == []
    # The genuine state still works, for the user it names.
    assert anonymous.get(callback).status_code == 302


def test_a_login_link_followed_in_another_browser_is_refused(api, api_as, anonymous, fake_graph, db, user_id,
                                                             new_sub, ledger):
    """Login CSRF: an attacker starts a login and sends the dialog link to a victim, whose browser
    would bring the victim's Pages to the attacker's account. The callback needs the cookie that
    oauth/start set on the browser that started the login."""
    victim_on_facebook = fake_graph.create_user(pages=[{}])
    fake_graph.set_dialog(user_id=victim_on_facebook["id"])
    callback = api.login_redirect("facebook")
    victim = new_sub()

    response = api_as(victim).get(callback)
    ledger.add("oauth_state_attacks")

    assert (response.status_code, response.json()["error"]) == (400, "invalid_state")
    assert db.accounts(user_id) == [] and db.accounts(victim) == []
    # The browser that started it still completes it.
    assert anonymous.get(callback).status_code == 302
    assert [row["platform"] for row in db.accounts(user_id)] == ["facebook"]


def test_states_and_user_tokens_cannot_stand_in_for_each_other(api, anonymous, user_jwt, user_id, fake_graph, ledger):
    fake_graph.set_dialog(user_id=fake_graph.create_user(pages=[{}])["id"])
    state = callback_state(api.login_redirect("facebook"))

    as_bearer = anonymous.get("/api/v1/social-media/connected-accounts", headers={"Authorization": f"Bearer {state}"})
    as_state = anonymous.get(f"/api/v1/social-media/oauth/callback?code=x&state={user_jwt(user_id)}")
    ledger.add("oauth_state_attacks", 2)

    assert (as_bearer.status_code, as_bearer.json()["error"]) == (401, "unauthorized")
    assert (as_state.status_code, as_state.json()["error"]) == (400, "invalid_state")


@pytest.mark.parametrize("problem", ["expired", "unknown_platform", "alg_none", "no_nonce", "user_token_audience"])
def test_a_state_with_a_bad_claim_is_refused(anonymous, stack_env, user_id, db, problem, ledger):
    claims = {"sub": user_id, "platform": "facebook", "jti": f"nonce-{problem}-{user_id}",
              "aud": "social-link/oauth-state", "exp": int(time.time()) + 600}
    changed = {"expired": {"exp": int(time.time()) - 1}, "unknown_platform": {"platform": "tiktok"},
               "user_token_audience": {"aud": "authenticated"}}.get(problem, {})
    if problem == "alg_none":
        state = unsigned({"alg": "none", "typ": "JWT"}, claims)
    elif problem == "no_nonce":
        state = jwt.encode({key: value for key, value in claims.items() if key != "jti"},
                           stack_env["OAUTH_STATE_SECRET"], algorithm="HS256")
    else:
        state = jwt.encode({**claims, **changed}, stack_env["OAUTH_STATE_SECRET"], algorithm="HS256")

    response = anonymous.get(f"/api/v1/social-media/oauth/callback?code=x&state={state}")
    ledger.add("oauth_state_attacks")

    assert (response.status_code, response.json()["error"]) == (400, "invalid_state")
    assert db.accounts(user_id) == []


# --- Meta signed_request --------------------------------------------------------------------------
def signed_variants(app_secret: str, meta_user_id: str) -> dict[str, str]:
    """signed_requests naming `meta_user_id` that are not Meta's."""
    genuine = signed_request(app_secret, meta_user_id)
    signature, payload = genuine.split(".")
    other_payload = signed_request(app_secret, "someone-else").split(".")[1]

    def signed(claims: dict) -> str:
        body = encoded(claims)
        return f"{b64url(hmac.new(app_secret.encode(), body.encode(), hashlib.sha256).digest())}.{body}"

    raw_signature = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    return {
        "signature_of_another_payload": f"{signature}.{other_payload}",
        "truncated_signature": f"{b64url(raw_signature[:16])}.{payload}",
        "hex_signature": f"{raw_signature.hex()}.{payload}",
        "empty_signature": f".{payload}",
        "signed_with_sha1": f"{b64url(hmac.new(app_secret.encode(), payload.encode(), hashlib.sha1).digest())}.{payload}",
        "algorithm_none": signed({"algorithm": "none", "user_id": meta_user_id}),
        "no_algorithm": signed({"user_id": meta_user_id}),
        "no_user_id": signed({"algorithm": "HMAC-SHA256"}),
        "user_id_list": signed({"algorithm": "HMAC-SHA256", "user_id": [meta_user_id]}),
        "payload_not_json": f"{b64url(hmac.new(app_secret.encode(), b'bm90IGpzb24', hashlib.sha256).digest())}.bm90IGpzb24",
    }


@pytest.mark.parametrize("path", ["/api/v1/meta/deauthorize", "/api/v1/meta/data-deletion"])
def test_forged_signed_requests_are_refused_and_change_nothing(victim, anonymous, db, stack_env, path, ledger):
    variants = signed_variants(stack_env["FACEBOOK_APP_SECRET"], victim.facebook_user["id"])

    answers = {name: anonymous.post(path, data={"signed_request": value}) for name, value in variants.items()}
    ledger.add("signed_request_attacks", len(answers))

    assert {name: (answer.status_code, answer.json()["error"]) for name, answer in answers.items()} == {
        name: (400, "invalid_signed_request") for name in variants}
    assert [(row["is_active"], row["status"]) for row in db.accounts(victim.sub)] == [(True, "connected")] * 2


# --- the cron secret --------------------------------------------------------------------------------
def cron_guesses(secret: str) -> dict[str, dict[str, str]]:
    last = "A" if secret[-1] != "A" else "B"
    return {
        "no_header": {},
        "empty_bearer": {"Authorization": "Bearer "},
        "wrong_secret": {"Authorization": "Bearer not-the-cron-secret-at-all"},
        "prefix_of_the_secret": {"Authorization": f"Bearer {secret[:-1]}"},
        "secret_plus_a_suffix": {"Authorization": f"Bearer {secret}x"},
        "same_length_last_char_differs": {"Authorization": f"Bearer {secret[:-1]}{last}"},
        "secret_upper_cased": {"Authorization": f"Bearer {secret.upper()}"} if secret.upper() != secret else
        {"Authorization": f"Bearer {secret.lower()}"},
        "basic_scheme": {"Authorization": "Basic " + base64.b64encode(f"cron:{secret}".encode()).decode()},
        "secret_as_api_key_header": {"apikey": secret},
    }


def test_guesses_at_the_cron_secret_are_401_and_start_no_run(webhook_url, stack_env, db, ledger):
    secret = stack_env["CRON_SECRET"]
    runs_before = db.query("select count(*) as n from public.social_media_sync_runs")[0]["n"]

    answers = {name: requests.post(f"{webhook_url}{SYNC}", headers=headers, timeout=30)
               for name, headers in cron_guesses(secret).items()}
    answers["secret_in_the_query"] = requests.post(f"{webhook_url}{SYNC}", params={"cron_secret": secret}, timeout=30)
    ledger.add("cron_secret_guesses", len(answers))

    assert {name: (answer.status_code, answer.json()["error"]) for name, answer in answers.items()} == {
        name: (401, "unauthorized") for name in answers}
    assert db.query("select count(*) as n from public.social_media_sync_runs")[0]["n"] == runs_before


def test_the_cron_secret_decision_is_made_by_a_constant_time_compare(in_process_service, new_sub, monkeypatch):
    """Timing is not measured here (no wall-clock assertions): instead, the comparison is shown to
    be hmac.compare_digest's, by making it answer "different" and seeing the right secret refused."""
    service = in_process_service()
    compared: list[tuple[bytes, bytes]] = []

    def compare_digest(presented, expected):
        compared.append((presented, expected))
        return False

    monkeypatch.setattr("webhook_service.auth.hmac.compare_digest", compare_digest)
    response = service.client.post(SYNC, query_string={"user_id": new_sub()},
                                   headers={"Authorization": f"Bearer {service.cron_secret}"})

    assert response.status_code == 401
    assert compared == [(service.cron_secret.encode(), service.cron_secret.encode())]
