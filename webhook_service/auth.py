"""Who is calling: a user's JWT (Supabase Auth or a third-party issuer such as Clerk), or the cron job.

User tokens are verified with the shared HS256 secret (`SUPABASE_JWT_SECRET`) or against the
issuer's JWKS (`AUTH_JWKS_URL`, RS256/ES256); expiry and audience are always checked and `sub`
is the user id. Nothing else about the caller (no `X-User-ID` header) is trusted.
"""

from __future__ import annotations

import functools
import hmac

import jwt
from flask import current_app, g, request

from webhook_service.config import Config
from webhook_service.errors import ApiError

ASYMMETRIC_ALGORITHMS = ("RS256", "ES256")


class TokenVerifier:
    def __init__(self, config: Config):
        self.secret = config.supabase_jwt_secret
        self.audience = config.jwt_audience
        # PyJWKClient caches the key set and refetches it when a token names an unknown key id.
        self.jwks = jwt.PyJWKClient(config.auth_jwks_url, cache_keys=True) if config.auth_jwks_url else None

    def user_id(self, token: str) -> str:
        """The verified `sub` of `token`; raises ApiError(401) for anything unusable."""
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
            if algorithm == "HS256" and self.secret:
                key = self.secret
            elif algorithm in ASYMMETRIC_ALGORITHMS and self.jwks:
                key = self.jwks.get_signing_key_from_jwt(token).key
            else:
                raise _unauthorized("The token's signing algorithm is not accepted.")
            claims = jwt.decode(
                token, key, algorithms=[algorithm], audience=self.audience,
                options={"require": ["exp", "sub", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise _unauthorized("The token has expired.") from None
        except (jwt.PyJWTError, jwt.PyJWKClientError):
            raise _unauthorized("The token is invalid.") from None
        subject = claims["sub"]
        if not isinstance(subject, str) or not subject:
            raise _unauthorized("The token has no subject.")
        return subject


def _services():
    # services.py builds the TokenVerifier defined here, so its accessor cannot be imported.
    return current_app.extensions["social_link"]


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message)


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


def login_required(view):
    """Runs `view` only for a verified user and sets `g.user_id` to the token's `sub`."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        token = bearer_token()
        if token is None:
            raise _unauthorized("An 'Authorization: Bearer <token>' header is required.")
        g.user_id = _services().verifier.user_id(token)
        return view(*args, **kwargs)

    return wrapped


def is_cron_request() -> bool:
    """True when the request carries `Authorization: Bearer <CRON_SECRET>` (the scheduled job)."""
    token = bearer_token()
    expected = _services().config.cron_secret
    return token is not None and hmac.compare_digest(token.encode(), expected.encode())

