"""Meta's Deauthorize and Data Deletion callbacks, and the deletion status URL Meta requires."""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for

from webhook_service.errors import ApiError
from webhook_service.meta_callbacks import deauthorize, delete_data
from webhook_service.platforms import FACEBOOK_LOGIN, INSTAGRAM_LOGIN
from webhook_service.services import services

blueprint = Blueprint("meta", __name__, url_prefix="/meta")


# Facebook Login's callbacks, and Instagram Login's under /meta/instagram/ (signed with the
# Instagram app's secret; set these URLs in the app dashboard's Instagram Login settings).
@blueprint.post("/deauthorize", defaults={"login": FACEBOOK_LOGIN})
@blueprint.post("/instagram/deauthorize", defaults={"login": INSTAGRAM_LOGIN})
def deauthorize_callback(login: str):
    deactivated = deauthorize(services(), request.form.get("signed_request"), login)
    return jsonify(success=True, deactivated=deactivated)


@blueprint.post("/data-deletion", defaults={"login": FACEBOOK_LOGIN})
@blueprint.post("/instagram/data-deletion", defaults={"login": INSTAGRAM_LOGIN})
def data_deletion_callback(login: str):
    code = delete_data(services(), request.form.get("signed_request"), login)["confirmation_code"]
    return jsonify(url=status_url(code), confirmation_code=code)


@blueprint.get("/data-deletion/<code>")
def data_deletion_status(code: str):
    status = services().store.data_deletion_status(code)
    if status is None:
        raise ApiError(404, "not_found", "No data deletion request has this confirmation code.")
    return jsonify(confirmation_code=code, status=status["status"],
                   requested_at=status["requested_at"], completed_at=status["completed_at"])


def status_url(code: str) -> str:
    path = url_for(".data_deletion_status", code=code)
    public_url = services().config.public_url
    # Behind a proxy the request's own host may be internal; PUBLIC_URL names the outside one.
    return f"{public_url}{path}" if public_url else url_for(".data_deletion_status", code=code, _external=True)
