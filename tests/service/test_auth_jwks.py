"""Third-party JWTs (e.g. Clerk): RS256 and ES256 tokens verified against the issuer's JWKS.

The service runs in-process here, configured with `AUTH_JWKS_URL` only, next to a tiny JWKS server.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from webhook_service import create_app
from webhook_service.config import Config

ACCOUNTS = "/api/v1/social-media/connected-accounts"


@pytest.fixture(scope="module")
def signing_keys():
    return {"rsa-1": (rsa.generate_private_key(public_exponent=65537, key_size=2048), "RS256"),
            "ec-1": (ec.generate_private_key(ec.SECP256R1()), "ES256")}


@pytest.fixture(scope="module")
def jwks_url(signing_keys):
    keys = []
    for kid, (private_key, algorithm) in signing_keys.items():
        family = jwt.algorithms.RSAAlgorithm if algorithm == "RS256" else jwt.algorithms.ECAlgorithm
        keys.append({**family.to_jwk(private_key.public_key(), as_dict=True), "kid": kid, "alg": algorithm, "use": "sig"})
    body = json.dumps({"keys": keys}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
    server.shutdown()


@pytest.fixture
def client(stack_env, jwks_url):
    config = Config.from_env({**stack_env, "SUPABASE_JWT_SECRET": "", "AUTH_JWKS_URL": jwks_url})
    return create_app(config).test_client()


def third_party_token(signing_keys, kid: str, sub: str, **overrides) -> str:
    private_key, algorithm = signing_keys[kid]
    claims = {"sub": sub, "aud": "authenticated", "exp": int(time.time()) + 300, **overrides}
    return jwt.encode(claims, private_key, algorithm=algorithm, headers={"kid": kid})


@pytest.mark.parametrize("kid", ["rsa-1", "ec-1"])
def test_jwks_signed_token_is_accepted(client, signing_keys, user_id, kid):
    response = client.get(ACCOUNTS, headers={"Authorization": f"Bearer {third_party_token(signing_keys, kid, user_id)}"})

    assert response.status_code == 200
    assert response.get_json() == {"accounts": [], "total": 0}


def test_jwks_token_that_expired_or_names_another_audience_is_401(client, signing_keys, user_id):
    for token in (third_party_token(signing_keys, "rsa-1", user_id, exp=int(time.time()) - 10),
                  third_party_token(signing_keys, "ec-1", user_id, aud="another-app")):
        response = client.get(ACCOUNTS, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        assert response.get_json()["error"] == "unauthorized"


def test_token_of_an_unknown_key_or_hs256_without_a_secret_is_401(client, signing_keys, user_id, user_jwt):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    unknown_key = jwt.encode({"sub": user_id, "aud": "authenticated", "exp": int(time.time()) + 300}, stranger,
                             algorithm="RS256", headers={"kid": "rsa-1"})
    for token in (unknown_key, user_jwt(user_id)):
        assert client.get(ACCOUNTS, headers={"Authorization": f"Bearer {token}"}).status_code == 401
