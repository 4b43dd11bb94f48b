"""Findings and reports as plain data (the frictionless error model).

A finding says what is wrong (a kebab-case ``code``), where (package,
resource, row, field) and a human ``note``. Row numbers count like
frictionless: the header is row 1, the first data row is row 2.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Finding:
    code: str
    package: str
    note: str
    resource: str | None = None
    row: int | None = None
    field: str | None = None
    check: str | None = None  # the expectation's name for expectation-failed

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @property
    def place(self) -> str:
        parts = [self.package]
        if self.resource:
            parts.append(self.resource)
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"field {self.field}")
        return " / ".join(parts)


@dataclass
class ResourceStats:
    name: str
    rows: int | None = None
    findings: int = 0
    seconds: float = 0.0
    partial: bool = False  # structure checks stopped at the finding limit
    engine: str = ""       # which engine judged its structure: "duckdb" or "frictionless"
    fallback: str = ""     # why frictionless judged it (what the fast path does not implement)


@dataclass
class PackageResult:
    name: str
    path: str
    findings: list[Finding] = field(default_factory=list)
    resources: list[ResourceStats] = field(default_factory=list)
    expectations_run: int = 0
    seconds: float = 0.0

    @property
    def valid(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "path": self.path,
            "valid": self.valid,
            "expectations_run": self.expectations_run,
            "seconds": round(self.seconds, 3),
            "resources": [dataclasses.asdict(r) for r in self.resources],
            "findings": [f.to_dict() for f in self.findings],
        }


@dataclass
class Report:
    packages: list[PackageResult] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return all(p.valid for p in self.packages)

    @property
    def findings(self) -> list[Finding]:
        return [f for p in self.packages for f in p.findings]

    def to_dict(self) -> dict:
        return {
            "valid": self.valid,
            "stats": {
                "packages": len(self.packages),
                "findings": len(self.findings),
            },
            "packages": [p.to_dict() for p in self.packages],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @classmethod
    def from_dict(cls, data: dict) -> "Report":
        packages = []
        for p in data.get("packages", []):
            packages.append(PackageResult(
                name=p["name"], path=p["path"], expectations_run=p.get("expectations_run", 0),
                seconds=p.get("seconds", 0.0),
                resources=[ResourceStats(**r) for r in p.get("resources", [])],
                findings=[Finding(**f) for f in p.get("findings", [])]))
        return cls(packages=packages)
