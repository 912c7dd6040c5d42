"""PostgREST's claim rules that the HTTP tests cannot reach with the default configuration."""

from __future__ import annotations

import pytest

from devstack.rest import errors
from devstack.rest.auth import check_claims

NOW = 1_800_000_000


@pytest.mark.parametrize("claims, audience, message", [
    ({"aud": "other"}, "authenticated", "JWT not in audience"),
    ({"aud": ["a", "b"]}, "authenticated", "JWT not in audience"),
    ({"aud": 5}, None, "The JWT 'aud' claim must be a string or an array of strings"),
    ({"exp": "soon"}, None, "The JWT 'exp' claim must be a number"),
    ({"nbf": NOW + 60}, None, "JWT not yet valid"),
    ({"iat": NOW + 60}, None, "JWT issued at future"),
    ({"exp": NOW - 31}, None, "JWT expired"),
])
def test_rejected_claims(claims, audience, message):
    with pytest.raises(errors.ApiError) as raised:
        check_claims(claims, NOW, audience)
    assert (raised.value.status, raised.value.code, raised.value.message) == (401, "PGRST303", message)


@pytest.mark.parametrize("claims, audience", [
    ({"aud": "authenticated"}, "authenticated"),
    ({"aud": ["x", "authenticated"]}, "authenticated"),
    ({"aud": []}, "authenticated"),
    ({"aud": "anything"}, None),
    ({"exp": NOW - 29, "nbf": NOW + 29, "iat": NOW + 29}, None),
])
def test_accepted_claims(claims, audience):
    check_claims(claims, NOW, audience)
