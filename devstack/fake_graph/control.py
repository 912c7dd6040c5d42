"""The control API under `/_control/`: JSON in and out, no tokens. Tests and benchmarks use it to
build the world, inject faults and latency, and read what the Graph side was asked.
Bad input answers 400 `{"error": "..."}`; an unknown id answers 404 the same way.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from .freshness import MODES
from .instagram import SCOPES, issue_token
from .world import LONG_LIVED_TOKEN_SECONDS, InstagramAccount, Page, User, World

control = Blueprint("fake_graph_control", __name__, url_prefix="/_control")
BULK_LIMIT = 100_000


class ControlError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@control.errorhandler(ControlError)
def _control_error(error: ControlError):
    return jsonify(error=str(error)), error.status


@control.errorhandler(ValueError)
def _bad_input(error: ValueError):
    return jsonify(error=str(error)), 400


def _fake():
    return current_app.extensions["fake_graph"]


def _world() -> World:
    return _fake().world


def _body(kind=dict):
    body = request.get_json(silent=True)
    if body is None:
        body = kind()
    if not isinstance(body, kind):
        raise ValueError(f"the body must be a JSON {'object' if kind is dict else 'array'}")
    return body


def _find(kind, node_id: str, what: str):
    node = _world().node(node_id)
    if not isinstance(node, kind):
        raise ControlError(404, f"no {what} with id {node_id}")
    return node


# --- world ------------------------------------------------------------------------------------
@control.post("/reset")
def reset():
    demo = bool(_body().get("demo", False))
    _fake().reset(demo)
    return jsonify(demo=demo)


@control.post("/users")
def create_user():
    body = _body()
    pages = body.get("pages") or []
    if not isinstance(pages, list) or not isinstance(body.get("name", ""), str):
        raise ValueError("name must be a string and pages a list")
    user = _world().create_user(body.get("name") or "Test User", body.get("permissions"), pages)
    return jsonify(describe_user(_world(), user)), 201


@control.get("/users/<user_id>")
def get_user(user_id: str):
    return jsonify(describe_user(_world(), _find(User, user_id, "user")))


@control.post("/bulk")
def bulk_create():
    """Many users at once, answered compactly: ids and tokens only."""
    body = _body()
    count, pages_per_user = body.get("users", 1), body.get("pages_per_user", 1)
    if not all(isinstance(value, int) and value >= 0 for value in (count, pages_per_user)) or count > BULK_LIMIT:
        raise ValueError(f"users (at most {BULK_LIMIT}) and pages_per_user must be non-negative integers")
    page_spec = {"instagram": {}} if body.get("with_instagram", True) else {}
    world = _world()
    with world.lock:
        users = [world.create_user(f"Bulk User {index + 1}", pages=[page_spec] * pages_per_user)
                 for index in range(count)]
    return jsonify(users=[{
        "id": user.id,
        "access_token": user.access_token,
        "pages": [{"id": page.id, "access_token": page.access_token, "instagram_id": page.instagram_id}
                  for page in world.pages_of(user)],
    } for user in users]), 201


@control.post("/users/<user_id>/permissions")
def set_permissions(user_id: str):
    user = _find(User, user_id, "user")
    _world().set_permissions(user, _body())
    return jsonify(permissions=user.permissions)


@control.post("/pages/<page_id>/instagram")
def link_instagram(page_id: str):
    page = _find(Page, page_id, "Page")
    body = _body()
    if "instagram" not in body:
        raise ValueError('give {"instagram": {...}} to link or {"instagram": null} to unlink')
    _world().link_instagram(page, body["instagram"])
    return jsonify(describe_page(_world(), page))


@control.post("/accounts/<account_id>")
def update_account(account_id: str):
    """Changes a Page's or Instagram account's counters or names, e.g. {"followers_count": 99}."""
    account = _find((Page, InstagramAccount), account_id, "Page or Instagram account")
    _world().update_account(account, _body())
    if isinstance(account, Page):
        return jsonify(describe_page(_world(), account))
    return jsonify(describe_instagram(account))


@control.post("/accounts/<account_id>/media")
def add_media(account_id: str):
    """Posts or reels of a Page, media or stories of an Instagram account: one spec or a list, e.g.
    {"kind": "story", "age_seconds": 3600, "caption": "..."} (see World.add_media)."""
    owner = _find((Page, InstagramAccount), account_id, "Page or Instagram account")
    body = request.get_json(silent=True)
    specs = body if isinstance(body, list) else [body if body is not None else {}]
    world = _world()
    with world.lock:
        items = [world.add_media(owner, spec) for spec in specs]
    return jsonify(media=[{"id": item.id, "kind": item.kind, "media_type": item.media_type,
                           "media_product_type": item.media_product_type, "created_time": item.created_time}
                          for item in items]), 201


@control.post("/tokens/<token>/invalidate")
def invalidate_token(token: str):
    record = _world().tokens.get(token)
    if record is None:
        raise ControlError(404, "no such token")
    subcode = _body().get("subcode", 467)
    if not isinstance(subcode, int):
        raise ValueError("subcode must be an integer")
    record.invalid_subcode = subcode
    return jsonify(kind=record.kind, owner_id=record.owner_id, invalid_subcode=subcode)


@control.post("/dialog")
def configure_dialog():
    """{"user_id": ...} logs the dialog in as that user, {"instagram_account_id": ...} the Instagram
    Login window as that account, {"cancel": true} makes both cancel; keys left out (or null) keep
    their setting, so {} just reads it."""
    body = _body()
    world = _world()
    if body.get("user_id") is not None:
        world.dialog_user_id = _find(User, str(body["user_id"]), "user").id
    if body.get("instagram_account_id") is not None:
        world.instagram_dialog_account_id = _find(InstagramAccount, str(body["instagram_account_id"]),
                                                  "Instagram account").id
    if "cancel" in body:
        world.dialog_cancels = bool(body["cancel"])
    return jsonify(user_id=world.dialog_user_id, instagram_account_id=world.instagram_dialog_account_id,
                   cancel=world.dialog_cancels)


@control.post("/instagram-accounts")
def create_instagram_account():
    """An Instagram account without a Page, e.g. {"username", "account_type": "PERSONAL"}; with
    `"token": true` the answer also carries a long-lived Instagram Login token for it."""
    body = _body()
    wants_token = bool(body.pop("token", False))
    account = _world().create_instagram_account(body)
    described = {**describe_instagram(account), "account_type": account.account_type}
    if wants_token:
        described["access_token"] = issue_token(_world(), account.id, LONG_LIVED_TOKEN_SECONDS, SCOPES).value
    return jsonify(described), 201


@control.post("/metrics/no-data")
def mark_no_data():
    """{"account_id", "metric", "no_data": true|false}: the metric is left out of insights answers."""
    body = _body()
    account_id, metric = str(body.get("account_id") or ""), str(body.get("metric") or "")
    if not account_id or not metric:
        raise ValueError("account_id and metric are required")
    world = _world()
    with world.lock:
        if body.get("no_data", True):
            world.no_data.add((account_id, metric))
        else:
            world.no_data.discard((account_id, metric))
        marks = sorted(world.no_data)
    return jsonify(no_data=[{"account_id": account, "metric": name} for account, name in marks])


@control.post("/clock")
def set_clock():
    """{"now": unix seconds} freezes the fake's clock there; {"now": null} lets it run again."""
    now = _body().get("now")
    if now is not None and not isinstance(now, int):
        raise ValueError("now must be unix seconds or null")
    world = _world()
    world.frozen_now = now
    return jsonify(now=world.now(), frozen=now is not None)


