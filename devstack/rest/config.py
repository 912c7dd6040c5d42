"""Settings of the gateway, named after the PostgREST options they stand for."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass


def _env_int(name: str) -> int | None:
    value = os.environ.get(name, "").strip()
    return int(value) if value else None


def _names(value: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in value.split(",") if name.strip())


@dataclass(frozen=True)
class Settings:
    db_url: str  # db-uri: connects as the authenticator role
    jwt_secret: str | None = None  # jwt-secret (HS256/384/512)
    jwks_url: str | None = None  # asymmetric keys (RS*/ES*/PS*/EdDSA), as a JWKS document
    jwt_aud: str | None = None  # jwt-aud: when set, a token's `aud` must name it
    schemas: tuple[str, ...] = ("public",)  # db-schemas: the first one is the default
    anon_role: str | None = "anon"  # db-anon-role: None disables anonymous access
    extra_search_path: tuple[str, ...] = ("public", "extensions")  # db-extra-search-path, as Supabase sets it
    pool_size: int = 10  # db-pool
    pool_timeout: float = 10.0  # db-pool-acquisition-timeout, seconds
    max_rows: int | None = None  # db-max-rows: at most this many rows per read; None: no cap
    channel: str = "pgrst"  # db-channel: `NOTIFY pgrst, 'reload schema'` reloads the schema cache
    host: str = "127.0.0.1"
    port: int = 3000


def parse_args(argv: list[str] | None = None) -> Settings:
    parser = argparse.ArgumentParser(prog="python -m devstack.rest", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("--db-url", required=True, help="connection string of the authenticator role")
    parser.add_argument("--jwt-secret", help="HS256 secret (Supabase's JWT secret)")
    parser.add_argument("--jwks-url", help="URL of a JWKS document for RS256/ES256 tokens")
    parser.add_argument("--jwt-aud", help="required `aud` claim (PostgREST jwt-aud); unchecked when absent")
    parser.add_argument("--schemas", default="public", help="exposed schemas, comma-separated; the first is the default")
    parser.add_argument("--anon-role", default="anon", help="role for requests without a JWT; empty disables them")
    parser.add_argument("--extra-search-path", default="public,extensions")
    parser.add_argument("--pool-size", type=int, default=10)
    parser.add_argument("--max-rows", type=int, default=_env_int("PGRST_DB_MAX_ROWS"),
                        help="db-max-rows (default: $PGRST_DB_MAX_ROWS, else no cap)")
    args = parser.parse_args(argv)
    if not args.jwt_secret and not args.jwks_url:
        parser.error("give --jwt-secret and/or --jwks-url")
    return Settings(
        db_url=args.db_url, jwt_secret=args.jwt_secret, jwks_url=args.jwks_url, jwt_aud=args.jwt_aud,
        schemas=_names(args.schemas), anon_role=args.anon_role or None,
        extra_search_path=_names(args.extra_search_path), pool_size=args.pool_size, max_rows=args.max_rows,
        host=args.host, port=args.port,
    )
