"""Release pages: the history, and one release (`latest` or pinned) with its changes, report and manifest."""

from __future__ import annotations


from ... import browse
from ..releases import release_for, store
from .common import blueprint, markdown, render

bp = blueprint("pages_releases")


@bp.get("/releases")
def releases():
    return render("releases.html", release=release_for(None), history=browse.history(store()))


@bp.get("/releases/<version>")
def release(version: str):
    latest = version == "latest"
    chosen = release_for(None if latest else version)
    report = browse.validation_report(chosen)
    notes = chosen.path / "NOTES.md"
    return render("release.html", release=chosen, latest=latest, current=store().current_version(),
                  changes=browse.changes_of(chosen), report=report, manifest=browse.manifest(chosen),
                  notes=markdown(notes.read_text("utf-8")) if notes.is_file() else None)
