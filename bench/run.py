"""Run every ``bench/bench_*.py`` module against a fresh temporary SQLite database.

Each module exposes ``run(quick: bool) -> list[(name, value, unit, baseline)]``;
this prints one line per figure:

    bench <name> <value> <unit> baseline=<value> ratio=<value/baseline>

Usage: ``python bench/run.py [--quick] [name ...]`` (names filter the modules).
The demo database is never touched: DATABASE_URL and MCOMS_VAR_DIR point at a
temporary directory before Django is set up.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent


def _setup_django(tmp: Path) -> None:
    # Benches that also measure PostgreSQL read the caller's URL from here.
    os.environ.setdefault("BENCH_DATABASE_URL", os.environ.get("DATABASE_URL", ""))
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["MCOMS_VAR_DIR"] = str(tmp)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("TASKS_BACKEND", "immediate")
    # The bills' SMS after a run are a task for the worker, not the run's work
    # (docs/decisions/0071); with immediate tasks they would run inside it.
    os.environ.setdefault("BILL_SMS_AFTER_RUN", "false")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def _fmt(value: float) -> str:
    return f"{value:.4g}" if abs(value) < 1000 else f"{value:.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small, fast run")
    parser.add_argument("names", nargs="*", help="only modules containing these")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="mcoms-bench-"))
    try:
        _setup_django(tmp)
        modules = sorted(p.stem for p in BENCH.glob("bench_*.py"))
        if args.names:
            modules = [m for m in modules if any(n in m for n in args.names)]
        for name in modules:
            started = time.perf_counter()
            module = importlib.import_module(f"bench.{name}")
            for figure, value, unit, baseline in module.run(args.quick):
                ratio = value / baseline if baseline else float("inf")
                print(
                    f"bench {figure} {_fmt(value)} {unit} "
                    f"baseline={_fmt(baseline)} ratio={ratio:.2f}",
                    flush=True,
                )
            took = time.perf_counter() - started
            print(f"# {name} took {took:.1f}s", file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
