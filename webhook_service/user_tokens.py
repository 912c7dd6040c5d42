"""Verifying a user's JWT (Supabase Auth or a third-party issuer such as Clerk).

User tokens are verified with the shared HS256 secret (`SUPABASE_JWT_SECRET`) or against the
issuer's JWKS (`AUTH_JWKS_URL`, RS256/ES256); expiry and audience are always checked and `sub`
is the user id.
"""

from __future__ import annotations

import jwt

from webhook_service.config import Config
from webhook_service.domain_errors import Unauthenticated

ASYMMETRIC_ALGORITHMS = ("RS256", "ES256")


class TokenVerifier:
    def __init__(self, config: Config):
        self.secret = config.supabase_jwt_secret
        self.audience = config.jwt_audience
        # PyJWKClient caches the key set and refetches it when a token names an unknown key id.
        self.jwks = jwt.PyJWKClient(config.auth_jwks_url, cache_keys=True) if config.auth_jwks_url else None

    def user_id(self, token: str) -> str:
        """The verified `sub` of `token`; raises Unauthenticated for anything unusable."""
        try:
            algorithm = jwt.get_unverified_header(token).get("alg")
            if algorithm == "HS256" and self.secret:
                key = self.secret
            elif algorithm in ASYMMETRIC_ALGORITHMS and self.jwks:
                key = self.jwks.get_signing_key_from_jwt(token).key
            else:
                raise Unauthenticated("The token's signing algorithm is not accepted.")
            claims = jwt.decode(
                token, key, algorithms=[algorithm], audience=self.audience,
                options={"require": ["exp", "sub", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("The token has expired.") from None
        except (jwt.PyJWTError, jwt.PyJWKClientError):
            raise Unauthenticated("The token is invalid.") from None
        subject = claims["sub"]
        if not isinstance(subject, str) or not subject:
            raise Unauthenticated("The token has no subject.")
        return subject
