"""The release store as the web layer reads it: a pinned view per request, sharing what the store knows."""

from __future__ import annotations

import json
import shutil

import pytest

from service.errors import NotFound, NoRelease
from service.store import MANIFEST, RELEASE_META, Store

OLD, NEW = "20261201T000000Z-0000aaaa", "20261202T000000Z-0000bbbb"


@pytest.fixture
def store(tmp_path):
    for version in (OLD, NEW):
        folder = tmp_path / "releases" / version
        folder.mkdir(parents=True)
        (folder / MANIFEST).write_text("{}")
        (folder / RELEASE_META).write_text(json.dumps({"packages": {}, "version": version}))
    return Store(tmp_path)


def test_no_current_release_yet(store):
    assert store.current_version() is None
    with pytest.raises(NoRelease):
        store.pinned_view().current()


def test_a_pinned_view_reads_current_once_and_the_next_view_sees_a_switch(store):
    store.switch(OLD)
    view = store.pinned_view()
    assert view.current().version == OLD
    store.switch(NEW)
    assert view.current().version == OLD  # one request: one release
    assert store.pinned_view().current().version == NEW
    assert store.current_version() == NEW  # the store itself is not pinned


def test_views_share_the_release_objects(store):
    store.switch(OLD)
    first = store.pinned_view().current()
    assert first.meta["version"] == OLD
    again = store.pinned_view().release(OLD)
    assert again is first and "meta" in again.__dict__  # release.json read once
    assert again.warehouse == store.releases_dir / OLD / "warehouse.duckdb"


def test_a_known_release_that_is_pruned_is_gone_at_once(store):
    store.switch(NEW)
    assert store.pinned_view().release(OLD).version == OLD
    shutil.rmtree(store.releases_dir / OLD)
    with pytest.raises(NotFound):
        store.pinned_view().release(OLD)
    with pytest.raises(NotFound):
        store.release("not-a-version")


def test_current_is_read_whatever_its_line_ending(store):
    for ending in ("", "\n", "\r\n"):
        store.pointer.write_bytes(f"{OLD}{ending}".encode())
        assert store.current_version() == OLD
    store.pointer.write_bytes(b"")
    assert store.current_version() is None
