"""The Graph API proper: routes a `GraphCall` to `/me`, a user, Page or Instagram account node or
one of their edges, applies Meta's access rules, renders `fields=`, and answers a `Reply`.

Access: a user token reaches its user, that user's Pages and their linked Instagram accounts; a
Page token reaches its Page (also as `/me`) and the Page's Instagram account; an app token
(`APPID|SECRET`) only `/debug_token` and batch envelopes. Anything else is Meta's "Unsupported get
request" (code 100, subcode 33).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from functools import partial

from . import errors, instagram, oauth, portfolio
from .calls import GraphCall, Reply
from .errors import GraphError
from .fields import Field, parse_fields
from .insights import instagram_insights, page_insights
from .media import INSTAGRAM_MEDIA, INSTAGRAM_STORY, PAGE_POST, PAGE_REEL, Media, listing, media_insights
from .media import default_fields as default_media_fields
from .media import render as render_media
from .oauth import AppConfig, Principal
from .world import Business, InstagramAccount, Page, User, World

DEFAULT_LIMIT = 25
PICTURE_SIZES = {"small": 50, "square": 50, "album": 50, "normal": 100, "large": 200}
# Page fields that need pages_read_engagement; the rest is listing metadata pages_show_list covers.
ENGAGEMENT_FIELDS = {"followers_count", "fan_count"}
INSTAGRAM_FIELDS = ("id", "username", "name", "profile_picture_url", "followers_count", "follows_count",
                    "media_count")
NODE_TYPES = {User: "User", Page: "Page", InstagramAccount: "IGUser", Business: "Business", Media: "IGMedia"}
_TEMPLATE_NAMES = {User: "{user-id}", Page: "{page-id}", InstagramAccount: "{ig-user-id}", Business: "{business-id}"}
_MEDIA_TEMPLATE_NAMES = {PAGE_POST: "{post-id}", PAGE_REEL: "{video-id}", INSTAGRAM_MEDIA: "{ig-media-id}",
                         INSTAGRAM_STORY: "{ig-media-id}"}

_DEFAULT_FIELDS = {
    User: parse_fields("name,id"),
    Page: parse_fields("name,id"),
    InstagramAccount: parse_fields("id"),
    Business: portfolio.DEFAULT_BUSINESS_FIELDS,
}
_DEFAULT_ACCOUNT_FIELDS = parse_fields("access_token,category,name,id,tasks")
_ID_ONLY = parse_fields("id")


@dataclass(frozen=True)
class CallFacts:
    """What the stats, the request log and fault matching need to know about a call."""

    template: str                                 # e.g. "/{page-id}/insights"
    account_id: str | None                        # the node the call is about
    token_kind: str | None                        # "user", "page", "app", or None (no or unknown token)
    token_owner: str | None
    business_objects: tuple[tuple[str, str], ...]  # (id, "pages" | "instagram") whose quota it uses


def describe_call(world: World, call: GraphCall) -> CallFacts:
    segments = call.segments
    head = segments[0] if segments else ""
    token = world.tokens.get(call.token or "")
    media = world.media.get(head)
    # A post's or media's call is about its Page or Instagram account, and uses that one's quota.
    node = world.node(media.owner_id if media else head) if media or head.isdigit() else None
    account_id = token.owner_id if head == "me" and token else (head if media or head.isdigit() else None)
    if media:
        template_head = _MEDIA_TEMPLATE_NAMES[media.kind]
    else:
        template_head = _TEMPLATE_NAMES.get(type(node), "{unknown-id}") if head.isdigit() else head
    objects = []
    if token and token.kind == "page":
        objects.append((token.page_id, "pages"))
    if isinstance(node, InstagramAccount):
        objects.append((node.id, "instagram"))
    token_kind = "app" if call.token and "|" in call.token else (token.kind if token else None)
    return CallFacts("/" + "/".join([template_head, *segments[1:]]), account_id, token_kind,
                     token.owner_id if token else None, tuple(objects))


class GraphApi:
    def __init__(self, world: World, config: AppConfig):
        self.world = world
        self.config = config
        self._edges = {
            User: {"accounts": self._accounts, "permissions": self._permissions,
                   "businesses": partial(portfolio.businesses, self)},
            Business: {"owned_pages": partial(portfolio.owned_pages, self),
                       "client_pages": partial(portfolio.client_pages, self)},
            Page: {"insights": self._page_insights, "picture": self._picture_edge,
                   "published_posts": self._page_posts, "posts": self._page_posts, "video_reels": self._page_reels},
            InstagramAccount: {"insights": self._instagram_insights, "media": self._instagram_media,
                               "stories": self._instagram_stories},
            Media: {"insights": self._media_insights, "video_insights": self._media_insights},
        }

    def call(self, call: GraphCall) -> Reply:
        try:
            answer = self._route(call)
        except GraphError as error:
            return Reply.json(error.http_status, error.envelope(), error.headers)
        return answer if isinstance(answer, Reply) else Reply.json(200, answer)

    def _route(self, call: GraphCall) -> dict | Reply:
        segments = call.segments
        head = segments[0] if segments else ""
        if head == instagram.PREFIX:
            return instagram.route(self.world, self.config, call)
        if segments == ["oauth", "access_token"]:
            return oauth.access_token(self.world, self.config, call.params)
        if segments == ["dialog", "oauth"]:
            return Reply(302, "", {"Location": oauth.dialog_location(self.world, self.config, call.params)})
        principal = oauth.authenticate(self.world, self.config, call.token, call.appsecret_proof,
                                       current_user=head == "me")
        if segments == ["debug_token"]:
            return oauth.debug_token(self.world, self.config, call.params)
        node = self._node(head, principal, call.method)
        if len(segments) > 2:
            raise GraphError(2500, f"Unknown path components: /{'/'.join(segments[2:])}")
        if call.method != "GET":
            raise errors.unsupported_request(node.id, call.method)
        if len(segments) == 1:
            return self._render(node, _fields(call, _DEFAULT_FIELDS[type(node)]), principal, call)
        edge = self._edges[type(node)].get(segments[1])
        if edge is None:
            raise errors.nonexisting_field(segments[1], NODE_TYPES[type(node)])
        return edge(call, node, principal)

    def _node(self, head: str, principal: Principal, method: str) -> User | Page | InstagramAccount:
        if head == "me":
            if principal.kind == "app":
                raise errors.active_token_required()
            return principal.page or principal.user
        if not head:
            raise GraphError(100, f"Unsupported {method.lower()} request.", type="GraphMethodException")
        media = self.world.media.get(head)
        if media is not None:
            owner = self.world.node(media.owner_id)
            # An expired story is gone for good (unless in a highlight, which the fake has not).
            if media.expired(self.world.now()) or owner is None or not self._can_access(principal, owner):
                raise errors.unsupported_request(head, method)
            return media
        if not head.isdigit():
            raise errors.unknown_alias(head)
        node = self.world.node(head)
        if node is None or not self._can_access(principal, node):
            raise errors.unsupported_request(head, method)
        return node

    def _can_access(self, principal: Principal, node: User | Page | InstagramAccount) -> bool:
        if principal.kind == "app":
            return False
        if isinstance(node, User):
            return principal.kind == "user" and principal.user.id == node.id
        if isinstance(node, Business):
            return portfolio.can_access(principal, node)
        if isinstance(node, InstagramAccount):
            node = self.world.page_linking(node)
            if node is None:
                return False
        if principal.kind == "page":
            return principal.page.id == node.id
        return node.owner_id == principal.user.id

    # --- nodes ----------------------------------------------------------------------------------
    def _render(self, node, fields: tuple[Field, ...], principal: Principal, call: GraphCall) -> dict:
        if isinstance(node, Media):
            return render_media(node, fields, call.origin)
        if isinstance(node, User):
            return self._render_user(node, fields)
        if isinstance(node, Page):
            return self._render_page(node, fields, principal, call)
        if isinstance(node, Business):
            return portfolio.render_business(node, [field.name for field in fields])
        _require(principal, "instagram_basic")
        return self._render_instagram(node, fields, call)

    @staticmethod
    def _render_user(user: User, fields: tuple[Field, ...]) -> dict:
        out = {}
        for field in fields:
            if field.name not in ("id", "name"):
                raise errors.nonexisting_field(field.name, "User")
            out[field.name] = getattr(user, field.name)
        return out

    def _render_page(self, page: Page, fields: tuple[Field, ...], principal: Principal, call: GraphCall) -> dict:
        out = {}
        for field in fields:
            if field.name in ENGAGEMENT_FIELDS:
                _require(principal, "pages_read_engagement")
            match field.name:
                case "id" | "name" | "username" | "category" | "followers_count" | "fan_count" | "access_token":
                    out[field.name] = getattr(page, field.name)
                case "tasks":
                    out["tasks"] = list(page.tasks)
                case "picture":
                    out["picture"] = {"data": _picture(call, page.id, field.modifier("type"))}
                case "instagram_business_account":
                    account = self.world.instagram_accounts.get(page.instagram_id or "")
                    if account is None:
                        continue  # Meta leaves the field out when no account is linked
                    # Without instagram_basic only the link itself is visible.
                    granted = _granted(principal, "instagram_basic")
                    subfields = field.children if granted and field.children else _ID_ONLY
                    out[field.name] = self._render_instagram(account, subfields, call)
                case _:
                    raise errors.nonexisting_field(field.name, "Page")
        return out

    render_page = _render_page  # for the Business portfolio edges (portfolio.py)

    @staticmethod
    def _render_instagram(account: InstagramAccount, fields: tuple[Field, ...], call: GraphCall) -> dict:
        out = {}
        for field in fields:
            if field.name not in INSTAGRAM_FIELDS:
                raise errors.nonexisting_field(field.name, "IGUser")
            if field.name == "profile_picture_url":
                out[field.name] = picture_url(call, account.id)
            else:
                out[field.name] = getattr(account, field.name)
        return out

    # --- edges ----------------------------------------------------------------------------------
    def _accounts(self, call: GraphCall, user: User, principal: Principal) -> dict:
        _require(principal, "pages_show_list", code=200)
        fields = _fields(call, _DEFAULT_ACCOUNT_FIELDS)
        pages = self.world.pages_of(user)
        limit = _limit(call.params)
        ids = [page.id for page in pages]
        if call.params.get("after"):
            start = _cursor_index(ids, call.params["after"]) + 1
        elif call.params.get("before"):
            start = max(0, _cursor_index(ids, call.params["before"]) - limit)
        else:
            start = 0
        chunk = pages[start:start + limit]
        body: dict = {"data": [self._render_page(page, fields, principal, call) for page in chunk]}
        if chunk:
            before, after = _cursor(chunk[0].id), _cursor(chunk[-1].id)
            paging: dict = {"cursors": {"before": before, "after": after}}
            if start > 0:
                paging["previous"] = call.link(drop=("after",), before=before)
            if start + limit < len(pages):
                paging["next"] = call.link(drop=("before",), after=after)
            body["paging"] = paging
        return body

    @staticmethod
    def _permissions(call: GraphCall, user: User, principal: Principal) -> dict:
        return {"data": [{"permission": permission, "status": status}
                         for permission, status in list(user.permissions.items())]}

    def _page_insights(self, call: GraphCall, page: Page, principal: Principal) -> dict:
        if principal.kind != "page":
            raise GraphError(190, "(#190) This method must be called with a Page Access Token")
        _require(principal, "pages_read_engagement")
        _require(principal, "read_insights")
        data, since, until = page_insights(self.world, page, call.params)
        return {"data": data, "paging": _window_paging(call, since, until)}

    def _instagram_insights(self, call: GraphCall, account: InstagramAccount, principal: Principal) -> dict:
        _require(principal, "instagram_basic")
        _require(principal, "instagram_manage_insights")
        data, since, until = instagram_insights(self.world, account, call.params)
        return {"data": data, "paging": _window_paging(call, since, until)}

    def _page_posts(self, call: GraphCall, page: Page, principal: Principal) -> dict:
        _require(principal, "pages_read_engagement")
        return self._listing(call, self.world.media_of(page.id, PAGE_POST), PAGE_POST)

    def _page_reels(self, call: GraphCall, page: Page, principal: Principal) -> dict:
        _require(principal, "pages_read_engagement")
        return self._listing(call, self.world.media_of(page.id, PAGE_REEL), PAGE_REEL)

    def _instagram_media(self, call: GraphCall, account: InstagramAccount, principal: Principal) -> dict:
        _require(principal, "instagram_basic")
        return self._listing(call, self.world.media_of(account.id, INSTAGRAM_MEDIA), INSTAGRAM_MEDIA)

    def _instagram_stories(self, call: GraphCall, account: InstagramAccount, principal: Principal) -> dict:
        _require(principal, "instagram_basic")
        now = self.world.now()
        live = [item for item in self.world.media_of(account.id, INSTAGRAM_STORY) if not item.expired(now)]
        return self._listing(call, live, INSTAGRAM_STORY)

    def _listing(self, call: GraphCall, items: list[Media], kind: str) -> dict:
        fields = _fields(call, default_media_fields(kind))
        return listing(items, call.params, lambda item: render_media(item, fields, call.origin),
                       lambda after: call.link(drop=("before",), after=after))

    def _media_insights(self, call: GraphCall, media: Media, principal: Principal) -> dict:
        if media.kind in (PAGE_POST, PAGE_REEL):
            if principal.kind != "page":
                raise GraphError(190, "(#190) This method must be called with a Page Access Token")
            _require(principal, "read_insights")
        else:
            _require(principal, "instagram_manage_insights")
        return media_insights(media, call.params, self.world.now(), call.segments[1])

    @staticmethod
    def _picture_edge(call: GraphCall, page: Page, principal: Principal) -> dict | Reply:
        picture = _picture(call, page.id, call.params.get("type"))
        if call.params.get("redirect") in ("0", "false"):
            return {"data": picture}
        return Reply(302, "", {"Location": picture["url"]})


def picture_url(call: GraphCall, account_id: str) -> str:
    # Served by this fake (see app.py), so local UIs show an image without leaving loopback.
    return f"{call.origin}/_assets/pictures/{account_id}.svg"


def _picture(call: GraphCall, account_id: str, picture_type: str | None) -> dict:
    size = PICTURE_SIZES.get(picture_type or "", 50)
    return {"height": size, "is_silhouette": False, "url": picture_url(call, account_id), "width": size}


def _granted(principal: Principal, permission: str) -> bool:
    return principal.user.permissions.get(permission) == "granted"


def _require(principal: Principal, permission: str, code: int = 10) -> None:
    if not _granted(principal, permission):
        raise errors.missing_permission(permission, code)


def _fields(call: GraphCall, default: tuple[Field, ...]) -> tuple[Field, ...]:
    text = call.params.get("fields", "").strip()
    return parse_fields(text) if text else default


def _limit(params: dict[str, str]) -> int:
    raw = params.get("limit") or str(DEFAULT_LIMIT)
    if not raw.isdigit() or int(raw) == 0:
        raise errors.invalid_parameter("limit must be a positive integer")
    return int(raw)


def _cursor(page_id: str) -> str:
    return base64.b64encode(page_id.encode()).decode()


def _cursor_index(ids: list[str], cursor: str) -> int:
    try:
        return ids.index(base64.b64decode(cursor, validate=True).decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise errors.invalid_parameter("The cursor is invalid or has expired") from None


def _window_paging(call: GraphCall, since: int, until: int) -> dict:
    span = until - since
    return {"previous": call.link(since=since - span, until=since), "next": call.link(since=until, until=until + span)}
