"""The platforms an account can be on, and the one rule for a name that is not one of them."""

from __future__ import annotations

from webhook_service.domain_errors import UnknownPlatform

PLATFORMS = ("facebook", "instagram")
PLATFORM_NAMES = {"facebook": "Facebook", "instagram": "Instagram"}


def checked_platform(platform: str | None) -> str:
    """`platform` if it is one of PLATFORMS; UnknownPlatform otherwise."""
    if platform not in PLATFORMS:
        raise UnknownPlatform(f"Unknown platform {platform!r}: use 'facebook' or 'instagram'.")
    return platform
