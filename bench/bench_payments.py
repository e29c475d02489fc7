"""Posting a payment through the API against a real server process.

* ``payment_api_p95`` (ms): the 95th percentile latency of ``POST
  /api/v1/payments/`` (a cash payment with its ``Idempotency-Key``, through
  token auth, the scope check, ``payment_take_cash`` with its journal, its
  allocations and, when the receipts app is installed, its receipt made in the
  payment's transaction; the credit-limit review after commit) with 50
  concurrent clients on loopback. A bounded load test: a fixed number of
  requests (2,000; 400 with --quick) spread over 50 client threads, each
  posting one after another; each client is its own CSA (its own cash in
  hand) and pays for the customers of its plant (200 customers, 4 plants).
  Budget: 100 ms. Baseline: the same server's ``/healthz`` (one ``SELECT 1``)
  under the same load, measured in the same run.
* ``payment_api_p50`` (ms): the median, beside the baseline's median.

``BENCH_PAYMENT_CLIENTS`` changes the number of clients (50) for experiments,
e.g. 1 for the latency of a payment without queueing.

The server is ``manage.py runserver --noreload`` (Django's threaded WSGI
server, one thread per connection; no other WSGI server is in the
requirements), with the task backend set to the database (the receipt's SMS
is queued for a worker, as in production). Its database is a fresh temporary
PostgreSQL database when ``BENCH_DATABASE_URL`` (or the caller's
``DATABASE_URL``) is a PostgreSQL URL, else the bench's temporary SQLite file;
under 50 concurrent writers SQLite's busy handler starves some of them past
its 20 s timeout ("database is locked", a 500), which the stderr line counts.
Every payment is checked afterwards: at least as many payments as 201 answers
and at most one per request, every journal balanced.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = int(os.environ.get("BENCH_PAYMENT_CLIENTS", "50"))
CUSTOMERS = 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _setup() -> list[tuple[str, list[str]]]:
    """The test world's company; 200 customers over its 4 plants with a bill
    each; 50 CSAs (one per client) over the same plants, each with an API
    token: per client, the token and the customer IDs it may collect from."""
    from rest_framework.authtoken.models import Token

    from mcoms.customers.services import customer_create
    from mcoms.ledger import services as ledger
    from mcoms.org import services as org
    from mcoms.org.models import Designation, Pole
    from tests.builders import build_world

    world = build_world()
    plants = list(world.plants.values())
    per_plant: dict[str, list[str]] = {p.key: [] for p in plants}
    for n in range(CUSTOMERS):
        plant = plants[n % len(plants)]
        poles = list(Pole.objects.filter(plant=plant).order_by("number"))
        customer = customer_create(
            pole=poles[n // len(plants) % len(poles)],
            name=f"Bench {n}",
            phone=f"+9197{n:08d}",
            by=None,
        )
        revenue = ledger.account_for_plant_revenue(plant=plant, service="CHG")
        receivable = ledger.account_for_customer(
            company=world.company,
            customer_id=customer.customer_id,
            plant=plant,
            service="CHG",
        )
        ledger.journal_post(
            company=world.company,
            idempotency_key=f"bench-bill:{customer.customer_id}",
            kind="bill",
            lines=[(receivable, Decimal("900.00")), (revenue, Decimal("-900.00"))],
        )
        per_plant[plant.key].append(customer.customer_id)
    clients = []
    for n in range(CLIENTS):
        plant = plants[n % len(plants)]
        staff = org.staff_create(
            username=f"bench_csa_{n}",
            password="bench-pass-1234",  # noqa: S106
            first_name=f"Agent {n}",
            designation=Designation.CSA,
            scope=plant,
            by=None,
        )
        token = Token.objects.create(user=staff.user).key
        clients.append((token, per_plant[plant.key]))
    connection.close()
    return clients


def setup_json() -> None:
    """For ``manage.py shell -c``: set up and print the clients as JSON."""
    print(json.dumps(_setup()))


def check_json() -> None:
    """For ``manage.py shell -c``: the payments and unbalanced journals."""
    from mcoms.ledger.selectors import journals_unbalanced
    from mcoms.payments.models import Payment

    print(
        json.dumps(
            {
                "payments": Payment.objects.count(),
                "unbalanced": journals_unbalanced().count(),
            }
        )
    )


def _env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "TASKS_BACKEND": "database",
        "SMS_BACKEND": "locmem",
        "THROTTLE_USER": "1000000/min",
        "THROTTLE_ANON": "1000000/min",
        "DEBUG": "true",
    }


def _manage(url: str, *args: str) -> str:
    done = subprocess.run(  # noqa: S603 (our own manage.py)
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=_env(url),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def _serve(port: int, url: str) -> subprocess.Popen[bytes]:
    env = _env(url)
    server = subprocess.Popen(  # noqa: S603 (our own manage.py)
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "runserver",
            "--noreload",
            "--skip-checks",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(os.environ.get("BENCH_SERVER_LOG", os.devnull), "ab"),  # noqa: SIM115
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not start")


def _load(port: int, total: int, request: Any) -> tuple[list[float], dict[int, int]]:
    """``total`` requests over CLIENTS threads; latencies in ms, status counts."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    counter = iter(range(total))
    start = threading.Barrier(CLIENTS)

    def client(me: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.connect()  # connect before the start: time requests, not the backlog
        start.wait()
        mine: list[float] = []
        seen: dict[int, int] = {}
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            method, path, body, headers = request(me, i)
            began = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                code = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                code = 0
            mine.append((time.perf_counter() - began) * 1000)
            seen[code] = seen.get(code, 0) + 1
        conn.close()
        with lock:
            latencies.extend(mine)
            for code, n in seen.items():
                statuses[code] = statuses.get(code, 0) + n

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, statuses


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def _database() -> tuple[str, str]:
    """The database the server uses: a fresh temporary PostgreSQL database when
    ``BENCH_DATABASE_URL`` names a PostgreSQL server (created here, dropped
    after), else the bench's temporary SQLite file. Returns (url, pg name)."""
    pg = os.environ.get("BENCH_DATABASE_URL", "")
    if not pg.startswith(("postgres://", "postgresql://")):
        return os.environ["DATABASE_URL"], ""
    import psycopg

    name = f"mcoms_bench_pay_{os.getpid()}"
    base = pg.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}", name


