"""Third-party JWTs (e.g. Clerk): RS256 and ES256 tokens verified against the issuer's JWKS.

The service runs in-process here, configured with `AUTH_JWKS_URL` only, pointing at the test
identity provider's JWKS (tests/identity_provider.py).
"""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from webhook_service import create_app
from webhook_service.config import Config

ACCOUNTS = "/api/v1/social-media/connected-accounts"


@pytest.fixture
def client(stack_env, identity_provider):
    config = Config.from_env({**stack_env, "SUPABASE_JWT_SECRET": "", "AUTH_JWKS_URL": identity_provider.jwks_url})
    return create_app(config).test_client()


def third_party_token(identity_provider, kid: str, sub: str, **overrides) -> str:
    claims = {"sub": sub, "aud": "authenticated", "exp": int(time.time()) + 300, **overrides}
    return identity_provider.sign(claims, kid)


@pytest.mark.parametrize("kid", ["rsa-1", "ec-1"])
def test_jwks_signed_token_is_accepted(client, identity_provider, user_id, kid):
    response = client.get(ACCOUNTS, headers={"Authorization": f"Bearer {third_party_token(identity_provider, kid, user_id)}"})

    assert response.status_code == 200
    assert response.get_json() == {"accounts": [], "total": 0}


def test_jwks_token_that_expired_or_names_another_audience_is_401(client, identity_provider, user_id):
    for token in (third_party_token(identity_provider, "rsa-1", user_id, exp=int(time.time()) - 10),
                  third_party_token(identity_provider, "ec-1", user_id, aud="another-app")):
        response = client.get(ACCOUNTS, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        assert response.get_json()["error"] == "unauthorized"


def test_token_of_an_unknown_key_or_hs256_without_a_secret_is_401(client, identity_provider, user_id, user_jwt):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    unknown_key = jwt.encode({"sub": user_id, "aud": "authenticated", "exp": int(time.time()) + 300}, stranger,
                             algorithm="RS256", headers={"kid": "rsa-1"})
    for token in (unknown_key, user_jwt(user_id)):
        assert client.get(ACCOUNTS, headers={"Authorization": f"Bearer {token}"}).status_code == 401
