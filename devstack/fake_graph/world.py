"""The fake's state: users with their permissions and tokens, their Pages, the Instagram accounts
linked to those Pages, Login-dialog codes, "no data" marks, and an optional frozen clock.

Everything lives in memory. Changes take `World.lock`; readers copy lists before iterating.
Ids are numeric strings handed out in sequence from fixed bases, so a fresh world always gives
the same ids in the same order (the demo data relies on that).
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from .media import INSTAGRAM_MEDIA, INSTAGRAM_STORY, PAGE_POST, PAGE_REEL, Media

LONG_LIVED_TOKEN_SECONDS = 5183944   # the ~60 days Meta reports for a long-lived user token
DATA_ACCESS_SECONDS = 90 * 86400
AUTHORIZATION_CODE_SECONDS = 600

DEFAULT_PERMISSIONS = ("public_profile", "pages_show_list", "pages_read_engagement", "instagram_basic",
                       "instagram_manage_insights", "read_insights", "business_management")
PERMISSION_STATUSES = ("granted", "declined", "expired")
PAGE_TASKS = ("ANALYZE", "ADVERTISE", "MESSAGING", "MODERATE", "CREATE_CONTENT", "MANAGE")

_ID_BASES = {"user": 122_000_000_000_000, "page": 104_000_000_000_000, "instagram": 17_841_400_000_000_000,
             "business": 990_000_000_000_000,
             "media": 18_000_000_000_000_000}
_PAGE_KEYS = {"name", "username", "category", "followers_count", "fan_count", "tasks", "instagram", "access_token",
              "listed", "role"}
_INSTAGRAM_KEYS = {"id", "username", "name", "followers_count", "follows_count", "media_count"}
_PAGE_UPDATES = {"name", "username", "category", "followers_count", "fan_count"}
_INSTAGRAM_UPDATES = _INSTAGRAM_KEYS - {"id"}
_COUNTERS = {"followers_count", "fan_count", "follows_count", "media_count"}


@dataclass(slots=True)
class Token:
    value: str
    kind: str                          # "user", "page", or "instagram" (an Instagram Login token)
    user_id: str
    page_id: str | None
    issued_at: int
    expires_at: int                    # 0: never
    invalid_subcode: int | None = None
    scopes: tuple[str, ...] = ()       # an Instagram Login token's; the others use the user's permissions

    @property
    def owner_id(self) -> str:
        return self.page_id or self.user_id


@dataclass(slots=True)
class User:
    id: str
    name: str
    permissions: dict[str, str]
    page_ids: list[str]
    access_token: str = ""
    # When data access ends (debug_token's data_access_expires_at); None: 90 days after the token.
    data_access_expires_at: int | None = None
    business_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Page:
    id: str
    name: str
    username: str
    category: str
    followers_count: int
    fan_count: int
    tasks: list[str]
    owner_id: str
    access_token: str = ""
    instagram_id: str | None = None


@dataclass(slots=True)
class InstagramAccount:
    id: str
    username: str
    name: str
    followers_count: int
    follows_count: int
    media_count: int
    page_id: str | None = None
    # What /me on graph.instagram.com reports; "PERSONAL" for an account that is not professional.
    account_type: str = "BUSINESS"


@dataclass(slots=True)
class Business:
    """A Business portfolio: the Pages it owns and those it manages for clients."""

    id: str
    name: str
    owned_page_ids: list[str]
    client_page_ids: list[str]


@dataclass(slots=True)
class AuthorizationCode:
    user_id: str
    client_id: str
    redirect_uri: str
    issued_at: int
    used: bool = False


def new_token_value() -> str:
    # Shaped like Meta's opaque tokens: "EAAG" and letters/digits.
    return "EAAG" + secrets.token_urlsafe(60).replace("-", "Z").replace("_", "z")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


class World:
    def __init__(self):
        self.lock = threading.RLock()
        self.clear()

    def clear(self) -> None:
        with self.lock:
            self.users: dict[str, User] = {}
            self.pages: dict[str, Page] = {}
            self.instagram_accounts: dict[str, InstagramAccount] = {}
            self.tokens: dict[str, Token] = {}
            self.codes: dict[str, AuthorizationCode] = {}
            self.no_data: set[tuple[str, str]] = set()
            # Posts, reels, Instagram media and stories by id (see media.py).
            self.media: dict[str, Media] = {}
            self.frozen_now: int | None = None
            # How insights values appear over time: "meta" (freshness.py) or "instant".
            self.freshness = "meta"
            self.dialog_user_id: str | None = None
            self.dialog_cancels = False
            self.businesses: dict[str, Business] = {}
            # Instagram Login (see instagram.py): its codes, and whom its window logs in as.
            self.instagram_codes: dict = {}
            self.instagram_dialog_account_id: str | None = None
            self._issued = dict.fromkeys(_ID_BASES, 0)

    def now(self) -> int:
        return self.frozen_now if self.frozen_now is not None else int(time.time())

    # --- lookups --------------------------------------------------------------------------------
    def node(self, node_id: str) -> User | Page | InstagramAccount | Business | None:
        return (self.users.get(node_id) or self.pages.get(node_id) or self.instagram_accounts.get(node_id)
                or self.businesses.get(node_id))

    def pages_of(self, user: User) -> list[Page]:
        return [self.pages[page_id] for page_id in list(user.page_ids)]

    def page_linking(self, account: InstagramAccount) -> Page | None:
        return self.pages.get(account.page_id) if account.page_id else None

    def has_data(self, account_id: str, metric: str) -> bool:
        return (account_id, metric) not in self.no_data

    # --- creation -------------------------------------------------------------------------------
    def create_user(self, name: str, permissions: dict[str, str | None] | None = None, pages: Sequence[dict] = (),
                    *, access_token: str | None = None,
                    token_expires_in: int | None = LONG_LIVED_TOKEN_SECONDS) -> User:
        """A user whose permissions are the defaults (all granted) changed by `permissions`.
        `token_expires_in=None` gives a user token that never expires."""
        with self.lock:
            user = User(self._next_id("user"), name, dict.fromkeys(DEFAULT_PERMISSIONS, "granted"), [])
            _apply_permissions(user, permissions or {})
            self.users[user.id] = user
            user.access_token = self.issue_user_token(user.id, token_expires_in, access_token).value
            for spec in pages:
                self.add_page(user, spec)
            return user

    def add_page(self, user: User, spec: dict) -> Page:
        """A Page `user` has a role on (its tasks), listed by their /me/accounts. With `"listed": false`
        only a Business portfolio reaches it; with `"role": false` the user has no role on it either,
        so no Page token of theirs."""
        _check_keys(spec, _PAGE_KEYS, "page")
        with self.lock:
            page_id = self._next_id("page")
            name = spec.get("name") or f"{user.name}'s Page {len(user.page_ids) + 1}"
            page = Page(page_id, name, spec.get("username") or slug(name), spec.get("category") or "Local business",
                        _count(spec, "followers_count", 1200), _count(spec, "fan_count", 1150),
                        list(spec.get("tasks") or PAGE_TASKS), user.id if spec.get("role", True) else "")
            page.access_token = spec.get("access_token") or new_token_value()
            self.tokens[page.access_token] = Token(page.access_token, "page", user.id, page.id, self.now(), 0)
            self.pages[page.id] = page
            if spec.get("listed", True):
                user.page_ids.append(page.id)
            if spec.get("instagram") is not None:
                self.link_instagram(page, spec["instagram"])
            return page

    def link_instagram(self, page: Page, spec: dict | None) -> InstagramAccount | None:
        """Links a new account (or, with `{"id": ...}`, an existing unlinked one) to `page`,
        replacing any account linked before; `None` only unlinks."""
        with self.lock:
            if spec is not None:
                _check_keys(spec, _INSTAGRAM_KEYS, "instagram")
            if page.instagram_id:
                self.instagram_accounts[page.instagram_id].page_id = None
                page.instagram_id = None
            if spec is None:
                return None
            if "id" in spec:
                account = self.instagram_accounts.get(str(spec["id"]))
                if account is None or account.page_id is not None or len(spec) > 1:
                    raise ValueError("'id' must name an existing, unlinked Instagram account, and come alone")
            else:
                account = self.create_instagram_account({"username": page.username, "name": page.name, **spec})
            account.page_id = page.id
            page.instagram_id = account.id
            return account

    def add_business(self, user: User, name: str, owned: Sequence[dict] = (), client: Sequence[dict] = (),
                     *, listed_page_ids: Sequence[str] = ()) -> Business:
        """A Business portfolio `user` belongs to, with new Pages (`add_page` specs, not listed by
        /me/accounts unless they say so) and Pages of `user` listed there too (`listed_page_ids`)."""
        with self.lock:
            business = Business(self._next_id("business"), name, list(listed_page_ids), [])
            for spec in owned:
                business.owned_page_ids.append(self.add_page(user, {"listed": False, **spec}).id)
            for spec in client:
                business.client_page_ids.append(self.add_page(user, {"listed": False, **spec}).id)
            self.businesses[business.id] = business
            user.business_ids.append(business.id)
            return business

    def create_instagram_account(self, spec: dict) -> InstagramAccount:
        """An Instagram account linked to no Page (Instagram Login reaches it without one)."""
        _check_keys(spec, _INSTAGRAM_KEYS | {"account_type"}, "instagram")
        with self.lock:
            account = InstagramAccount(self._next_id("instagram"), spec.get("username") or "instagram.user",
                                       spec.get("name") or "Instagram User", _count(spec, "followers_count", 850),
                                       _count(spec, "follows_count", 120), _count(spec, "media_count", 64),
                                       account_type=str(spec.get("account_type") or "BUSINESS"))
            self.instagram_accounts[account.id] = account
            return account

    def issue_user_token(self, user_id: str, expires_in: int | None, value: str | None = None) -> Token:
        with self.lock:
            now = self.now()
            token = Token(value or new_token_value(), "user", user_id, None, now,
                          now + expires_in if expires_in is not None else 0)
            self.tokens[token.value] = token
            return token

    def mint_code(self, user_id: str, client_id: str, redirect_uri: str) -> str:
        with self.lock:
            value = "AQ" + secrets.token_urlsafe(48)
            self.codes[value] = AuthorizationCode(user_id, client_id, redirect_uri, self.now())
            return value

    # --- changes --------------------------------------------------------------------------------
    def set_permissions(self, user: User, changes: dict[str, str | None]) -> None:
        with self.lock:
            _apply_permissions(user, changes)

    def update_account(self, account: Page | InstagramAccount, changes: dict) -> None:
        allowed = _PAGE_UPDATES if isinstance(account, Page) else _INSTAGRAM_UPDATES
        _check_keys(changes, allowed, "account")
        with self.lock:
            for key, value in changes.items():
                setattr(account, key, _count(changes, key, 0) if key in _COUNTERS else str(value))

    def add_media(self, owner: Page | InstagramAccount, spec: dict) -> Media:
        """A post (`{"kind": "post"}`) or reel (`"reel"`) of a Page, or an Instagram account's media
        (`"image"`, `"carousel"`, `"reel"`) or story (`"story"`, also `"story_video"`), created
        `age_seconds` ago (default 0) with an optional `caption`."""
        _check_keys(spec, {"kind", "age_seconds", "caption"}, "media")
        kind = spec.get("kind") or "post"
        choices = _PAGE_MEDIA if isinstance(owner, Page) else _INSTAGRAM_MEDIA
        if kind not in choices:
            raise ValueError(f"kind must be one of {', '.join(choices)}")
        media_kind, media_type, product_type = choices[kind]
        with self.lock:
            media_id = self._next_id("media")
            if media_kind == PAGE_POST:
                media_id = f"{owner.id}_{media_id}"
            item = Media(media_id, media_kind, owner.id, self.now() - _count(spec, "age_seconds", 0),
                         str(spec.get("caption") or ""), media_type, product_type)
            self.media[item.id] = item
            return item

    def media_of(self, owner_id: str, *kinds: str) -> list[Media]:
        return [item for item in list(self.media.values()) if item.owner_id == owner_id and item.kind in kinds]

    def _next_id(self, kind: str) -> str:
        self._issued[kind] += 1
        return str(_ID_BASES[kind] + self._issued[kind])


_PAGE_MEDIA = {"post": (PAGE_POST, "", "POST"), "reel": (PAGE_REEL, "VIDEO", "REELS")}
_INSTAGRAM_MEDIA = {"image": (INSTAGRAM_MEDIA, "IMAGE", "FEED"), "carousel": (INSTAGRAM_MEDIA, "CAROUSEL_ALBUM", "FEED"),
                    "reel": (INSTAGRAM_MEDIA, "VIDEO", "REELS"), "story": (INSTAGRAM_STORY, "IMAGE", "STORY"),
                    "story_video": (INSTAGRAM_STORY, "VIDEO", "STORY")}


def _apply_permissions(user: User, changes: dict[str, str | None]) -> None:
    """`changes` maps permission -> status; None removes the permission altogether."""
    for permission, status in changes.items():
        if status is None:
            user.permissions.pop(permission, None)
        elif status in PERMISSION_STATUSES:
            user.permissions[permission] = status
        else:
            raise ValueError(f"permission status must be one of {', '.join(PERMISSION_STATUSES)}")


def _check_keys(spec: dict, allowed: set[str], what: str) -> None:
    if not isinstance(spec, dict):
        raise ValueError(f"{what} must be an object")
    unknown = set(spec) - allowed
    if unknown:
        raise ValueError(f"unknown {what} keys: {', '.join(sorted(unknown))}")


def _count(spec: dict, key: str, default: int) -> int:
    value = spec.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{key} must be a non-negative integer")
    return value
