"""A PostgREST-compatible REST gateway for the devstack: Supabase's `/rest/v1`, without PostgREST.

The PostgREST server binary cannot be installed on our machines, so the devstack serves the
documented PostgREST API itself with this stand-in. It is used only when no `postgrest` binary is on
PATH. It follows PostgREST 14+ behaviour (docs.postgrest.org, `src/library/PostgREST/*.hs`) for what
supabase-py / postgrest-py and supabase-js use: JWT roles, the URL grammar (select, filters, logic
trees, order, ranges, counts), inserts, upserts, updates, deletes, RPC, errors, CORS and the schema
cache. It does not embed resources, aggregate, take PUT, or serve CSV/XML request bodies.

    python -m devstack.rest --host 127.0.0.1 --port 3000 \\
        --db-url postgresql://authenticator@127.0.0.1:5432/postgres --jwt-secret SECRET \\
        [--jwks-url URL] [--jwt-aud AUD] [--schemas public] [--anon-role anon] [--pool-size 10]
"""
