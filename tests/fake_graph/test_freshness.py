"""How Meta's insights values appear over time (freshness.py): Page values once a day, Instagram
values late and revised upwards, and the `instant` control tests use."""

from __future__ import annotations

from datetime import date

from devstack.fake_graph import demo, metric_value
from devstack.fake_graph.freshness import page_update_delay
from devstack.fake_graph.metrics import pacific_midnight

from .conftest import graph_get

PAGE = f"/v25.0/{demo.ALICE_PAGE_ID}/insights"
IG = f"/v25.0/{demo.ALICE_INSTAGRAM_ID}/insights"
DAY_END = pacific_midnight(date(2026, 11, 24))     # the end of Meta's 2026-11-23
NEXT_END = pacific_midnight(date(2026, 11, 25))


def values_at(client, world, now: int, path: str, token: str, **params) -> dict[int, int]:
    world.frozen_now = now
    body = graph_get(client, path, token, period="day", since=str(DAY_END - 86400), until=str(NEXT_END),
                     **params).get_json()
    return {point["end_time"]: point["value"] for point in body["data"][0]["values"]} if body["data"] else {}


def test_a_pages_day_appears_complete_at_its_daily_update_and_today_not_before(client, world):
    world.freshness = "meta"
    update = DAY_END + page_update_delay(demo.ALICE_PAGE_ID)
    final = metric_value(demo.ALICE_PAGE_ID, "page_media_view", DAY_END)

    before = values_at(client, world, update - 1, PAGE, demo.ALICE_PAGE_TOKEN, metric="page_media_view")
    after = values_at(client, world, update, PAGE, demo.ALICE_PAGE_TOKEN, metric="page_media_view")
    later = values_at(client, world, update + 6 * 3600, PAGE, demo.ALICE_PAGE_TOKEN, metric="page_media_view")

    assert before == {}
    assert after == {"2026-11-24T08:00:00+0000": final}
    assert later == after  # unchanged until the next day's update; today is never shown


def test_an_instagram_day_grows_through_the_day_and_is_revised_up_for_48_hours(client, world):
    world.freshness = "meta"
    final = metric_value(demo.ALICE_INSTAGRAM_ID, "reach", DAY_END)
    seen = [values_at(client, world, DAY_END + offset, IG, demo.ALICE_USER_TOKEN, metric="reach",
                      metric_type="time_series").get("2026-11-24T08:00:00+0000")
            for offset in (-12 * 3600, 0, 24 * 3600, 48 * 3600)]

    assert seen == [int(final * 0.4), int(final * 0.8), int(final * 0.9), final]


def test_instant_gives_every_days_final_value_at_once(client, world):
    world.freshness = "meta"
    client.post("/_control/freshness", json={"mode": "instant"})

    now = DAY_END + 60
    today = values_at(client, world, now, PAGE, demo.ALICE_PAGE_TOKEN, metric="page_media_view")

    assert today == {"2026-11-24T08:00:00+0000": metric_value(demo.ALICE_PAGE_ID, "page_media_view", DAY_END),
                     "2026-11-25T08:00:00+0000": metric_value(demo.ALICE_PAGE_ID, "page_media_view", NEXT_END)}
    assert client.post("/_control/freshness", json={"mode": "later"}).status_code == 400
