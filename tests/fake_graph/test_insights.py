"""Page and Instagram insights: values follow the documented formula; Meta's parameter rules."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest

from devstack.fake_graph import day_ends, demo, metric_value, window_total
from devstack.fake_graph.metrics import pacific_midnight, split_breakdown

from .conftest import NOW, TODAY, error_of, graph_get

PAGE = f"/v25.0/{demo.ALICE_PAGE_ID}/insights"
IG = f"/v25.0/{demo.ALICE_INSTAGRAM_ID}/insights"
PAGE_TOKEN = demo.ALICE_PAGE_TOKEN
INVALID_METRIC = {"message": "(#100) The value must be a valid insights metric", "type": "OAuthException", "code": 100}
# Removed by Meta between 2024 and 2026 (all versions).
REMOVED_PAGE_METRICS = ("page_impressions", "page_impressions_unique", "page_engaged_users", "page_fans",
                        "page_fan_adds", "page_negative_feedback", "page_views", "page_consumptions",
                        "page_impressions_paid", "page_video_views_unique", "page_posts_impressions")
REMOVED_IG_METRICS = ("impressions", "profile_views", "website_clicks", "email_contacts", "phone_call_clicks",
                      "get_direction_clicks", "text_message_clicks", "plays")


def test_page_insights_values_follow_the_formula(client):
    response = graph_get(client, PAGE, PAGE_TOKEN, metric="page_media_view,page_daily_follows_unique",
                         period="day", since="2026-11-20", until="2026-11-23")
    assert response.status_code == 200
    body = response.get_json()
    ends = [pacific_midnight(date(2026, 11, day)) for day in (21, 22, 23)]
    assert [entry["name"] for entry in body["data"]] == ["page_media_view", "page_daily_follows_unique"]
    media_view = body["data"][0]
    assert media_view == {
        "name": "page_media_view",
        "period": "day",
        "values": [{"value": metric_value(demo.ALICE_PAGE_ID, "page_media_view", end), "end_time": end_time}
                   for end, end_time in zip(ends, ["2026-11-21T08:00:00+0000", "2026-11-22T08:00:00+0000",
                                                   "2026-11-23T08:00:00+0000"], strict=True)],
        "title": "Media views",
        "description": "How often the Page's content was shown or played.",
        "id": f"{demo.ALICE_PAGE_ID}/insights/page_media_view/day",
    }
    since, until = pacific_midnight(date(2026, 11, 20)), pacific_midnight(date(2026, 11, 23))
    span = until - since
    assert _query(body["paging"]["next"]) == {"metric": "page_media_view,page_daily_follows_unique", "period": "day",
                                              "since": str(until), "until": str(until + span),
                                              "access_token": PAGE_TOKEN}
    assert _query(body["paging"]["previous"])["since"] == str(since - span)
    assert _query(body["paging"]["previous"])["until"] == str(since)


def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def test_page_insights_unix_times_and_default_window(client):
    body = graph_get(client, PAGE, PAGE_TOKEN, metric="page_views_total").get_json()
    # No since/until: the last two days up to now.
    assert [value["end_time"] for value in body["data"][0]["values"]] == [
        "2026-11-23T08:00:00+0000", "2026-11-24T08:00:00+0000"]
    body = graph_get(client, PAGE, PAGE_TOKEN, metric="page_views_total", since=str(TODAY - 86400),
                     until=str(TODAY)).get_json()
    assert body["data"][0]["values"] == [
        {"value": metric_value(demo.ALICE_PAGE_ID, "page_views_total", TODAY), "end_time": "2026-11-24T08:00:00+0000"}]


def test_day_ends_follow_pacific_midnight_across_dst():
    since, until = pacific_midnight(date(2026, 10, 31)), pacific_midnight(date(2026, 11, 2))
    assert day_ends(since, until) == [pacific_midnight(date(2026, 11, 1)), until]
    assert until - pacific_midnight(date(2026, 11, 1)) == 25 * 3600  # DST ended on Nov 1


def test_week_period_has_its_own_values(client):
    body = graph_get(client, PAGE, PAGE_TOKEN, metric="page_media_view", period="week",
                     since=str(TODAY - 86400), until=str(TODAY)).get_json()
    assert body["data"][0]["values"][0]["value"] == metric_value(demo.ALICE_PAGE_ID, "page_media_view", TODAY, "week")
    assert body["data"][0]["id"] == f"{demo.ALICE_PAGE_ID}/insights/page_media_view/week"


def test_daily_only_metric_with_week_period_fails(client):
    response = graph_get(client, PAGE, PAGE_TOKEN, metric="page_daily_follows", period="week")
    assert response.status_code == 500
    assert error_of(response) == {"message": "An unknown error occurred", "type": "OAuthException", "code": 1,
                                  "error_subcode": 99}


@pytest.mark.parametrize("removed", [*REMOVED_PAGE_METRICS, "no_such_metric"])
def test_one_removed_or_unknown_metric_fails_the_whole_request(client, removed):
    response = graph_get(client, PAGE, PAGE_TOKEN, metric=f"page_media_view,{removed},page_follows", period="day")
    assert response.status_code == 400
    assert error_of(response) == INVALID_METRIC


def test_missing_metric_parameter(client):
    response = graph_get(client, PAGE, PAGE_TOKEN, period="day")
    assert response.status_code == 400
    assert error_of(response) == {
        "message": "Invalid query", "type": "OAuthException", "code": 3001, "error_subcode": 1504028,
        "is_transient": False, "error_user_title": "No Metric Specified",
        "error_user_msg": "No metric was specified to be fetched. Please specify one or more metrics to be "
                          "fetched and try again."}


def test_page_insights_need_read_insights(client):
    client.post(f"/_control/users/{demo.ALICE_USER_ID}/permissions", json={"read_insights": "declined"})
    response = graph_get(client, PAGE, PAGE_TOKEN, metric="page_media_view")
    assert response.status_code == 403
    assert error_of(response) == {"message": "(#10) This endpoint requires the 'read_insights' permission.",
                                  "type": "OAuthException", "code": 10}


def test_page_insights_want_a_page_token(client):
    response = graph_get(client, PAGE, demo.ALICE_USER_TOKEN, metric="page_media_view")
    assert error_of(response) == {"message": "(#190) This method must be called with a Page Access Token",
                                  "type": "OAuthException", "code": 190}


def test_metric_without_data_is_left_out(client):
    client.post("/_control/metrics/no-data", json={"account_id": demo.ALICE_PAGE_ID, "metric": "page_video_views"})
    body = graph_get(client, PAGE, PAGE_TOKEN, metric="page_video_views,page_views_total").get_json()
    assert [entry["name"] for entry in body["data"]] == ["page_views_total"]
    client.post("/_control/metrics/no-data", json={"account_id": demo.ALICE_PAGE_ID, "metric": "page_video_views",
                                                  "no_data": False})
    body = graph_get(client, PAGE, PAGE_TOKEN, metric="page_video_views").get_json()
    assert [entry["name"] for entry in body["data"]] == ["page_video_views"]


def test_page_range_over_90_days_fails(client):
    response = graph_get(client, PAGE, PAGE_TOKEN, metric="page_media_view", since="2026-08-01", until="2026-11-20")
    assert error_of(response)["message"] == (
        "(#100) There cannot be more than 90 days (7776000 s) between since and until")


def test_instagram_total_value_over_a_day_window(client):
    since, until = TODAY - 86400, TODAY
    response = graph_get(client, IG, demo.ALICE_USER_TOKEN, metric="views,accounts_engaged", period="day",
                         metric_type="total_value", since=str(since), until=str(until))
    assert response.status_code == 200
    assert response.get_json()["data"] == [
        {"name": "views", "period": "day", "title": "Views", "description": "Times the content was played or shown.",
         "total_value": {"value": metric_value(demo.ALICE_INSTAGRAM_ID, "views", until)},
         "id": f"{demo.ALICE_INSTAGRAM_ID}/insights/views/day"},
        {"name": "accounts_engaged", "period": "day", "title": "Accounts engaged",
         "description": "Distinct accounts that interacted.",
         "total_value": {"value": metric_value(demo.ALICE_INSTAGRAM_ID, "accounts_engaged", until)},
         "id": f"{demo.ALICE_INSTAGRAM_ID}/insights/accounts_engaged/day"},
    ]


def test_instagram_default_window_is_the_last_24_hours(client):
    body = graph_get(client, IG, demo.ALICE_PAGE_TOKEN, metric="likes", period="day",
                     metric_type="total_value").get_json()
    assert body["data"][0]["total_value"] == {"value": window_total(demo.ALICE_INSTAGRAM_ID, "likes", NOW - 86400, NOW)}
    assert window_total(demo.ALICE_INSTAGRAM_ID, "likes", NOW - 86400, NOW) == metric_value(
        demo.ALICE_INSTAGRAM_ID, "likes", TODAY)


def test_instagram_reach_as_time_series(client):
    since, until = pacific_midnight(date(2026, 11, 20)), TODAY
    body = graph_get(client, IG, demo.ALICE_USER_TOKEN, metric="reach", period="day", metric_type="time_series",
                     since=str(since), until=str(until)).get_json()
    assert body["data"][0]["values"] == [
        {"value": metric_value(demo.ALICE_INSTAGRAM_ID, "reach", end), "end_time": f"2026-11-{day}T08:00:00+0000"}
        for end, day in zip(day_ends(since, until), (21, 22, 23, 24), strict=True)]


def test_instagram_metrics_other_than_reach_require_total_value(client):
    response = graph_get(client, IG, demo.ALICE_USER_TOKEN, metric="reach,views,likes", period="day")
    assert response.status_code == 400
    assert error_of(response) == {
        "message": "(#100) The following metrics (views, likes) should be specified with parameter "
                   "metric_type=total_value", "type": "OAuthException", "code": 100}


@pytest.mark.parametrize("removed", REMOVED_IG_METRICS)
def test_removed_instagram_metric_fails_the_whole_request_in_instagrams_wording(client, removed):
    response = graph_get(client, IG, demo.ALICE_USER_TOKEN, metric=f"reach,likes,{removed}", period="day",
                         metric_type="total_value")
    error = error_of(response)
    assert error["code"] == 100 and error["type"] == "OAuthException"
    assert error["message"].startswith("(#100) metric[2] must be one of the following values: reach, views, ")
    assert "valid insights metric" not in error["message"]


def test_instagram_breakdown_splits_the_total(client):
    body = graph_get(client, IG, demo.ALICE_USER_TOKEN, metric="likes", period="day",
                     metric_type="total_value", breakdown="media_product_type").get_json()
    total = window_total(demo.ALICE_INSTAGRAM_ID, "likes", NOW - 86400, NOW)
    post, reel, story = split_breakdown(total, 3)
    assert body["data"][0]["total_value"] == {"value": total, "breakdowns": [{
        "dimension_keys": ["media_product_type"],
        "results": [{"dimension_values": ["POST"], "value": post}, {"dimension_values": ["REEL"], "value": reel},
                    {"dimension_values": ["STORY"], "value": story}]}]}


def test_follows_and_unfollows_come_only_per_follow_type_without_a_value(client):
    body = graph_get(client, IG, demo.ALICE_USER_TOKEN, metric="follows_and_unfollows", period="day",
                     metric_type="total_value", breakdown="follow_type").get_json()
    total = window_total(demo.ALICE_INSTAGRAM_ID, "follows_and_unfollows", NOW - 86400, NOW)
    follows, unfollows = split_breakdown(total, 2)
    assert body["data"][0]["total_value"] == {"breakdowns": [{
        "dimension_keys": ["follow_type"],
        "results": [{"dimension_values": ["FOLLOWER"], "value": follows},
                    {"dimension_values": ["NON_FOLLOWER"], "value": unfollows}]}]}


def test_follows_and_unfollows_without_the_breakdown_has_no_total_value(client):
    body = graph_get(client, IG, demo.ALICE_USER_TOKEN, metric="follows_and_unfollows", period="day",
                     metric_type="total_value").get_json()
    assert body["data"][0]["name"] == "follows_and_unfollows"
    assert "total_value" not in body["data"][0]


def test_follows_breakdown_shared_with_a_metric_without_it_fails(client):
    response = graph_get(client, IG, demo.ALICE_USER_TOKEN, metric="follows_and_unfollows,accounts_engaged",
                         period="day", metric_type="total_value", breakdown="follow_type")
    assert error_of(response) == {"message": "An unknown error has occurred.", "type": "OAuthException", "code": 1}


def test_breakdown_a_metric_does_not_have_fails(client):
    response = graph_get(client, IG, demo.ALICE_USER_TOKEN, metric="likes,replies", period="day",
                         metric_type="total_value", breakdown="media_product_type")
    assert error_of(response) == {"message": "An unknown error has occurred.", "type": "OAuthException", "code": 1}


def test_follows_and_unfollows_absent_under_100_followers(client):
    client.post(f"/_control/accounts/{demo.ALICE_INSTAGRAM_ID}", json={"followers_count": 99})
    body = graph_get(client, IG, demo.ALICE_USER_TOKEN, metric="follows_and_unfollows,reach", period="day",
                     metric_type="total_value").get_json()
    assert [entry["name"] for entry in body["data"]] == ["reach"]


def test_instagram_range_over_30_days_fails(client):
    response = graph_get(client, IG, demo.ALICE_USER_TOKEN, metric="reach", period="day", metric_type="total_value",
                         since=str(TODAY - 31 * 86400), until=str(TODAY))
    assert error_of(response)["message"] == (
        "(#100) There cannot be more than 30 days (2592000 s) between since and until")


def test_instagram_insights_need_instagram_manage_insights(client):
    client.post(f"/_control/users/{demo.ALICE_USER_ID}/permissions", json={"instagram_manage_insights": "declined"})
    response = graph_get(client, IG, demo.ALICE_USER_TOKEN, metric="reach", period="day")
    assert error_of(response)["code"] == 10
