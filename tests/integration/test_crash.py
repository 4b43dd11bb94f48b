"""`socsec release` killed with SIGKILL at random moments never leaves the store inconsistent."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from service.store import Store, verify
from tests.conftest import make_project

KILLS = 20


def _release_command(root: Path) -> list[str]:
    return [sys.executable, "-m", "service.cli", "--root", str(root), "release"]


def _touch_package(root: Path, n: int) -> None:
    readme = root / "datapackages" / "policy-milestones" / "README.md"
    readme.write_text(readme.read_text("utf-8").split("\n<!-- kill")[0] + f"\n<!-- kill {n} -->\n", "utf-8")


def _assert_consistent(store: Store, known: set[str]) -> None:
    current = store.current_version()
    assert current in store.versions()
    assert verify(store.current()) == []
    for version in known:  # nothing published before is ever lost or changed
        assert verify(store.release(version)) == []


def _kill_at_random(root: Path, seed: int, kills: int) -> tuple[int, int]:
    """Returns how many runs were killed before publishing, and the number of versions."""
    rng = random.Random(seed)
    store = Store(root / "var" / "store")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCSEC_")}
    started = time.monotonic()
    assert subprocess.run(_release_command(root), env=env, capture_output=True).returncode == 0
    duration = time.monotonic() - started
    known = set(store.versions())
    interrupted = 0
    for n in range(kills):
        _touch_package(root, n)
        process = subprocess.Popen(_release_command(root), env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, duration * 1.1))
        process.send_signal(signal.SIGKILL)
        process.wait()
        _assert_consistent(store, known)
        after = set(store.versions())
        assert known <= after and len(after - known) <= 1  # at most the one release, whole
        interrupted += len(after) == len(known)
        known = after
    _touch_package(root, kills)
    final = subprocess.run(_release_command(root), env=env, capture_output=True, text=True)
    assert final.returncode == 0, final.stderr
    _assert_consistent(store, known)
    assert not list(store.root.glob(".staging-*"))  # the next release cleans up what a kill left
    return interrupted, len(store.versions())


def test_sigkill_during_release_leaves_a_consistent_store(tmp_path):
    root = make_project(tmp_path, ["policy-milestones"])
    interrupted, versions = _kill_at_random(root, seed=20261127, kills=KILLS)
    assert interrupted >= KILLS // 4  # most kills land before the switch, so they were tested
    assert versions == 2 + KILLS - interrupted


@pytest.mark.slow
def test_many_sigkills(tmp_path):
    root = make_project(tmp_path, ["policy-milestones"])
    _kill_at_random(root, seed=7, kills=100)
