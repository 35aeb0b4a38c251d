"""One small HTTP client for reviewkit's online look-ups (citation resolvers, ClinicalTrials.gov).

A :class:`Client` is a ``requests`` session with a user agent, a timeout on
every request and retries with exponential backoff on 429, 5xx and connection
errors (urllib3's ``Retry``, honouring ``Retry-After``).  Every failure becomes
a :class:`~reviewkit.errors.ReviewkitError` of the caller's class naming the
URL and what went wrong; nothing here is imported until a look-up starts.
"""

from __future__ import annotations

import threading
import time

from .errors import InputError, ReviewkitError

USER_AGENT = "reviewkit (https://pypi.org/project/reviewkit/)"
RETRY_STATUSES = (429, 500, 502, 503, 504)


class RateLimiter:
    """At most *rate* calls per second (shared by the threads of one client)."""

    def __init__(self, rate: float):
        self.interval = 1.0 / rate
        self.lock = threading.Lock()
        self.next = 0.0

    def wait(self) -> None:
        """Block until the next call is allowed."""
        with self.lock:
            now = time.monotonic()
            if now < self.next:
                time.sleep(self.next - now)
                now = self.next
            self.next = now + self.interval


class Client:
    """GET with a timeout, retries and reviewkit's error messages.

    *error* is the error class raised (``InputError`` for registry downloads,
    ``CitationError`` for identifier look-ups).
    """

    def __init__(self, *, timeout: float, retries: int, backoff: float, error: type[ReviewkitError] = InputError):
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry

        self.timeout = timeout
        self.error = error
        self.session = requests.Session()
        retry = Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            backoff_factor=backoff,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET"}),
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        self.session.mount("https://", HTTPAdapter(max_retries=retry))
        self.session.mount("http://", HTTPAdapter(max_retries=retry))
        self.session.headers["User-Agent"] = USER_AGENT

    def get(
        self,
        url: str,
        *,
        params: dict | None = None,
        headers: dict | None = None,
        what: str | None = None,
        not_found: str | None = None,
    ):
        """The ``requests.Response`` of a GET of *url*; an error of the client's class on failure.

        *what* is the error's source (e.g. ``pmid:123``); *not_found*, when given, is what an HTTP 404 means
        ("says the identifier does not exist").  Other HTTP errors quote the start of the answer's body.
        """
        import requests

        try:
            r = self.session.get(url, params=params, headers=headers, timeout=self.timeout)
        except requests.exceptions.ConnectionError as exc:
            raise self.error(f"cannot reach {url} ({type(exc).__name__}); are you online?", source=what) from None
        except requests.exceptions.RetryError as exc:
            raise self.error(f"{url} kept failing after retries: {exc}", source=what) from None
        except requests.exceptions.Timeout:
            raise self.error(f"{url} did not answer within {self.timeout:g} s", source=what) from None
        if r.status_code == 404 and not_found:
            raise self.error(f"{url} {not_found} (HTTP 404)", source=what)
        if r.status_code >= 400:
            retried = " after retries" if r.status_code in RETRY_STATUSES else ""
            body = " ".join(r.text[:200].split())
            raise self.error(
                f"{url} answered HTTP {r.status_code}{retried}" + (f": {body}" if body else ""), source=what
            )
        return r
