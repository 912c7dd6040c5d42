"""Business portfolios: `/me/businesses`, then each business's `owned_pages` and `client_pages`.

Sources:
- https://developers.facebook.com/docs/graph-api/reference/user/businesses/ (the businesses a
  person belongs to; needs `business_management`)
- https://developers.facebook.com/docs/marketing-api/reference/business/owned_pages/ and
  .../business/client_pages/ (Page nodes, same fields as `/me/accounts`)
- A Page's `access_token` is only given to someone with a role (task) on it; Postiz
  (`facebook.provider.ts` `pages()`) keeps only portfolio Pages that come with one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import errors
from .calls import GraphCall
from .fields import parse_fields
from .world import Business, Page, User

if TYPE_CHECKING:
    from .graph import GraphApi
    from .oauth import Principal

PERMISSION = "business_management"
DEFAULT_BUSINESS_FIELDS = parse_fields("id,name")
DEFAULT_PAGE_FIELDS = parse_fields("id,name")


def require_permission(principal: Principal) -> None:
    if principal.user.permissions.get(PERMISSION) != "granted":
        raise errors.missing_permission(PERMISSION, 200)


def businesses(api: GraphApi, call: GraphCall, user: User, principal: Principal) -> dict:
    require_permission(principal)
    fields = [field.name for field in _fields(call, DEFAULT_BUSINESS_FIELDS)]
    listed = [api.world.businesses[business_id] for business_id in list(user.business_ids)]
    return {"data": [render_business(business, fields) for business in listed]}


def render_business(business: Business, fields) -> dict:
    out = {}
    for name in fields:
        if name not in ("id", "name"):
            raise errors.nonexisting_field(name, "Business")
        out[name] = getattr(business, name)
    return out


def can_access(principal: Principal, business: Business) -> bool:
    return principal.kind == "user" and business.id in principal.user.business_ids


def owned_pages(api: GraphApi, call: GraphCall, business: Business, principal: Principal) -> dict:
    return _pages(api, call, business.owned_page_ids, principal)


def client_pages(api: GraphApi, call: GraphCall, business: Business, principal: Principal) -> dict:
    return _pages(api, call, business.client_page_ids, principal)


def _pages(api: GraphApi, call: GraphCall, page_ids: list[str], principal: Principal) -> dict:
    require_permission(principal)
    fields = _fields(call, DEFAULT_PAGE_FIELDS)
    data = []
    for page_id in list(page_ids):
        page: Page = api.world.pages[page_id]
        rendered = api.render_page(page, fields, principal, call)
        if page.owner_id != principal.user.id:
            rendered.pop("access_token", None)  # no role on the Page, so no Page token
            rendered.pop("tasks", None)
        data.append(rendered)
    return {"data": data}


def _fields(call: GraphCall, default):
    text = call.params.get("fields", "").strip()
    return parse_fields(text) if text else default
