"""The one HTTP client the registry fetchers use: httpx with tenacity retries.

- timeouts on connect and read; the body streamed and refused past a size limit;
- retries with exponential backoff and jitter on transport errors, 429 and 502/503/504,
  honouring Retry-After, bounded both in attempts and in the longest wait (a registry
  that asks us to come back in an hour fails this run instead of stalling it);
- a pace: at least ``pace`` seconds between two requests of one client;
- a User-Agent naming CarbonScope and where to reach its operators;
- the silent failures registries answer with 200 caught: an HTML page where data was
  expected, a body cut short, JSON that does not parse.

Every failure is a FetchError whose message says exactly what was seen. No Flask.
"""

from __future__ import annotations

import email.utils
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

from app.etl.errors import SourceError

RETRY_STATUSES = (429, 502, 503, 504)
_TITLE_LIMIT = 120


class FetchError(SourceError):
    """A registry's endpoint did not give what a complete fetch needs; says what it saw."""


class _Retryable(Exception):
    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class HttpSettings:
    user_agent: str
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_bytes: int = 512 * 1024 * 1024
    attempts: int = 5
    backoff: float = 2.0  # first wait; doubles each attempt, with jitter
    max_wait: float = 300.0  # no single wait longer than this, Retry-After included
    pace: float = 1.0  # seconds between two requests


def user_agent(version: str, contact_url: str | None, browser: bool = False) -> str:
    """'CarbonScope/1.2 (+https://…/contact)'; a browser-like form for sites that refuse
    other agents (Gold Standard's Cloudflare), still naming CarbonScope."""
    ours = f"CarbonScope/{version}" + (f" (+{contact_url})" if contact_url else "")
    if browser:
        return f"Mozilla/5.0 (compatible; {ours})"
    return ours


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: '120' or an HTTP date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


@dataclass
class Reply:
    """A complete response: status, headers and the whole body (within the size limit)."""

    url: str
    status: int
    headers: httpx.Headers
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError as error:
            raise FetchError(
                f"{self.url}: the body is not complete JSON ({len(self.body):,} bytes; "
                f"{error}): truncated?"
            ) from error

    def looks_like_html(self) -> bool:
        kind = self.headers.get("content-type", "").lower()
        head = self.body[:512].lstrip().lower()
        return "text/html" in kind or head.startswith((b"<!doctype html", b"<html"))

    def page_title(self) -> str:
        text = self.text
        start = text.lower().find("<title>")
        if start < 0:
            return text[:_TITLE_LIMIT].strip()
        end = text.lower().find("</title>", start)
        return text[start + 7 : end if end > 0 else start + 7 + _TITLE_LIMIT].strip()


class RegistryClient:
    """One registry's HTTP session (cookies kept, e.g. CAR's report session)."""

    def __init__(self, settings: HttpSettings, *, headers: dict | None = None, sleep=time.sleep):
        self.settings = settings
        self._sleep = sleep
        self._last = 0.0
        self.requests = 0
        self.http = httpx.Client(
            timeout=httpx.Timeout(
                settings.read_timeout, connect=settings.connect_timeout, pool=settings.read_timeout
            ),
            headers={"User-Agent": settings.user_agent, **(headers or {})},
            follow_redirects=True,
        )

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.http.close()

    def request(self, method: str, url: str, *, expect: str = "json", **kwargs) -> Reply:
        """The reply to one request, retried as the class says; ``expect`` 'json', 'csv'
        or 'html': an HTML page is refused unless asked for."""
        retrying = Retrying(
            stop=stop_after_attempt(self.settings.attempts),
            wait=self._wait,
            retry=retry_if_exception_type(_Retryable),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    reply = self._once(method, url, **kwargs)
        except _Retryable as error:
            raise FetchError(
                f"{error} (gave up after {self.settings.attempts} attempts)"
            ) from error
        if reply.status >= 400:
            raise FetchError(f"{method} {url}: HTTP {reply.status} {_snippet(reply)}")
        if expect != "html" and reply.looks_like_html():
            raise FetchError(
                f"{method} {url}: answered an HTML page with {reply.status} where "
                f"{expect.upper()} was expected (page: {reply.page_title()!r})"
            )
        return reply

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _Retryable) and error.retry_after is not None:
            if error.retry_after > self.settings.max_wait:
                # Waiting an hour inside a sync helps no one: fail now, say when to come back.
                raise FetchError(
                    f"{error}: the registry asks to retry after {error.retry_after:.0f} s, "
                    f"longer than the {self.settings.max_wait:.0f} s this run waits"
                ) from error
            return error.retry_after
        backoff = wait_exponential_jitter(
            multiplier=self.settings.backoff,
            max=self.settings.max_wait,
            jitter=self.settings.backoff,
        )
        return backoff(state)

    def _pace(self) -> None:
        if self.settings.pace <= 0:
            return
        gap = time.monotonic() - self._last
        if self._last and gap < self.settings.pace:
            self._sleep(self.settings.pace - gap)

    def _once(self, method: str, url: str, **kwargs) -> Reply:
        self._pace()
        self._last = time.monotonic()
        self.requests += 1
        try:
            with self.http.stream(method, url, **kwargs) as response:
                if response.status_code in RETRY_STATUSES:
                    response.read()
                    raise _Retryable(
                        f"{method} {url}: HTTP {response.status_code}",
                        retry_after_seconds(response.headers.get("Retry-After")),
                    )
                body = self._read_limited(response, url)
                return Reply(str(response.url), response.status_code, response.headers, body)
        except httpx.TimeoutException as error:
            raise _Retryable(f"{method} {url}: timed out ({type(error).__name__})") from error
        except httpx.TransportError as error:
            # A body cut short (fewer bytes than Content-Length) lands here too.
            raise _Retryable(f"{method} {url}: connection broke off ({error})") from error

    def _read_limited(self, response: httpx.Response, url: str) -> bytes:
        limit = self.settings.max_bytes
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise FetchError(f"{url}: {int(declared):,} bytes is over the {limit:,} byte limit")
        chunks, received = [], 0
        for chunk in response.iter_bytes():
            received += len(chunk)
            if received > limit:
                raise FetchError(f"{url}: more than the {limit:,} byte limit")
            chunks.append(chunk)
        return b"".join(chunks)


def _snippet(reply: Reply) -> str:
    if reply.looks_like_html():
        return f"(page: {reply.page_title()!r})"
    return repr(reply.text[:_TITLE_LIMIT].strip())