@control.post("/freshness")
def set_freshness():
    """{"mode": "meta"} (default: Page values once a day, Instagram's late and revised) or
    {"mode": "instant"} (every day's final value at once); see freshness.py."""
    mode = _body().get("mode")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    _world().freshness = mode
    return jsonify(mode=mode)


# --- faults, latency, stats ---------------------------------------------------------------------
@control.get("/faults")
def list_faults():
    return jsonify(rules=_fake().faults.describe())


@control.post("/faults")
def add_faults():
    """Appends rules (a list, or one rule object); see faults.py for their shape."""
    body = request.get_json(silent=True)
    _fake().faults.add(body if isinstance(body, list) else [body])
    return jsonify(rules=_fake().faults.describe())


@control.delete("/faults")
def clear_faults():
    _fake().faults.clear()
    return jsonify(rules=[])


@control.post("/latency")
def set_latency():
    ms = _body().get("ms")
    if not isinstance(ms, int) or ms < 0:
        raise ValueError("ms must be a non-negative integer")
    _fake().latency_ms = ms
    return jsonify(ms=ms)


@control.get("/stats")
def stats():
    return jsonify(_fake().stats.snapshot())


@control.post("/stats/reset")
def reset_stats():
    _fake().stats.reset()
    return jsonify(_fake().stats.snapshot())


@control.get("/requests")
def request_log():
    """The last Graph calls (at most 10,000), oldest first; `?limit=N` keeps the last N."""
    limit = request.args.get("limit", type=int)
    return jsonify(data=_fake().stats.request_log(limit))


# --- descriptions -------------------------------------------------------------------------------
def describe_user(world: World, user: User) -> dict:
    return {"id": user.id, "name": user.name, "access_token": user.access_token,
            "permissions": dict(user.permissions),
            "pages": [describe_page(world, page) for page in world.pages_of(user)]}


def describe_page(world: World, page: Page) -> dict:
    account = world.instagram_accounts.get(page.instagram_id or "")
    return {"id": page.id, "name": page.name, "username": page.username, "category": page.category,
            "followers_count": page.followers_count, "fan_count": page.fan_count,
            "access_token": page.access_token, "instagram": describe_instagram(account) if account else None}


def describe_instagram(account: InstagramAccount) -> dict:
    return {"id": account.id, "username": account.username, "name": account.name,
            "followers_count": account.followers_count, "follows_count": account.follows_count,
            "media_count": account.media_count}
