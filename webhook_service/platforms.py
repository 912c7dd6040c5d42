"""The platforms an account can be on, and the one rule for a name that is not one of them."""

from __future__ import annotations

from webhook_service.domain_errors import UnknownPlatform

PLATFORMS = ("facebook", "instagram")
PLATFORM_NAMES = {"facebook": "Facebook", "instagram": "Instagram"}
# How an account was connected (accounts.connected_via): through a Facebook Page with Facebook
# Login, or an Instagram professional account on its own with Instagram Login.
FACEBOOK_LOGIN, INSTAGRAM_LOGIN = "facebook_login", "instagram_login"
LOGINS = (FACEBOOK_LOGIN, INSTAGRAM_LOGIN)


def checked_platform(platform: str | None) -> str:
    """`platform` if it is one of PLATFORMS; UnknownPlatform otherwise."""
    if platform not in PLATFORMS:
        raise UnknownPlatform(f"Unknown platform {platform!r}: use 'facebook' or 'instagram'.")
    return platform
