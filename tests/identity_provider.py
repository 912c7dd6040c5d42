"""A third-party identity provider (Clerk, Auth0...) for tests: signing keys and their JWKS endpoint."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa


class IdentityProvider:
    """Publishes an RS256 key (`rsa-1`) and an ES256 key (`ec-1`) at `jwks_url`."""

    def __init__(self):
        self.keys = {
            "rsa-1": (rsa.generate_private_key(public_exponent=65537, key_size=2048), "RS256"),
            "ec-1": (ec.generate_private_key(ec.SECP256R1()), "ES256"),
        }
        published = []
        for kid, (private_key, algorithm) in self.keys.items():
            family = jwt.algorithms.RSAAlgorithm if algorithm == "RS256" else jwt.algorithms.ECAlgorithm
            published.append({**family.to_jwk(private_key.public_key(), as_dict=True),
                              "kid": kid, "alg": algorithm, "use": "sig"})
        document = json.dumps({"keys": published}).encode()

        class JwksHandler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(document)))
                self.end_headers()
                self.wfile.write(document)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), JwksHandler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.jwks_url = f"http://127.0.0.1:{self._server.server_port}/.well-known/jwks.json"

    def sign(self, claims: dict, kid: str = "rsa-1") -> str:
        """Signs with the key named `kid`, naming it in the header as identity providers do."""
        private_key, algorithm = self.keys[kid]
        return jwt.encode(claims, private_key, algorithm=algorithm, headers={"kid": kid})

    def close(self) -> None:
        self._server.shutdown()
