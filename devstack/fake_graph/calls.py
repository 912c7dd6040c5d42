"""One Graph call as the fake sees it (from HTTP or from a batch item), and its reply."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

JSON_CONTENT_TYPE = "application/json; charset=UTF-8"


@dataclass
class GraphCall:
    method: str
    path: str                        # without version prefix and slashes around, e.g. "me/accounts"
    params: dict[str, str]           # as sent (paging links repeat them)
    token: str | None
    appsecret_proof: str | None
    base_url: str                    # where paging links point, e.g. "http://127.0.0.1:8123/v25.0/"

    @property
    def origin(self) -> str:
        """Scheme and host the call came to, e.g. "http://127.0.0.1:8123"."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def segments(self) -> list[str]:
        return [segment for segment in self.path.split("/") if segment]

    def link(self, drop: tuple[str, ...] = (), **overrides) -> str:
        """This call's URL with some parameters replaced or dropped (for `paging`)."""
        query = {key: value for key, value in self.params.items() if key not in drop}
        query.update({key: str(value) for key, value in overrides.items()})
        return f"{self.base_url}{self.path}?{urlencode(query)}"


def base_url(origin: str, version: str | None) -> str:
    return f"{origin}/{version}/" if version else f"{origin}/"


@dataclass
class Reply:
    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload, headers: dict[str, str] | None = None) -> Reply:
        body = json.dumps(payload, separators=(",", ":"))
        return cls(status, body, {"Content-Type": JSON_CONTENT_TYPE, **(headers or {})})

    def add_headers(self, headers: dict[str, str], *, override: bool) -> None:
        present = {name.lower(): name for name in self.headers}
        for name, value in headers.items():
            existing = present.get(name.lower())
            if existing is None:
                self.headers[name] = value
            elif override:
                del self.headers[existing]
                self.headers[name] = value