def _drop(url: str, name: str) -> None:
    if not name:
        return
    import psycopg

    with psycopg.connect(f"{url.rsplit('/', 1)[0]}/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _measure(port: int, total: int, clients: list[Any]) -> tuple[Any, ...]:
    def health(_me: int, _i: int) -> tuple[str, str, None, dict[str, str]]:
        return "GET", "/healthz", None, {"Connection": "keep-alive"}

    def pay(me: int, i: int) -> tuple[str, str, bytes, dict[str, str]]:
        token, ids = clients[me]
        body = json.dumps(
            {"customer": ids[i % len(ids)], "amount": f"{10 + i % 90}.50"}
        ).encode()
        headers = {
            "Authorization": f"Token {token}",
            "Connection": "keep-alive",
            "Content-Type": "application/json",
            "Idempotency-Key": str(uuid.uuid4()),
        }
        return "POST", "/api/v1/payments/", body, headers

    _load(port, CLIENTS * 2, health)  # warm up threads and connections
    base, base_status = _load(port, total, health)
    paid, pay_status = _load(port, total, pay)
    return base, base_status, paid, pay_status


def run(quick: bool) -> list[tuple[str, float, str, float]]:
    total = 400 if quick else 2_000
    url, pg_name = _database()
    try:
        if pg_name:
            _manage(url, "migrate", "--verbosity", "0")
        clients = json.loads(
            _manage(
                url,
                "shell",
                "-c",
                "from bench.bench_payments import setup_json; setup_json()",
            )
        )
        port = _free_port()
        server = _serve(port, url)
        try:
            base, base_status, paid, pay_status = _measure(port, total, clients)
        finally:
            server.terminate()
            server.wait(timeout=30)
        check = json.loads(
            _manage(
                url,
                "shell",
                "-c",
                "from bench.bench_payments import check_json; check_json()",
            )
        )
    finally:
        _drop(url, pg_name)
    created = pay_status.get(201, 0)
    vendor = "postgresql" if pg_name else "sqlite"
    receipts = "with receipts" if "mcoms.receipts" in settings.INSTALLED_APPS else ""
    print(
        f"# payment_api on {vendor}: {created}/{total} created {receipts}; "
        f"statuses {pay_status}, healthz {base_status}; {check}",
        file=sys.stderr,
    )
    # A request that failed (timed out, or a 500 from an after-commit step)
    # may have been written; each request has its own key: at most ``total``.
    if not created <= check["payments"] <= total or check["unbalanced"]:
        raise RuntimeError("payments lost or doubled, or a journal unbalanced")
    return [
        ("payment_api_p95", _p(paid, 95), "ms", _p(base, 95)),
        ("payment_api_p50", statistics.median(paid), "ms", statistics.median(base)),
    ]
