"""JWT authentication as PostgREST does it (`PostgREST.Auth.Jwt`, docs references/auth.rst).

The signature is checked with PyJWT: HMAC tokens against the JWT secret, asymmetric ones against the
JWKS. The claims are then validated by hand, because PostgREST's rules and messages differ from
PyJWT's: `exp`, `nbf` and `iat` allow 30 s of clock skew, and `aud` is only checked when the gateway
has an audience configured. The `role` claim names the database role; without it, the anonymous role.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import jwt

from devstack.rest import errors
from devstack.rest.config import Settings

CLOCK_SKEW_SECONDS = 30
HMAC_ALGORITHMS = {"HS256", "HS384", "HS512"}
ASYMMETRIC_ALGORITHMS = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

CRYPTO_FAILED = "JWT cryptographic operation failed"
NO_SUITABLE_KEY = "No suitable key or wrong key type"
BAD_ALGORITHM = "Wrong or unsupported encoding algorithm"
# PyJWT checks the signature only; `check_claims` does the rest the PostgREST way.
SIGNATURE_ONLY = {
    "verify_signature": True, "verify_exp": False, "verify_nbf": False, "verify_iat": False,
    "verify_aud": False, "verify_iss": False, "verify_sub": False, "verify_jti": False,
}


@dataclass(frozen=True)
class AuthResult:
    role: str
    claims: dict[str, Any]  # as PostgREST hands them to the database: with "role" set
    authenticated: bool  # the role is not the anonymous role


class Authenticator:
    def __init__(self, settings: Settings):
        self.secret = settings.jwt_secret
        self.audience = settings.jwt_aud
        self.anon_role = settings.anon_role
        self.jwks = jwt.PyJWKClient(settings.jwks_url, cache_keys=True) if settings.jwks_url else None

    def authenticate(self, authorization: str | None) -> AuthResult:
        token = bearer_token(authorization)
        claims = {} if token is None else self._verified_claims(token)
        role = claims.get("role", self.anon_role)
        if role is None:
            raise errors.jwt_token_required()
        if not isinstance(role, str):
            role = json.dumps(role)
        return AuthResult(role, {**claims, "role": role}, role != self.anon_role)

    def _verified_claims(self, token: str) -> dict[str, Any]:
        if token == "":
            raise errors.jwt_decode_error("Empty JWT is sent in Authorization header")
        parts = token.count(".") + 1
        if parts != 3:
            raise errors.jwt_decode_error(f"Expected 3 parts in JWT; got {parts}")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.DecodeError:
            raise errors.jwt_decode_error(CRYPTO_FAILED) from None
        algorithm = header.get("alg")
        key = self._key_for(token, header)
        try:
            claims = jwt.decode(token, key, algorithms=[algorithm], options=SIGNATURE_ONLY)
        except jwt.InvalidAlgorithmError as error:
            raise errors.jwt_decode_error(BAD_ALGORITHM, str(error)) from None
        except jwt.InvalidKeyError as error:
            raise errors.jwt_decode_error(NO_SUITABLE_KEY, str(error)) from None
        except jwt.InvalidSignatureError:
            raise errors.jwt_decode_error(CRYPTO_FAILED) from None
        except jwt.DecodeError as error:
            if "payload" in str(error).lower():
                raise errors.jwt_claims_error("Parsing claims failed") from None
            raise errors.jwt_decode_error(CRYPTO_FAILED) from None
        check_claims(claims, time.time(), self.audience)
        return claims

    def _key_for(self, token: str, header: dict[str, Any]):
        algorithm = header.get("alg")
        if algorithm in HMAC_ALGORITHMS:
            if not self.secret:
                raise errors.jwt_decode_error(NO_SUITABLE_KEY, "no JWT secret is configured")
            return self.secret
        if algorithm not in ASYMMETRIC_ALGORITHMS:
            raise errors.jwt_decode_error(BAD_ALGORITHM, f"algorithm {algorithm!r} is not supported")
        if self.jwks is None:
            raise errors.jwt_decode_error(NO_SUITABLE_KEY, "no JWKS is configured")
        try:
            kid = header.get("kid")
            if kid is not None:
                return self.jwks.get_signing_key(kid).key
            # Without `kid`, any key of the JWKS may have signed it, as with PostgREST's JWKS secret.
            return _first_key_that_verifies(token, algorithm, self.jwks.get_signing_keys())
        except jwt.PyJWKClientError as error:
            raise errors.jwt_decode_error(NO_SUITABLE_KEY, str(error)) from None


def _first_key_that_verifies(token: str, algorithm: str, signing_keys) -> Any:
    for signing_key in signing_keys:
        try:
            jwt.decode(token, signing_key.key, algorithms=[algorithm], options=SIGNATURE_ONLY)
            return signing_key.key
        except jwt.PyJWTError:
            continue
    raise errors.jwt_decode_error(CRYPTO_FAILED)


def bearer_token(authorization: str | None) -> str | None:
    """The token of `Authorization: Bearer <token>` (wai's extractBearerAuth); None for other schemes."""
    if authorization is None:
        return None
    scheme, _, rest = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return rest.strip()


def check_claims(claims: dict[str, Any], now: float, audience: str | None) -> None:
    """PostgREST's claim checks, in its order: exp, nbf, iat, aud."""
    def number(name: str) -> int | None:
        value = claims.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise errors.jwt_claims_error(f"The JWT '{name}' claim must be a number")
        return int(value)

    expires, not_before, issued_at = number("exp"), number("nbf"), number("iat")
    if expires is not None and now - CLOCK_SKEW_SECONDS > expires:
        raise errors.jwt_claims_error("JWT expired")
    if not_before is not None and now + CLOCK_SKEW_SECONDS < not_before:
        raise errors.jwt_claims_error("JWT not yet valid")
    if issued_at is not None and now + CLOCK_SKEW_SECONDS < issued_at:
        raise errors.jwt_claims_error("JWT issued at future")
    if "aud" in claims and claims["aud"] is not None:
        audiences = claims["aud"]
        if isinstance(audiences, str):
            audiences = [audiences]
        if not isinstance(audiences, list) or not all(isinstance(item, str) for item in audiences):
            raise errors.jwt_claims_error("The JWT 'aud' claim must be a string or an array of strings")
        if audience is not None and audiences and audience not in audiences:
            raise errors.jwt_claims_error("JWT not in audience")
