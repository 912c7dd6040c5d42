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
- Dana (Instagram account `dana.creates` 17841400000000003, a creator with no Facebook Page; long-lived
  Instagram Login token `demo-instagram-token-dana`): the Instagram Login window logs in as her.
- Pat (Instagram account `pat.personal` 17841400000000004): a personal, not professional, account.
- Erin (user 122000000000004, token `demo-user-token-erin`): Page "Erin's Studio" 104000000000004,
  also owned by her Business portfolio "Erin Group" 990000000000001, which owns "Erin's Gallery"
  104000000000005 (reached only through the portfolio) and manages two client Pages: "Corner Florist"
  104000000000006 (no role for Erin, so no Page token) and "Harbour Deli" 104000000000007 (no
  ANALYZE task).
- Frank (user 122000000000005, token `demo-user-token-frank`): Page "Frank's Forge" 104000000000008
  linked to `franks.forge` 17841400000000005; his data access expires 3 days after the demo loads.

Alice's Page and Instagram account, and Bob's Page, have posts of every kind (posts, reels,
images, a carousel, a live story), aged so that each refresh cadence has one; ages count from
the moment the demo is loaded.

The Login dialog logs in as Alice.
"""

from __future__ import annotations

from .instagram import SCOPES, issue_token
from .world import LONG_LIVED_TOKEN_SECONDS, PAGE_TASKS, World

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

DANA_INSTAGRAM_ID = "17841400000000003"
DANA_INSTAGRAM_TOKEN = "demo-instagram-token-dana"
PAT_INSTAGRAM_ID = "17841400000000004"

ERIN_USER_ID = "122000000000004"
ERIN_USER_TOKEN = "demo-user-token-erin"
ERIN_PAGE_ID = "104000000000004"
ERIN_GALLERY_PAGE_ID = "104000000000005"
ERIN_FLORIST_PAGE_ID = "104000000000006"
ERIN_DELI_PAGE_ID = "104000000000007"

FRANK_USER_ID = "122000000000005"
FRANK_USER_TOKEN = "demo-user-token-frank"
FRANK_PAGE_ID = "104000000000008"
FRANK_INSTAGRAM_ID = "17841400000000005"
DATA_ACCESS_DAYS_LEFT = 3


def load_demo(world: World) -> None:
    if world.users:
        raise RuntimeError("the demo loads into an empty world only (its ids depend on it)")
    alice = world.create_user("Alice", access_token=ALICE_USER_TOKEN, token_expires_in=None, pages=[{
        "name": "Alice's Bakery", "username": "alicesbakery", "category": "Bakery",
        "followers_count": 1520, "fan_count": 1480, "access_token": ALICE_PAGE_TOKEN,
        "instagram": {"username": "alices.bakery", "name": "Alice's Bakery", "followers_count": 2310,
                      "follows_count": 180, "media_count": 142},
    }])
    _add_demo_media(world, alice)
    bob = world.create_user("Bob", access_token=BOB_USER_TOKEN, token_expires_in=None, pages=[{
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
    dana = world.create_instagram_account({"username": "dana.creates", "name": "Dana Creates",
                                           "account_type": "MEDIA_CREATOR", "followers_count": 4820,
                                           "follows_count": 310, "media_count": 208})
    issue_token(world, dana.id, LONG_LIVED_TOKEN_SECONDS, SCOPES, DANA_INSTAGRAM_TOKEN)
    world.create_instagram_account({"username": "pat.personal", "name": "Pat", "account_type": "PERSONAL",
                                    "followers_count": 120})
    erin = world.create_user("Erin", access_token=ERIN_USER_TOKEN, token_expires_in=None, pages=[{
        "name": "Erin's Studio", "username": "erinsstudio", "category": "Art studio", "followers_count": 880,
        "fan_count": 860, "instagram": None,
    }])
    world.add_business(erin, "Erin Group", listed_page_ids=[ERIN_PAGE_ID], owned=[{
        "name": "Erin's Gallery", "username": "erinsgallery", "category": "Art gallery", "followers_count": 1340,
        "fan_count": 1290,
    }], client=[
        {"name": "Corner Florist", "username": "cornerflorist", "category": "Florist", "role": False},
        {"name": "Harbour Deli", "username": "harbourdeli", "category": "Deli",
         "tasks": [task for task in PAGE_TASKS if task != "ANALYZE"]},
    ])
    frank = world.create_user("Frank", access_token=FRANK_USER_TOKEN, token_expires_in=None, pages=[{
        "name": "Frank's Forge", "username": "franksforge", "category": "Metalworker", "followers_count": 450,
        "fan_count": 430, "instagram": {"username": "franks.forge", "name": "Frank's Forge", "followers_count": 390},
    }])
    frank.data_access_expires_at = world.now() + DATA_ACCESS_DAYS_LEFT * 86400
    world.add_media(world.pages[bob.page_ids[0]], {"kind": "post", "age_seconds": 6 * HOUR,
                                                   "caption": "New gravel bikes are in."})
    world.dialog_user_id = alice.id
    world.instagram_dialog_account_id = dana.id


HOUR = 3600
_ALICE_PAGE_MEDIA = (
    ("post", 3, "Fresh sourdough out of the oven at 7."),
    ("reel", 20, "How we shape a croissant, in 30 seconds."),
    ("post", 50, "Closed Monday for a family wedding."),
    ("post", 10 * 24, "Pumpkin season: our spiced loaf is back."),
    ("post", 40 * 24, "Thank you for 1,000 followers!"),
)
_ALICE_INSTAGRAM_MEDIA = (
    ("image", 5, "Morning bake"),
    ("reel", 26, "Croissant lamination, sped up"),
    ("carousel", 3 * 24, "Our autumn menu, swipe through"),
    ("image", 45 * 24, "The shop on opening day"),
    ("story", 2, "Today's special: cardamom buns"),
)


def _add_demo_media(world: World, alice) -> None:
    page = world.pages[alice.page_ids[0]]
    instagram = world.instagram_accounts[page.instagram_id]
    for owner, media in ((page, _ALICE_PAGE_MEDIA), (instagram, _ALICE_INSTAGRAM_MEDIA)):
        for kind, age_hours, caption in media:
            world.add_media(owner, {"kind": kind, "age_seconds": age_hours * HOUR, "caption": caption})
