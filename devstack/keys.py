"""JWTs the local platform hands out: the anon and service-role API keys, and demo user tokens.

They are HS256 tokens signed with the stack's `SUPABASE_JWT_SECRET`, shaped like Supabase's
(`role`, `iss`, `aud` for users). The user tokens are a development convenience only.
"""

from __future__ import annotations

import time

import jwt

TEN_YEARS = 10 * 365 * 24 * 3600


def api_key(secret: str, role: str) -> str:
    now = int(time.time())
    return jwt.encode({"iss": "supabase-devstack", "role": role, "iat": now, "exp": now + TEN_YEARS}, secret, algorithm="HS256")


def user_token(secret: str, sub: str, *, ttl_seconds: int = 3600, **claims) -> str:
    now = int(time.time())
    payload = {
        "iss": "supabase-devstack",
        "sub": sub,
        "role": "authenticated",
        "aud": "authenticated",
        "iat": now,
        "exp": now + ttl_seconds,
        **claims,
    }
    return jwt.encode(payload, secret, algorithm="HS256")
