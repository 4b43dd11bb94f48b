"""`socsec validate` and `socsec release` through the real CLI on copies of the packages."""

from __future__ import annotations

import json
import shutil

import pytest

from service.store import Store, verify
from service.web import create_app
from tests.conftest import edit_csv, make_project, socsec

COVERAGE = "social-insurance-coverage"


@pytest.fixture
def released(tmp_path):
    """A project with only the coverage package, released once."""
    root = make_project(tmp_path, [COVERAGE])
    result = socsec(root, "release")
    assert result.exit_code == 0, result.output
    return root


def _observations(root):
    return root / "datapackages" / COVERAGE / "data" / "observations.csv"


def _findings(root) -> list[dict]:
    result = socsec(root, "validate", "--json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    return [f for p in report["packages"] for f in p["findings"]]


def test_validate_passes_on_the_published_packages(project):
    result = socsec(project, "validate")
    assert result.exit_code == 0, result.output
    assert "0 findings: valid" in result.output


def test_validate_json_reports_every_package(project):
    result = socsec(project, "validate", "--json", COVERAGE)
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["valid"] is True and [p["name"] for p in report["packages"]] == [COVERAGE]
    assert report["packages"][0]["expectations_run"] >= 5


@pytest.mark.parametrize("command", ["validate", "release"])
def test_missing_packages_folder_is_an_environment_error(tmp_path, command):
    result = socsec(tmp_path, command)
    assert result.exit_code == 2 and "no packages folder" in result.output


def test_bad_setting_is_an_environment_error(project, monkeypatch):
    monkeypatch.setenv("SOCSEC_SQL_TIME_LIMIT_MS", "soon")
    result = socsec(project, "validate")
    assert result.exit_code == 2 and "sql_time_limit_ms" in result.output


def test_validate_unknown_package_is_a_usage_error(project):
    result = socsec(project, "validate", "no-such-package")
    assert result.exit_code == 2
    assert "no-such-package" in result.output


BREAKAGES = [
    # (description, row, column, new value, expected finding code, expected field)
    ("bad type", 2, "year", "twenty", "type-error", "year"),
    ("broken foreign key", 3, "source_id", "no-such-source", "foreign-key", None),
    ("failed expectation", 2, "quote", "a quote that states no number", "expectation-failed", None),
]


@pytest.mark.parametrize("what,row,column,value,code,field", BREAKAGES, ids=[b[0] for b in BREAKAGES])
def test_broken_copy_is_refused_and_the_previous_release_stays(released, what, row, column, value, code, field):
    store = Store(released / "var" / "store")
    before = store.current_version()
    edit_csv(_observations(released), row, column, value)

    result = socsec(released, "release")
    assert result.exit_code == 1
    assert "nothing was published" in result.output
    assert code in result.output

    findings = _findings(released)
    hit = [f for f in findings if f["code"] == code]
    assert hit, findings
    assert hit[0]["package"] == COVERAGE and hit[0]["resource"] == "observations"
    assert any(f["row"] == row for f in hit)
    if field:
        assert hit[0]["field"] == field
    assert store.current_version() == before and store.versions() == [before]
    client = create_app({"root": str(released)}).test_client()
    assert client.get("/api/packages").get_json()["release"] == before


def test_releases_are_kept_and_listed(released):
    store = Store(released / "var" / "store")
    first = store.current_version()
    (released / "datapackages" / COVERAGE / "README.md").write_text("changed\n", "utf-8")
    assert socsec(released, "release", "--if-stale").exit_code == 0
    second = store.current_version()
    assert second != first and store.versions() == sorted([first, second])
    listing = socsec(released, "releases").output.splitlines()
    assert listing[0].startswith(f"* {second}") and listing[1].startswith(f"  {first}")
    assert verify(store.release(first)) == [] and verify(store.release(second)) == []
    client = create_app({"root": str(released)}).test_client()
    old = client.get(f"/api/releases/{first}/packages/{COVERAGE}/README.md").data
    assert old != b"changed\n"


def test_release_if_stale_does_nothing_when_unchanged(released):
    store = Store(released / "var" / "store")
    result = socsec(released, "release", "--if-stale")
    assert result.exit_code == 0 and "up to date" in result.output
    assert len(store.versions()) == 1


def test_verify_detects_a_changed_file(released):
    store = Store(released / "var" / "store")
    release = store.current()
    assert socsec(released, "verify").exit_code == 0
    target = release.path / "packages" / COVERAGE / "data" / "observations.csv"
    target.chmod(0o644)
    target.write_bytes(target.read_bytes().replace(b"2020", b"2021", 1))
    result = socsec(released, "verify")
    assert result.exit_code == 1
    assert "observations.csv" in result.output


def test_second_release_while_one_runs_fails_clearly(released):
    import fcntl

    store = Store(released / "var" / "store")
    with open(store.root / ".lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        (released / "datapackages" / COVERAGE / "README.md").write_text("changed\n", "utf-8")
        result = socsec(released, "release")
    assert result.exit_code == 1
    assert "another `socsec release` is running" in result.output
    assert len(store.versions()) == 1


def test_package_without_suite_is_refused_with_the_command_to_run(released):
    shutil.rmtree(released / "expectations" / COVERAGE)
    result = socsec(released, "release")
    assert result.exit_code == 1
    assert f"socsec expectations init {COVERAGE}" in result.output


def test_release_notes_match_rows_by_primary_key(released):
    store = Store(released / "var" / "store")
    edit_csv(_observations(released), 3, "note", "a maintainer's note")
    assert socsec(released, "release").exit_code == 0
    changes = json.loads((store.current().path / "changes.json").read_text())[COVERAGE]
    assert (changes["observations"]["added"], changes["observations"]["removed"],
            changes["observations"]["changed"]) == (0, 0, 1)
    assert changes["sources"]["status"] == "unchanged"


def _wait_until_locked(store: Store) -> None:
    import fcntl
    import time

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with open(store.root / ".lock", "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return  # the other process holds it
        time.sleep(0.02)
    raise AssertionError("the first release never took the lock")


def test_two_releases_at_once_never_interleave(released):
    """Two real processes: with a lock timeout the second waits, then publishes after the first."""
    import os
    import subprocess
    import sys

    store = Store(released / "var" / "store")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOCSEC_")}
    command = [sys.executable, "-m", "service.cli", "--root", str(released), "release"]
    readme = released / "datapackages" / COVERAGE / "README.md"
    readme.write_text("first\n", "utf-8")
    patient = dict(env, SOCSEC_LOCK_TIMEOUT_S="120")
    first = subprocess.Popen(command, env=patient, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    _wait_until_locked(store)
    refused = subprocess.run(command, env=env, capture_output=True, text=True)
    waited = subprocess.run(command, env=patient, capture_output=True, text=True)
    assert first.wait() == 0, first.stdout.read()
    assert refused.returncode == 1 and "another `socsec release` is running" in refused.stderr
    assert waited.returncode == 0, waited.stderr
    versions = store.versions()
    assert len(versions) == 3 and store.current_version() == versions[-1]
    for version in versions:
        assert verify(store.release(version)) == []


def test_what_is_published_is_what_was_validated(released, monkeypatch):
    """The release works on a snapshot: a change made during validation is not published."""
    from service import release as release_module
    from service.config import load_settings

    store = Store(released / "var" / "store")
    original = release_module.validate_all
    observations = _observations(released)

    def validate_then_break(*args, **kwargs):
        report = original(*args, **kwargs)
        edit_csv(observations, 2, "year", "broken")  # in the working folder, after validation
        return report
    monkeypatch.setattr(release_module, "validate_all", validate_then_break)
    (released / "datapackages" / COVERAGE / "README.md").write_text("new\n", "utf-8")
    version = release_module.make_release(load_settings({"root": str(released)}))
    published = store.release(version).path / "packages" / COVERAGE / "data" / "observations.csv"
    assert b"broken" not in published.read_bytes()
