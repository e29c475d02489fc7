"""A vendor cloud's HTTP JSON API (SparkMeter style) behind the driver port.

* ``POST {base}/meters/{serial}/commands`` with
  ``{"command": "off", "parameters": {...}, "reference": "mcoms-42"}``;
  a 2xx answer whose ``status`` is ``success``, ``accepted`` or ``ok`` is an
  acknowledgement (``id`` is kept as the vendor's reference).
* ``GET {base}/meters/{serial}/readings?from=...&to=...`` answers
  ``{"readings": [{"timestamp": ISO 8601, "kwh": "12.345"}, ...]}``.

Every request carries the API key in a header (``Authentication-Token`` by
default) and a timeout. Errors map to the port's outcomes: a timeout, a
connection failure, 408, 429 and 5xx may succeed later (retry); other 4xx
and a 2xx that says ``failure`` are refusals (fail at once).

Settings: ``SPARKMETER_BASE_URL``, ``SPARKMETER_API_KEY``,
``SPARKMETER_TIMEOUT`` (seconds), ``SPARKMETER_AUTH_HEADER``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils.dateparse import parse_datetime

from mcoms.metering.drivers import DriverCommand, DriverError, IntervalPoint, Outcome
from mcoms.metering.models import Meter

MAX_BODY = 1024 * 1024
RETRY_STATUSES = frozenset({408, 425, 429})
OK_STATUSES = frozenset({"success", "accepted", "ok", "queued"})


class _Failed(Exception):
    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


class HttpDriver:
    def __init__(
        self,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float | None = None,
        auth_header: str | None = None,
    ) -> None:
        base = base_url if base_url is not None else settings.SPARKMETER_BASE_URL
        self.base_url = base.rstrip("/")
        self.api_key = api_key if api_key is not None else settings.SPARKMETER_API_KEY
        self.timeout = timeout if timeout is not None else settings.SPARKMETER_TIMEOUT
        self.auth_header = auth_header or settings.SPARKMETER_AUTH_HEADER

    # --- the port ------------------------------------------------------------------
    def send(self, command: DriverCommand) -> Outcome:
        body = {
            "command": command.action,
            "parameters": command.params,
            "reference": command.reference,
        }
        path = f"/meters/{urllib.parse.quote(command.serial, safe='')}/commands"
        try:
            answer = self._call("POST", path, body)
        except _Failed as exc:
            if exc.retry:
                return Outcome.retryable(str(exc))
            return Outcome.refused(str(exc))
        status = str(answer.get("status", "")).lower()
        if status not in OK_STATUSES:
            error = answer.get("error") or answer.get("message") or status or "?"
            return Outcome.refused(f"refused by the vendor: {error!s:.200}")
        return Outcome.acknowledged(ref=str(answer.get("id", ""))[:100])

    def read_intervals(
        self, meter: Meter, start: datetime, end: datetime
    ) -> list[IntervalPoint]:
        window = {"from": start.isoformat(), "to": end.isoformat()}
        query = urllib.parse.urlencode(window)
        serial = urllib.parse.quote(meter.serial, safe="")
        try:
            answer = self._call("GET", f"/meters/{serial}/readings?{query}", None)
        except _Failed as exc:
            raise DriverError(str(exc), retry=exc.retry) from exc
        try:
            return [_point(row) for row in answer.get("readings", [])]
        except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
            raise DriverError(f"malformed readings: {exc!s:.100}", retry=False) from exc

    # --- one request ---------------------------------------------------------------
    def _call(self, method: str, path: str, body: Any) -> dict[str, Any]:
        url = self.base_url + path
        if not url.startswith(("http://", "https://")):
            raise _Failed("the vendor URL is not configured", retry=False)
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)  # noqa: S310
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.api_key:
            request.add_header(self.auth_header, self.api_key)
        try:
            # The scheme is checked above: http(s) only.
            with urllib.request.urlopen(request, timeout=self.timeout) as resp:  # noqa: S310
                raw = resp.read(MAX_BODY)
        except urllib.error.HTTPError as exc:
            raise _http_failure(exc) from exc
        except TimeoutError as exc:
            raise _Failed("timeout", retry=True) from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise _Failed("timeout", retry=True) from exc
            raise _Failed(f"unreachable: {exc.reason!s:.100}", retry=True) from exc
        except OSError as exc:
            raise _Failed(f"connection failed: {exc!s:.100}", retry=True) from exc
        try:
            answer = json.loads(raw or b"{}")
        except ValueError as exc:
            raise _Failed("the vendor answered with no JSON", retry=True) from exc
        if not isinstance(answer, dict):
            raise _Failed("the vendor answered with no JSON object", retry=True)
        return answer


def _http_failure(exc: urllib.error.HTTPError) -> _Failed:
    try:
        detail = exc.read(2000).decode("utf-8", "replace")
        parsed = json.loads(detail)
        if isinstance(parsed, dict):
            detail = str(parsed.get("error") or parsed.get("message") or detail)
    except (OSError, ValueError):
        detail = ""
    retry = exc.code >= 500 or exc.code in RETRY_STATUSES
    return _Failed(f"HTTP {exc.code}: {detail:.200}".rstrip(": "), retry=retry)


def _point(row: dict[str, Any]) -> IntervalPoint:
    at = parse_datetime(str(row["timestamp"]))
    if at is None or at.tzinfo is None:
        raise ValueError(f"bad timestamp {row['timestamp']!r:.40}")
    kwh = Decimal(str(row["kwh"]))
    if not kwh.is_finite() or kwh < 0:
        raise ValueError(f"bad kWh {row['kwh']!r:.40}")
    return IntervalPoint(at=at, kwh=kwh)
