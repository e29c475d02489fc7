"""Settings fail loudly on bad values (run in a subprocess: settings load once)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load(**env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **env}
    code = "import config.settings"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("OTP_TTL_MINUTES", "ten"),
        ("SMS_BACKEND", "pigeon"),
        ("DATABASE_URL", "mysql://x@y/z"),
    ],
)
def test_a_bad_value_stops_the_start(name: str, value: str) -> None:
    result = _load(**{name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name.split("_")[0] in result.stderr or "DATABASE_URL" in result.stderr


def test_production_refuses_the_demo_secret_key() -> None:
    result = _load(DEBUG="false", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    ok = _load(DEBUG="false", SECRET_KEY="x" * 50)
    assert ok.returncode == 0, ok.stderr
