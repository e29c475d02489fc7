"""A real ``manage.py run_billing`` killed with SIGKILL part-way, then run
again: one bill per customer, gap-free numbers, a balanced ledger.

It runs against its own SQLite file (every process opens it; a test database
inside a transaction could not be seen by another process), made and seeded
by a subprocess with the bench's seeding."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
CUSTOMERS = 3000
SEED = """
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from bench.bench_billing import seed
print(seed({n}, code="kill-test")[0].pk)
"""


def env_for(db: Path, tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{db}",
        MCOMS_VAR_DIR=str(tmp),
        DJANGO_SETTINGS_MODULE="config.settings",
        TASKS_BACKEND="immediate",
        PYTHONPATH=str(ROOT),
    )
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
        return conn.execute(sql).fetchone()[0]


def test_a_run_killed_with_sigkill_and_run_again_bills_everyone_once(tmp_path: Path):
    db = tmp_path / "kill.sqlite3"
    env = env_for(db, tmp_path)
    seeded = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SEED.format(n=CUSTOMERS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    period = seeded.stdout.strip().splitlines()[-1]
    worker = manage(env, "run_billing", "--period", period, "--chunk", "10", "--quiet")
    deadline = time.monotonic() + 300
    billed = 0
    while billed < 300 and time.monotonic() < deadline and worker.poll() is None:
        time.sleep(0.02)
        billed = count(db, "SELECT count(*) FROM billing_bill")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=60)
    assert worker.returncode == -signal.SIGKILL
    at_kill = count(db, "SELECT count(*) FROM billing_bill")
    assert 0 < at_kill < CUSTOMERS
    assert count(db, "SELECT status = 'started' FROM billing_billingrun") == 1

    again = manage(env, "run_billing", "--period", period, "--quiet")
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert f"done: {CUSTOMERS}/{CUSTOMERS} billed" in out

    assert count(db, "SELECT count(*) FROM billing_bill") == CUSTOMERS
    distinct = "SELECT count(DISTINCT customer_id) FROM billing_bill"
    assert count(db, distinct) == CUSTOMERS
    assert count(db, "SELECT min(seq) FROM billing_bill") == 1
    assert count(db, "SELECT max(seq) FROM billing_bill") == CUSTOMERS
    assert count(db, "SELECT last FROM billing_billsequence") == CUSTOMERS
    journals = "SELECT count(*) FROM ledger_journal WHERE kind = 'bill'"
    assert count(db, journals) == CUSTOMERS
    assert count(db, "SELECT attempts FROM billing_billingrun") == 2
    check = manage(env, "ledger_check")
    out, err = check.communicate(timeout=300)
    assert check.returncode == 0, out + err
