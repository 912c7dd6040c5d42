"""Development-only server for the reference UI: `python -m devstack.ui_server --host H --port P`.

Serves `ui/` as static files, the browser builds of the npm packages the UI uses under `/vendor/`,
`/config.json` (the public settings a browser needs: REST URL, anon key, webhook URL), and two
development helpers: a sign-in that mints a user JWT with the stack's local secret, and switches
for whom the fake Graph API's Login dialog and Instagram Login window sign in as (to see each
connect outcome).

None of this is part of the production service: a product serves the `ui/` files from its own
app and gets the user's JWT from its own Supabase Auth or Clerk session.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

import requests
from flask import Flask, abort, jsonify, request, send_from_directory

from devstack import keys
from devstack.fake_graph import demo

PROJECT_ROOT = Path(__file__).resolve().parent.parent
UI_DIR = PROJECT_ROOT / "ui"
NODE_MODULES = PROJECT_ROOT / "node_modules"

# Browser (UMD) builds, by the name the UI loads them under.
VENDOR_FILES = {
    "supabase.js": NODE_MODULES / "@supabase/supabase-js/dist/umd/supabase.js",
    "chart.js": NODE_MODULES / "chart.js/dist/chart.umd.min.js",
}

# The app's users that `supabase/seed.sql` gives accounts and insights: two businesses.
DEMO_USERS = [
    {"id": "user_demo_maya", "label": "Maya (Maya's Flowers)"},
    {"id": "user_demo_theo", "label": "Theo (Theo's Coffee Roasters)"},
]
# The fake Graph API's Meta users (`devstack/fake_graph/demo.py`), one per connect outcome. They are
# people on Facebook, not users of the app, and are named apart from DEMO_USERS.
FACEBOOK_LOGIN_USERS = [
    {"id": demo.ALICE_USER_ID, "label": "Meta user Alice: Page with a linked Instagram account"},
    {"id": demo.BOB_USER_ID, "label": "Meta user Bob: Page without Instagram"},
    {"id": demo.CAROL_USER_ID, "label": "Meta user Carol: declined Instagram permissions"},
    {"id": demo.ERIN_USER_ID, "label": "Meta user Erin: Pages of a Business portfolio"},
    {"id": demo.FRANK_USER_ID, "label": "Meta user Frank: data access ends in 3 days"},
]
# Whom the fake's Instagram Login window signs in as: Instagram accounts without a Facebook Page.
INSTAGRAM_LOGIN_ACCOUNTS = [
    {"id": demo.DANA_INSTAGRAM_ID, "label": "Instagram creator Dana (no Facebook Page)"},
    {"id": demo.PAT_INSTAGRAM_ID, "label": "Instagram user Pat (personal account)"},
]
# Any other id can sign in too (a fresh user with nothing connected); ids look like Clerk's or
# Supabase's, and the tests give every test its own.
USER_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")

PUBLIC_SETTINGS = {"supabaseUrl": "SUPABASE_URL", "supabaseAnonKey": "SUPABASE_ANON_KEY", "webhookUrl": "WEBHOOK_URL"}


def create_app(env: dict[str, str]) -> Flask:
    missing = [name for name in [*PUBLIC_SETTINGS.values(), "SUPABASE_JWT_SECRET", "GRAPH_API_BASE"] if not env.get(name)]
    if missing:
        raise SystemExit(f"ui_server: missing setting {', '.join(missing)}")
    config = {key: env[name].rstrip("/") for key, name in PUBLIC_SETTINGS.items()}
    jwt_secret = env["SUPABASE_JWT_SECRET"]
    fake_graph_control = f"{env['GRAPH_API_BASE'].rstrip('/')}/_control"

    app = Flask(__name__, static_folder=None)

    @app.get("/")
    def index():
        return send_from_directory(UI_DIR, "index.html")

    @app.get("/config.json")
    def public_config():
        return jsonify({**config, "dev": {"demoUsers": DEMO_USERS, "facebookLoginUsers": FACEBOOK_LOGIN_USERS,
                                          "instagramLoginAccounts": INSTAGRAM_LOGIN_ACCOUNTS}})

    @app.post("/dev/sign-in")
    def dev_sign_in():
        user_id = (request.get_json(silent=True) or {}).get("userId", "")
        if not isinstance(user_id, str) or not USER_ID_PATTERN.match(user_id):
            return jsonify({"error": "invalid_user_id", "message": "userId: letters, digits and _.:- only"}), 400
        return jsonify({"userId": user_id, "accessToken": keys.user_token(jwt_secret, user_id)})

    def dialog_user(choice: dict) -> dict:
        # The fake's dialog settings: keys left out are kept, so {} reads the current user.
        answer = requests.post(f"{fake_graph_control}/dialog", json=choice, timeout=10)
        answer.raise_for_status()
        return {"metaUserId": answer.json()["user_id"], "instagramAccountId": answer.json()["instagram_account_id"]}

    @app.get("/dev/facebook-login-user")
    @app.get("/dev/instagram-login-account")
    def dev_current_login_people():
        return jsonify(dialog_user({}))

    @app.post("/dev/facebook-login-user")
    def dev_facebook_login_user():
        meta_user_id = (request.get_json(silent=True) or {}).get("metaUserId")
        if meta_user_id not in {user["id"] for user in FACEBOOK_LOGIN_USERS}:
            return jsonify({"error": "unknown_user", "message": "metaUserId: one of the demo users"}), 400
        return jsonify(dialog_user({"user_id": meta_user_id}))

    @app.post("/dev/instagram-login-account")
    def dev_instagram_login_account():
        account_id = (request.get_json(silent=True) or {}).get("instagramAccountId")
        if account_id not in {account["id"] for account in INSTAGRAM_LOGIN_ACCOUNTS}:
            return jsonify({"error": "unknown_account", "message": "instagramAccountId: one of the demo accounts"}), 400
        return jsonify(dialog_user({"instagram_account_id": account_id}))

    @app.get("/favicon.ico")
    def favicon():
        # Browsers ask for /favicon.ico on their own; the page itself links the SVG.
        return send_from_directory(UI_DIR, "favicon.svg", mimetype="image/svg+xml")

    @app.get("/vendor/<name>")
    def vendor(name: str):
        path = VENDOR_FILES.get(name)
        if path is None:
            abort(404)
        if not path.exists():
            abort(500, f"{path} is missing: run `npm install`")
        return send_from_directory(path.parent, path.name)

    @app.get("/<path:path>")
    def static_file(path: str):
        return send_from_directory(UI_DIR, path)

    @app.after_request
    def no_stale_files(response):
        # A developer editing ui/ sees the change on reload.
        response.headers["Cache-Control"] = "no-store"
        return response

    return app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m devstack.ui_server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    app = create_app(dict(os.environ))
    app.run(host=args.host, port=args.port, threaded=True)


if __name__ == "__main__":
    main()
