"""The demo world (`--demo`, or `POST /_control/reset {"demo": true}`): three users for the three
connect scenarios. Ids follow from loading into an empty world; tokens are fixed and never expire.

- Alice (user 122000000000001, token `demo-user-token-alice`): Page "Alice's Bakery"
  104000000000001 (Page token `demo-page-token-alicesbakery`), linked to Instagram
  `alices.bakery` 17841400000000001. All permissions granted.
- Bob (user 122000000000002, token `demo-user-token-bob`): Page "Bob's Bikes" 104000000000002
  (`demo-page-token-bobsbikes`) with NO linked Instagram account (the guidance scenario).
- Carol (user 122000000000003, token `demo-user-token-carol`): Page "Carol's Cafe"
  104000000000003 (`demo-page-token-carolscafe`), linked to `carols.cafe` 17841400000000002;
  Carol declined `instagram_basic` and `pages_read_engagement`.

The Login dialog logs in as Alice.
"""

from __future__ import annotations

from .world import World

ALICE_USER_ID = "122000000000001"
ALICE_USER_TOKEN = "demo-user-token-alice"
ALICE_PAGE_ID = "104000000000001"
ALICE_PAGE_TOKEN = "demo-page-token-alicesbakery"
ALICE_INSTAGRAM_ID = "17841400000000001"

BOB_USER_ID = "122000000000002"
BOB_USER_TOKEN = "demo-user-token-bob"
BOB_PAGE_ID = "104000000000002"
BOB_PAGE_TOKEN = "demo-page-token-bobsbikes"

CAROL_USER_ID = "122000000000003"
CAROL_USER_TOKEN = "demo-user-token-carol"
CAROL_PAGE_ID = "104000000000003"
CAROL_PAGE_TOKEN = "demo-page-token-carolscafe"
CAROL_INSTAGRAM_ID = "17841400000000002"


def load_demo(world: World) -> None:
    if world.users:
        raise RuntimeError("the demo loads into an empty world only (its ids depend on it)")
    alice = world.create_user("Alice", access_token=ALICE_USER_TOKEN, token_expires_in=None, pages=[{
        "name": "Alice's Bakery", "username": "alicesbakery", "category": "Bakery",
        "followers_count": 1520, "fan_count": 1480, "access_token": ALICE_PAGE_TOKEN,
        "instagram": {"username": "alices.bakery", "name": "Alice's Bakery", "followers_count": 2310,
                      "follows_count": 180, "media_count": 142},
    }])
    world.create_user("Bob", access_token=BOB_USER_TOKEN, token_expires_in=None, pages=[{
        "name": "Bob's Bikes", "username": "bobsbikes", "category": "Bicycle shop",
        "followers_count": 340, "fan_count": 325, "access_token": BOB_PAGE_TOKEN, "instagram": None,
    }])
    world.create_user("Carol", access_token=CAROL_USER_TOKEN, token_expires_in=None,
                      permissions={"instagram_basic": "declined", "pages_read_engagement": "declined"}, pages=[{
                          "name": "Carol's Cafe", "username": "carolscafe", "category": "Coffee shop",
                          "followers_count": 610, "fan_count": 590, "access_token": CAROL_PAGE_TOKEN,
                          "instagram": {"username": "carols.cafe", "name": "Carol's Cafe", "followers_count": 95,
                                        "follows_count": 60, "media_count": 31},
                      }])
    world.dialog_user_id = alice.id
