"""The Flask app: the HTTP side of the fake (version prefix, token from query, form or
`Authorization` header, latency, batch, faults, counting) around `graph.GraphApi`.
"""

from __future__ import annotations

import json
import re
import socket
import struct
import time
from html import escape
from urllib.parse import parse_qsl

from flask import Flask, Response, abort, current_app, request

from .calls import GraphCall, Reply, base_url
from .control import control
from .demo import load_demo
from .errors import GraphError, invalid_parameter
from .faults import AbortConnection, FaultBook, TimedOut
from .graph import CallFacts, GraphApi, describe_call
from .media import media_thumbnail_svg
from .oauth import DEFAULT_APP_ID, DEFAULT_INSTAGRAM_APP_ID, AppConfig, authenticate
from .stats import Stats, log_params
from .world import World

DEFAULT_VERSION = "v25.0"   # what unversioned calls are answered as (an app's dashboard default)
BATCH_LIMIT = 50
_VERSION = re.compile(r"^(v\d+\.\d+)(?:/|$)")
_ABORT_KEY = "fake_graph.abort_connection"


class FakeGraph:
    """Everything one fake server holds: the world, the Graph API over it, faults, latency, stats."""

    def __init__(self, world: World, config: AppConfig, latency_ms: int):
        self.world = world
        self.config = config
        self.graph = GraphApi(world, config)
        self.faults = FaultBook()
        self.stats = Stats(world.now)
        self.startup_latency_ms = latency_ms
        self.latency_ms = latency_ms

    def reset(self, demo: bool) -> None:
        self.world.clear()
        if demo:
            load_demo(self.world)
        self.faults.clear()
        self.stats.reset()
        self.latency_ms = self.startup_latency_ms

    def execute(self, call: GraphCall, version: str | None, *, in_batch: bool = False) -> Reply:
        """One Graph call: a matching fault rule, else the Graph API; counted and logged."""
        facts = describe_call(self.world, call)
        action = self.faults.take(call.method, "/" + call.path, facts.account_id)
        reply = (action.apply() if action else None) or self.graph.call(call)
        if action:
            reply.add_headers(action.headers, override=True)
        self.stats.record_call(facts.template, facts.business_objects, {
            "method": call.method, "path": "/" + call.path, "version": version,
            "params": log_params(call.params), "token": _token_summary(facts), "status": reply.status,
            "in_batch": in_batch,
        })
        reply.add_headers(self.stats.usage_headers(facts.business_objects, len(self.world.users)), override=False)
        return reply

    def execute_batch(self, call: GraphCall, version: str | None) -> Reply:
        """A batch envelope: fault rules see it as path "/"; each item is then its own call."""
        action = self.faults.take(call.method, "/", None)
        reply = (action.apply() if action else None) or self._batch(call, version)
        if action:
            reply.add_headers(action.headers, override=True)
        facts = describe_call(self.world, call)
        self.stats.log({
            "method": call.method, "path": "/", "version": version,
            "params": log_params({key: value for key, value in call.params.items() if key != "batch"}),
            "token": _token_summary(facts), "status": reply.status, "batch_size": _batch_size(call.params.get("batch")),
        })
        reply.add_headers(self.stats.usage_headers((), len(self.world.users)), override=False)
        return reply

    def _batch(self, call: GraphCall, version: str | None) -> Reply:
        try:
            items = _batch_items(call.params.get("batch"))
            # Meta wants a top-level token even when every item brings its own.
            authenticate(self.world, self.config, call.token, call.appsecret_proof)
        except GraphError as error:
            return Reply.json(error.http_status, error.envelope(), error.headers)
        include_headers = call.params.get("include_headers", "true").lower() not in ("false", "0")
        answers = []
        for item in items:
            try:
                reply = self._batch_item(call, item, version)
            except TimedOut:
                answers.append(None)
                continue
            answer = {"code": reply.status}
            if include_headers:
                answer["headers"] = [{"name": name, "value": value} for name, value in reply.headers.items()]
            answer["body"] = reply.body
            answers.append(answer)
        return Reply.json(200, answers)

    def _batch_item(self, envelope: GraphCall, item, version: str | None) -> Reply:
        relative_url = item.get("relative_url") if isinstance(item, dict) else None
        if not isinstance(relative_url, str) or not relative_url.strip("/"):
            error = invalid_parameter("Each batch request needs a relative_url")
            return Reply.json(error.http_status, error.envelope())
        item_version, path = split_version(relative_url.split("?", 1)[0].strip("/"))
        params = dict(parse_qsl(relative_url.partition("?")[2], keep_blank_values=True))
        # An item's own token needs its own proof; without one it runs as the envelope's token.
        own_token = item.get("access_token") or params.get("access_token")
        if own_token:
            token, proof = own_token, item.get("appsecret_proof") or params.get("appsecret_proof")
        else:
            token, proof = envelope.token, envelope.appsecret_proof
        version = item_version or version
        call = GraphCall(str(item.get("method") or "GET").upper(), path, params, token, proof,
                         base_url(envelope.origin, version))
        return self.execute(call, version, in_batch=True)


