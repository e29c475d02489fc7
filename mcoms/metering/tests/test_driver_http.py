"""The vendor-cloud HTTP adapter against a fake server on loopback
(http.server in a thread): the request it makes (path, JSON body, auth
header), success, 5xx and 429 (retry), 4xx and a "failure" answer (fail),
timeouts and an unreachable server (retry), interval reads; and a command
dispatched end to end through it."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from mcoms.metering.control import command_dispatch, command_request
from mcoms.metering.drivers import DriverCommand, DriverError, driver_for
from mcoms.metering.drivers.http import HttpDriver
from mcoms.metering.models import Meter
from mcoms.metering.tests.control_kit import installed
from tests.builders import World

API_KEY = "secret-key-1"


class Vendor:
    """What the fake cloud answers next, and what it was asked."""

    def __init__(self) -> None:
        self.status = 200
        self.body: Any = {"status": "success", "id": "v-1"}
        self.delay = 0.0
        self.requests: list[dict[str, Any]] = []


class Handler(BaseHTTPRequestHandler):
    vendor: Vendor

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        self.vendor.requests.append(
            {
                "method": self.command,
                "path": self.path,
                "auth": self.headers.get("Authentication-Token"),
                "type": self.headers.get("Content-Type"),
                "body": json.loads(raw) if raw else None,
            }
        )
        if self.vendor.delay:
            time.sleep(self.vendor.delay)
        body = self.vendor.body
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        try:
            self.send_response(self.vendor.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up
            return

    do_GET = do_POST = _answer  # noqa: N815 (http.server names)

    def log_message(self, *args: Any) -> None:  # quiet
        return


@pytest.fixture
def vendor() -> Iterator[tuple[Vendor, str]]:
    state = Vendor()
    handler = type("H", (Handler,), {"vendor": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/api/v1"
    finally:
        server.shutdown()
        server.server_close()


def driver(url: str, timeout: float = 2.0) -> HttpDriver:
    return HttpDriver(base_url=url, api_key=API_KEY, timeout=timeout)


COMMAND = DriverCommand(
    reference="mcoms-7", serial="SM 1", action="set_limit", params={"limit_w": 60}
)


def test_a_command_is_posted_with_the_key_and_acknowledged(vendor) -> None:
    state, url = vendor
    outcome = driver(url).send(COMMAND)
    assert (outcome.ok, outcome.ref) == (True, "v-1")
    assert state.requests == [
        {
            "method": "POST",
            "path": "/api/v1/meters/SM%201/commands",
            "auth": API_KEY,
            "type": "application/json",
            "body": {
                "command": "set_limit",
                "parameters": {"limit_w": 60},
                "reference": "mcoms-7",
            },
        }
    ]


@pytest.mark.parametrize("status", [500, 502, 503, 429, 408])
def test_server_errors_and_throttling_are_retried(vendor, status: int) -> None:
    state, url = vendor
    state.status, state.body = status, {"error": "busy"}
    outcome = driver(url).send(COMMAND)
    assert (outcome.ok, outcome.retry) == (False, True)
    assert outcome.error == f"HTTP {status}: busy"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_client_errors_fail_at_once(vendor, status: int) -> None:
    state, url = vendor
    state.status, state.body = status, {"error": "unknown meter"}
    outcome = driver(url).send(COMMAND)
    assert (outcome.ok, outcome.retry) == (False, False)
    assert outcome.error == f"HTTP {status}: unknown meter"


def test_a_failure_answer_with_200_fails(vendor) -> None:
    state, url = vendor
    state.body = {"status": "failure", "error": "meter offline for good"}
    outcome = driver(url).send(COMMAND)
    assert (outcome.ok, outcome.retry) == (False, False)
    assert "meter offline for good" in outcome.error


def test_an_answer_that_is_not_json_is_retried(vendor) -> None:
    state, url = vendor
    state.body = b"<html>gateway</html>"
    outcome = driver(url).send(COMMAND)
    assert (outcome.ok, outcome.retry) == (False, True)


def test_a_slow_vendor_times_out_and_is_retried(vendor) -> None:
    state, url = vendor
    state.delay = 1.0
    started = time.monotonic()
    outcome = driver(url, timeout=0.2).send(COMMAND)
    assert time.monotonic() - started < 0.9
    assert (outcome.ok, outcome.retry, outcome.error) == (False, True, "timeout")


def test_an_unreachable_vendor_is_retried() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    outcome = driver(f"http://127.0.0.1:{port}").send(COMMAND)
    assert (outcome.ok, outcome.retry) == (False, True)
    assert outcome.error.startswith("unreachable")


def test_no_url_configured_fails(settings) -> None:
    settings.SPARKMETER_BASE_URL = ""
    outcome = HttpDriver().send(COMMAND)
    assert (outcome.ok, outcome.retry) == (False, False)


def test_interval_readings_are_read(world: World, vendor) -> None:
    state, url = vendor
    meter = installed(world.customers["BHKATS"], "SM-R", driver="sparkmeter")
    state.body = {
        "readings": [
            {"timestamp": "2026-05-01T00:15:00+00:00", "kwh": "10.125"},
            {"timestamp": "2026-05-01T00:30:00+00:00", "kwh": "10.250"},
        ]
    }
    start = datetime(2026, 5, 1, tzinfo=UTC)
    end = datetime(2026, 5, 1, 0, 30, tzinfo=UTC)
    points = driver(url).read_intervals(meter, start, end)
    assert [(p.at.minute, p.kwh) for p in points] == [
        (15, Decimal("10.125")),
        (30, Decimal("10.250")),
    ]
    path = state.requests[0]["path"]
    assert path.startswith("/api/v1/meters/SM-R/readings?from=2026-05-01T00")


@pytest.mark.parametrize(
    ("status", "body", "retry"),
    [
        (503, {"error": "down"}, True),
        (404, {"error": "no meter"}, False),
        (200, {"readings": [{"timestamp": "yesterday", "kwh": "1"}]}, False),
        (
            200,
            {"readings": [{"timestamp": "2026-05-01T00:15:00+00:00", "kwh": "-1"}]},
            False,
        ),
    ],
)
def test_a_failed_read_says_whether_to_retry(
    world: World, vendor, status: int, body: Any, retry: bool
) -> None:
    state, url = vendor
    state.status, state.body = status, body
    meter = installed(world.customers["BHKATS"], "SM-R", driver="sparkmeter")
    start = datetime(2026, 5, 1, tzinfo=UTC)
    with pytest.raises(DriverError) as err:
        driver(url).read_intervals(meter, start, start)
    assert err.value.retry is retry


def test_a_command_dispatched_through_the_vendor(
    world: World, vendor, settings
) -> None:
    state, url = vendor
    settings.SPARKMETER_BASE_URL, settings.SPARKMETER_API_KEY = url, API_KEY
    assert isinstance(driver_for("sparkmeter"), HttpDriver)
    meter = installed(world.customers["BHKATS"], "SM-V", driver="sparkmeter")
    command, _ = command_request(target=meter, action="off", key="k", by=None)
    state.status, state.body = 503, {"error": "busy"}
    assert command_dispatch(command_id=command.pk) == "queued"
    state.status, state.body = 200, {"status": "accepted", "id": "job-9"}
    command.refresh_from_db()
    assert command_dispatch(command_id=command.pk, now=command.next_attempt_at) == (
        "acknowledged"
    )
    assert Meter.objects.get(pk=meter.pk).switch_state == "off"
    assert command.events.last().note == "ref job-9"
    assert [r["body"]["reference"] for r in state.requests] == [
        f"mcoms-{command.pk}"
    ] * 2
