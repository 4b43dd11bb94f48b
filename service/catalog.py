"""Reads the packages folder into plain data. No Flask, no DuckDB.

A package is a folder with a descriptor named ``datapackage.json``,
``datapackage.yaml`` or ``datapackage.yml`` (Data Package v1 or v2).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import NotFound, PackageError

DESCRIPTOR_NAMES = ("datapackage.json", "datapackage.yaml", "datapackage.yml")


class _YamlLoader(yaml.SafeLoader):
    """Safe YAML that keeps dates as the strings they are in JSON descriptors."""


_YamlLoader.yaml_implicit_resolvers = {
    key: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Resource:
    name: str
    path: str | None
    schema: dict
    descriptor: dict

    @property
    def field_names(self) -> list[str]:
        return [f.get("name") for f in self.schema.get("fields", [])]

    @property
    def primary_key(self) -> list[str]:
        pk = self.schema.get("primaryKey") or []
        return [pk] if isinstance(pk, str) else list(pk)


@dataclass(frozen=True)
class Package:
    name: str
    folder: Path
    descriptor_path: Path
    descriptor: dict
    resources: list[Resource] = field(default_factory=list)

    def resource(self, name: str) -> Resource:
        for r in self.resources:
            if r.name == name:
                return r
        raise NotFound(f"package {self.name!r} has no resource {name!r}",
                       details={"package": self.name, "resource": name})


def find_descriptor(folder: Path) -> Path | None:
    for name in DESCRIPTOR_NAMES:
        if (folder / name).is_file():
            return folder / name
    return None


def read_descriptor(path: Path) -> dict:
    """Parse a JSON or YAML descriptor; a PackageError names the file and the position."""
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise PackageError(f"{path.name}: not UTF-8 ({exc.reason} at byte {exc.start})",
                           details={"file": path.name}) from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=_YamlLoader)
    except json.JSONDecodeError as exc:
        raise PackageError(f"{path.name}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
                           details={"file": path.name, "line": exc.lineno, "column": exc.colno}) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise PackageError(f"{path.name}: invalid YAML{where}: {getattr(exc, 'problem', exc)}",
                           details={"file": path.name}) from None
    if not isinstance(data, dict):
        raise PackageError(f"{path.name}: a descriptor must be an object, got {type(data).__name__}",
                           details={"file": path.name})
    return data


def _schema(raw: object, folder: Path, resource: str) -> dict:
    if isinstance(raw, dict):
        return raw
    if raw is None:
        return {}
    if isinstance(raw, str) and "://" not in raw and not Path(raw).is_absolute() and ".." not in Path(raw).parts:
        path = folder / raw
        if path.is_file():
            return read_descriptor(path)
    raise PackageError(f"resource {resource!r}: schema {raw!r} cannot be read",
                       details={"resource": resource})


def load_package(folder: Path) -> Package:
    descriptor_path = find_descriptor(folder)
    if descriptor_path is None:
        raise PackageError(f"{folder.name}: no datapackage.json, .yaml or .yml",
                           details={"package": folder.name})
    descriptor = read_descriptor(descriptor_path)
    resources = []
    for index, raw in enumerate(descriptor.get("resources") or []):
        if not isinstance(raw, dict):
            raise PackageError(f"{folder.name}: resource #{index + 1} is not an object")
        name = raw.get("name") or f"resource{index + 1}"
        path = raw.get("path")
        if isinstance(path, list):
            path = path[0] if path else None
        resources.append(Resource(name=name, path=path, schema=_schema(raw.get("schema"), folder, name),
                                  descriptor=raw))
    name = descriptor.get("name") or folder.name
    return Package(name=name, folder=folder, descriptor_path=descriptor_path,
                   descriptor=descriptor, resources=resources)


def package_folders(packages_dir: Path) -> list[Path]:
    if not packages_dir.is_dir():
        return []
    return sorted(p for p in packages_dir.iterdir() if p.is_dir() and not p.name.startswith("."))


def load_catalog(packages_dir: Path) -> list[Package]:
    return [load_package(folder) for folder in package_folders(packages_dir)]


def snake(name: str) -> str:
    """A package or resource name as an SQL identifier: lowercase, '_' for anything else."""
    out = "".join(c if c.isalnum() else "_" for c in name.lower())
    return out if out and not out[0].isdigit() else f"_{out}"
