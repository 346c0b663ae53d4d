"""The benchmarks' HTTP client: one browser's keep-alive connection and cookie jar, signing in
through the login form (CSRF and all) like a person would; and the percentile they report."""

from __future__ import annotations

import http.client
import http.cookies
import re
import socket
import urllib.parse
from collections.abc import Mapping, Sequence

Form = Sequence[tuple[str, str]] | Mapping[str, str]


class Session:
    """One browser: a keep-alive connection and a cookie jar."""

    def __init__(self, port: int, timeout: float = 60) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def request(self, method: str, path: str, body: Form | None = None) -> tuple[int, str, str]:
        """Status, body and Location of one request (redirects are not followed)."""
        headers = {"Host": "127.0.0.1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):  # the server closed a kept-alive connection
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar = http.cookies.SimpleCookie(header)
            for key, morsel in jar.items():
                self.cookies[key] = morsel.value
        text = response.read().decode("utf-8", "replace")
        return response.status, text, response.headers.get("Location", "")

    @staticmethod
    def csrf(page: str) -> str:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            raise AssertionError("no CSRF token in the page")
        return token.group(1)

    def login(self, username: str, password: str, totp_code: str | None = None) -> None:
        """Sign in through the form, then give the second factor when the account has one."""
        _, page, _ = self.request("GET", "/accounts/login/")
        form = [("csrfmiddlewaretoken", self.csrf(page)), ("username", username)]
        status, _, _ = self.request("POST", "/accounts/login/", [*form, ("password", password)])
        if status != 302:
            raise AssertionError(f"login of {username} answered {status}")
        if totp_code:
            _, page, _ = self.request("GET", "/accounts/two-factor/")
            status, _, _ = self.request(
                "POST",
                "/accounts/two-factor/",
                [("csrfmiddlewaretoken", self.csrf(page)), ("token", totp_code)],
            )
            if status != 302:
                raise AssertionError(f"second factor of {username} answered {status}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], pct: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]
