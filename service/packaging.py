"""Copies a package into a release (with hash and bytes) and zips it."""

from __future__ import annotations

import copy
import json
import shutil
import zipfile
from pathlib import Path

from .catalog import DESCRIPTOR_NAMES, Package
from .store import file_digest

_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def copy_package(package: Package, target: Path) -> dict:
    """Copy every file of the package; write ``datapackage.json`` with hash and bytes per resource."""
    target.mkdir(parents=True)
    for path in sorted(package.folder.rglob("*")):
        rel = path.relative_to(package.folder)
        if path.is_file() and rel.as_posix() not in DESCRIPTOR_NAMES and not rel.name.startswith("."):
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target / rel)
    descriptor = copy.deepcopy(package.descriptor)
    for raw, resource in zip(descriptor.get("resources", []), package.resources):
        raw["schema"] = resource.schema
        if resource.path:
            data = target / resource.path
            raw["hash"] = f"sha256:{file_digest(data)}"
            raw["bytes"] = data.stat().st_size
    (target / "datapackage.json").write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n",
                                             "utf-8")
    return descriptor


def write_zip(folder: Path, out: Path) -> None:
    """A deterministic zip of the folder, entries under ``<package>/``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}", _ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, path.read_bytes())