def create_app(world: World | None = None, app_id: str = DEFAULT_APP_ID, app_secret: str | None = None,
               latency_ms: int = 0, instagram_app_id: str = DEFAULT_INSTAGRAM_APP_ID,
               instagram_app_secret: str | None = None) -> Flask:
    app = Flask(__name__)
    app.json.sort_keys = False
    world = world if world is not None else World()
    app.extensions["fake_graph"] = FakeGraph(world, AppConfig(
        app_id, app_secret, instagram_app_id=instagram_app_id, instagram_app_secret=instagram_app_secret), latency_ms)
    app.register_blueprint(control)
    app.add_url_rule("/_assets/pictures/<account_id>.svg", view_func=_picture_svg)
    app.add_url_rule("/_assets/media/<media_id>.svg", view_func=_media_svg)
    methods = ["GET", "POST", "DELETE"]
    app.add_url_rule("/", defaults={"path": ""}, view_func=_graph_entry, methods=methods)
    app.add_url_rule("/<path:path>", view_func=_graph_entry, methods=methods)
    app.wsgi_app = _ConnectionAborter(app.wsgi_app)
    return app


def split_version(path: str) -> tuple[str | None, str]:
    match = _VERSION.match(path)
    if not match:
        return None, path
    return match.group(1), path[match.end():].strip("/")


def _graph_entry(path: str) -> Response:
    if path.startswith("_"):
        abort(404)  # reserved for the fake's own routes
    fake: FakeGraph = current_app.extensions["fake_graph"]
    fake.stats.count_http_request()
    if fake.latency_ms:
        time.sleep(fake.latency_ms / 1000)
    version, path = split_version(path.strip("/"))
    params = _request_params()
    call = GraphCall(request.method, path, params, params.get("access_token") or _header_token(),
                     params.get("appsecret_proof"), base_url(request.host_url.rstrip("/"), version))
    try:
        if request.method == "POST" and not path:
            reply = fake.execute_batch(call, version)
        else:
            reply = fake.execute(call, version)
    except AbortConnection:
        request.environ[_ABORT_KEY] = True
        return Response(status=500)  # never sent: _ConnectionAborter drops the connection
    response = Response(reply.body, status=reply.status, headers=reply.headers)
    response.headers["facebook-api-version"] = version or DEFAULT_VERSION
    return response


def _token_summary(facts: CallFacts) -> dict | None:
    return {"kind": facts.token_kind, "id": facts.token_owner} if facts.token_kind else None


def _request_params() -> dict[str, str]:
    """Query and form parameters; a JSON object body counts as form parameters too."""
    params = {**request.args.to_dict(), **request.form.to_dict()}
    body = request.get_json(silent=True) if request.is_json else None
    if isinstance(body, dict):
        params.update({key: value if isinstance(value, str) else json.dumps(value) for key, value in body.items()})
    return params


def _header_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() not in ("oauth", "bearer"):
        return None
    return token.strip() or None


def _batch_items(raw: str | None) -> list:
    if raw is None:
        raise invalid_parameter("The parameter batch is required")
    try:
        items = json.loads(raw)
    except ValueError:
        items = None
    if not isinstance(items, list):
        raise invalid_parameter("batch parameter must be a JSON array")
    if len(items) > BATCH_LIMIT:
        raise GraphError(1, f"(#1) Too many requests in batch message. Maximum batch size is {BATCH_LIMIT}")
    return items


def _batch_size(raw: str | None) -> int | None:
    try:
        items = json.loads(raw or "")
    except ValueError:
        return None
    return len(items) if isinstance(items, list) else None


def _media_svg(media_id: str) -> Response:
    item = current_app.extensions["fake_graph"].world.media.get(media_id)
    if item is None:
        abort(404)
    return Response(media_thumbnail_svg(item), mimetype="image/svg+xml")


def _picture_svg(account_id: str) -> Response:
    world: World = current_app.extensions["fake_graph"].world
    node = world.node(account_id)
    if node is None:
        abort(404)
    initial = escape(node.name[:1].upper())
    hue = int(account_id) % 360
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200" viewBox="0 0 200 200">'
           f'<rect width="200" height="200" fill="hsl({hue},55%,55%)"/>'
           f'<text x="100" y="128" font-size="96" font-family="sans-serif" text-anchor="middle" '
           f'fill="#fff">{initial}</text></svg>')
    return Response(svg, mimetype="image/svg+xml")


class _ConnectionAborter:
    """Turns a `reset` fault into a dropped TCP connection.

    Werkzeug's server puts the socket in the environ; with SO_LINGER 0 its close sends an RST,
    and raising a ConnectionError makes the server drop the connection without writing anything.
    Without a socket (Flask's test client) the ConnectionAbortedError reaches the caller.
    """

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        response = self.wsgi_app(environ, start_response)
        if environ.get(_ABORT_KEY):
            if hasattr(response, "close"):
                response.close()
            connection = environ.get("werkzeug.socket")
            if connection is not None:
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            raise ConnectionAbortedError("fake Graph API: injected connection reset")
        return response
