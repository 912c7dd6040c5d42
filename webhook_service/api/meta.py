"""Meta's Deauthorize and Data Deletion callbacks, and the deletion status URL Meta requires."""

from __future__ import annotations

from flask import jsonify, request, url_for
from flask_openapi3 import APIBlueprint

from webhook_service.api.models import (
    INSTAGRAM_LOGIN_UNAVAILABLE,
    PUBLIC,
    Deauthorized,
    DeletionCodePath,
    DeletionRequested,
    DeletionStatus,
    SignedRequestForm,
    error_response,
    request_body,
)
from webhook_service.errors import ApiError
from webhook_service.meta_callbacks import deauthorize, delete_data
from webhook_service.platforms import FACEBOOK_LOGIN, INSTAGRAM_LOGIN
from webhook_service.services import services

blueprint = APIBlueprint("meta", __name__, url_prefix="/meta")

# Read by the routes from request.form: flask-openapi3's form parsing JSON-decodes each value, so a
# signed_request of digits would be refused as a number instead of as a bad signature.
SIGNED_REQUEST = request_body(SignedRequestForm, "application/x-www-form-urlencoded", required=True)
BAD_SIGNATURE = error_response("Missing or wrongly signed signed_request (`invalid_signed_request`).")


# Facebook Login's callbacks, and Instagram Login's under /meta/instagram/ (signed with the
# Instagram app's secret; set these URLs in the app dashboard's Instagram Login settings).
@blueprint.post("/deauthorize", security=PUBLIC, openapi_extensions=SIGNED_REQUEST,
                responses={200: Deauthorized, 400: BAD_SIGNATURE})
def deauthorize_callback():
    """Meta: the person removed the app. Their accounts are deactivated and their tokens erased."""
    return _deauthorize(FACEBOOK_LOGIN)


@blueprint.post("/instagram/deauthorize", security=PUBLIC, openapi_extensions=SIGNED_REQUEST,
                responses={200: Deauthorized, 400: BAD_SIGNATURE, 404: INSTAGRAM_LOGIN_UNAVAILABLE})
def instagram_deauthorize_callback():
    """Instagram Login: the person removed the app. Their Instagram Login accounts are deactivated and their
    tokens erased."""
    return _deauthorize(INSTAGRAM_LOGIN)


@blueprint.post("/data-deletion", security=PUBLIC, openapi_extensions=SIGNED_REQUEST,
                responses={200: DeletionRequested, 400: BAD_SIGNATURE})
def data_deletion_callback():
    """Meta: the person asked for their data to be deleted. Their accounts, tokens and insights go."""
    return _delete_data(FACEBOOK_LOGIN)


@blueprint.post("/instagram/data-deletion", security=PUBLIC, openapi_extensions=SIGNED_REQUEST,
                responses={200: DeletionRequested, 400: BAD_SIGNATURE, 404: INSTAGRAM_LOGIN_UNAVAILABLE})
def instagram_data_deletion_callback():
    """Instagram Login: the person asked for their data to be deleted. Their Instagram Login accounts, tokens
    and insights go."""
    return _delete_data(INSTAGRAM_LOGIN)


def _deauthorize(login: str):
    deactivated = deauthorize(services(), request.form.get("signed_request"), login)
    return jsonify(success=True, deactivated=deactivated)


def _delete_data(login: str):
    code = delete_data(services(), request.form.get("signed_request"), login)["confirmation_code"]
    return jsonify(url=status_url(code), confirmation_code=code)


@blueprint.get("/data-deletion/<code>", security=PUBLIC,
               responses={200: DeletionStatus, 404: error_response("No such request (`not_found`).")})
def data_deletion_status(path: DeletionCodePath):
    """Status of a data deletion request."""
    status = services().store.data_deletion_status(path.code)
    if status is None:
        raise ApiError(404, "not_found", "No data deletion request has this confirmation code.")
    return jsonify(confirmation_code=path.code, status=status["status"],
                   requested_at=status["requested_at"], completed_at=status["completed_at"])


def status_url(code: str) -> str:
    path = url_for(".data_deletion_status", code=code)
    public_url = services().config.public_url
    # Behind a proxy the request's own host may be internal; PUBLIC_URL names the outside one.
    return f"{public_url}{path}" if public_url else url_for(".data_deletion_status", code=code, _external=True)
