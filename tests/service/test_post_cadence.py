"""The post refresh cadence by age (PostsSettings.next_refresh) and its settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from webhook_service.config import Config, ConfigError
from webhook_service.post_metrics import PostsSettings

from .test_config import VALID

FETCHED = datetime(2026, 11, 30, 10, 25, tzinfo=UTC)
HOUR_START = FETCHED.replace(minute=0)


@pytest.mark.parametrize(("age", "due"), [
    (timedelta(hours=3), HOUR_START + timedelta(hours=1)),
    (timedelta(hours=47), HOUR_START + timedelta(hours=1)),
    (timedelta(hours=49), HOUR_START + timedelta(days=1)),
    (timedelta(days=29), HOUR_START + timedelta(days=1)),
    (timedelta(days=31), HOUR_START + timedelta(days=7)),
    (timedelta(days=80), HOUR_START + timedelta(days=7)),
    (timedelta(days=85), None),   # a week later it would be past 90 days
    (timedelta(days=200), None),
])
def test_refresh_slows_down_as_a_post_ages_then_stops(age, due):
    assert PostsSettings().next_refresh(FETCHED - age, FETCHED) == due


def test_a_story_is_read_hourly_until_it_expires():
    settings = PostsSettings()
    published = FETCHED - timedelta(hours=22)
    expires = published + timedelta(hours=24)
    assert settings.next_refresh(published, FETCHED, expires) == HOUR_START + timedelta(hours=1)
    last = FETCHED + timedelta(hours=1, minutes=40)  # 12:05, the story expires at 12:25
    assert settings.next_refresh(published, last, expires) is None


def test_the_cadence_is_configurable():
    settings = Config.from_env({**VALID, "POSTS_HOURLY_HOURS": "6", "POSTS_DAILY_DAYS": "7",
                                "POSTS_WEEKLY_DAYS": "14"}).insights.posts
    assert settings.next_refresh(FETCHED - timedelta(hours=7), FETCHED) == HOUR_START + timedelta(days=1)
    assert settings.next_refresh(FETCHED - timedelta(days=8), FETCHED) is None


def test_a_cadence_that_speeds_up_with_age_is_refused():
    with pytest.raises(ConfigError, match="POSTS_HOURLY_HOURS, POSTS_DAILY_DAYS and POSTS_WEEKLY_DAYS"):
        Config.from_env({**VALID, "POSTS_DAILY_DAYS": "100", "POSTS_WEEKLY_DAYS": "30"})


def test_post_metric_lists_are_replaceable_per_media_type():
    posts = Config.from_env({**VALID, "POSTS_INSTAGRAM_FEED_METRICS": "views,reach"}).insights.posts
    assert posts.metrics_for("instagram", "FEED") == ("views", "reach")
    assert "ig_reels_avg_watch_time" in posts.metrics_for("instagram", "REELS")
