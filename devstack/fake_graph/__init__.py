"""Fake Graph API
==============

A stand-in for graph.facebook.com (and the www.facebook.com Login dialog) for local development,
tests and benchmarks. It is not Meta's API: it serves on loopback only, keeps everything in
memory, and covers just what social-link uses, shaped the way Meta documents it (late 2026):

- `GET /me`, `/me/permissions`, `/me/accounts` (fields with expansion such as `picture{url}` and
  `instagram_business_account{...}`, cursor paging with absolute `next` links, default limit 25);
- Page and Instagram account nodes (`GET /{id}?fields=...`) and `GET /{page-id}/picture`;
- `GET /{page-id}/insights` and `GET /{ig-user-id}/insights` with today's metrics; removed or
  unknown metrics fail the whole request with code 100, as Meta does; values follow
  `metrics.metric_value` so tests can compute them;
- `/oauth/access_token` (code exchange, `fb_exchange_token`, `client_credentials`),
  `/debug_token`, and `/dialog/oauth`, which redirects at once as a configurable user;
- batch requests (`POST /` with `batch=`, at most 50 items, bodies as JSON strings);
- `appsecret_proof` checks when the server has an app secret (not for app tokens, which carry
  the secret). In a batch the top-level proof covers the top-level token and the items that run
  as it; an item with its own `access_token` needs its own proof (in its `relative_url` query
  or as the item's `appsecret_proof` key), since a proof is tied to one token;
- Meta's error envelope, token errors (190 with subcodes), and `X-App-Usage` /
  `X-Business-Use-Case-Usage` headers;
- any `/vN.M/` prefix (answered in `facebook-api-version`); unversioned calls too, as v25.0.

Run it: `python -m devstack.fake_graph --host 127.0.0.1 --port 0 --demo [--latency-ms 0]
[--app-id ID --app-secret S]`; it prints `listening on http://127.0.0.1:PORT`. In-process:
`create_app(world=None, app_id=..., app_secret=None, latency_ms=0)` returns a Flask app.

Tests and benchmarks drive it through `/_control/` (see `control.py`): create users
(`POST /_control/users`, `/_control/bulk`), change permissions, link or unlink Instagram
accounts, invalidate tokens, steer the Login dialog, mark metrics as having no data, freeze the
clock, inject faults (`faults.py`) and latency, and read counters and the request log.

Module map: `world` (state), `metrics` (metric catalogue and value formula), `graph` (nodes,
edges, access rules), `insights`, `oauth`, `fields` (`fields=` parser), `errors`, `faults`,
`stats`, `control`, `app` (HTTP, batch), `demo` (demo users, ids and tokens), `__main__`.

Not modelled: writes (posts, DELETE /permissions), media and post insights, demographics,
`?ids=` multi-id reads, batch dependencies (`name` / JSONPath), automatic throttling when usage
reaches 100% (inject it with a fault rule), the 100-likes minimum for Page insights, and
`week`/`days_28` being true rolling sums (they are their own hashed values).
"""

from .app import create_app
from .metrics import day_ends, metric_value, window_total
from .world import World

__all__ = ["World", "create_app", "day_ends", "metric_value", "window_total"]
