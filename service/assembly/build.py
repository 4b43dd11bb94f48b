"""``assemble``: seeds -> datapackages/<name>/{datapackage.json, data/*.csv, README.md}."""

from __future__ import annotations

import shutil
from pathlib import Path

from . import schemas
from .catalog import INDICATOR_PACKAGES, REGIONAL_PACKAGES
from .coverage import coverage_rows, coverage_summary
from .csvio import read_csv, write_csv, write_json, write_text
from .descriptor import package_descriptor, resource
from .figures import ARTICLE_SOURCE, article_observations, extract_observations, figures_observations
from .more import more_observations
from .nbs import nbs_observations
from .preference import mark_preferred
from .readme import indicator_readme, milestones_readme
from .registry import INDICATOR_FIELDS, SOURCE_FIELDS, UNIT_FIELDS, Registry, load_registry
from .yearbook import yearbook_observations



def _names(schema: dict) -> list[str]:
    return [f["name"] for f in schema["fields"]]


def _obs_key(row: dict) -> tuple:
    return (row["indicator_id"], row["year"], row["region"], row["source_id"])


def assemble(seeds_dir: Path, out_dir: Path) -> list[str]:
    seeds_dir, out_dir = Path(seeds_dir), Path(out_dir)
    reg = load_registry(seeds_dir)
    yb = yearbook_observations(reg)
    more = more_observations(reg)
    observations = (figures_observations(reg) + article_observations(reg) + extract_observations(reg, "nhsa_figures.csv")
                    + yb.observations + more.observations)
    nbs = nbs_observations(reg, observations)
    observations += nbs.observations
    conflicts = mark_preferred(observations, reg)
    names = []
    for name in INDICATOR_PACKAGES:
        rows = sorted((o for o in observations if o["_package"] == name), key=_obs_key)
        groups = [g for g in conflicts if g[0]["_package"] == name]
        _write_indicator_package(reg, out_dir / name, name, rows, groups, (yb, more, nbs))
        names.append(name)
    _write_milestones(reg, out_dir / "policy-milestones")
    names.append("policy-milestones")
    return names


def _fresh(pkg_dir: Path) -> None:
    if pkg_dir.exists():
        shutil.rmtree(pkg_dir)
    (pkg_dir / "data").mkdir(parents=True)


def _write_indicator_package(reg: Registry, pkg_dir: Path, name: str, rows: list[dict], conflicts: list,
                             tables: tuple) -> None:
    _fresh(pkg_dir)
    by_province = name in REGIONAL_PACKAGES
    ind_ids = reg.with_parents({r["indicator_id"] for r in rows})
    src_ids = sorted({r["source_id"] for r in rows})
    unit_ids = sorted({r["unit"] for r in rows})
    ind_schema = schemas.indicators_schema(by_province)
    obs_schema = schemas.observations_schema(by_province)
    write_csv(pkg_dir / "data" / "indicators.csv", _names(ind_schema), [reg.indicators[i] for i in ind_ids])
    write_csv(pkg_dir / "data" / "sources.csv", SOURCE_FIELDS, [reg.sources[s] for s in src_ids])
    write_csv(pkg_dir / "data" / "units.csv", UNIT_FIELDS, [reg.units[u] for u in unit_ids])
    write_csv(pkg_dir / "data" / "observations.csv", _names(obs_schema), rows)
    resources = [
        resource("indicators", ind_schema, "Indicators", "The indicators this package uses, with their totals."),
        resource("sources", schemas.sources_schema(), "Sources", "The sources of the observations."),
        resource("units", schemas.units_schema(), "Units", "Units as written and their exact conversion factors."),
    ]
    if by_province:
        codes = sorted({r["region"] for r in rows})
        region_rows = {}
        for reg_row in reg.regions.values():
            if reg_row["iso_code"] in codes:
                region_rows[reg_row["iso_code"]] = {"code": reg_row["iso_code"], "name_en": reg_row["name_en"],
                                                    "name_zh": reg_row["name_zh"],
                                                    "note": reg_row["note"] if "XPCC" in reg_row["iso_code"] else ""}
        write_csv(pkg_dir / "data" / "regions.csv", ["code", "name_en", "name_zh", "note"],
                  [region_rows[c] for c in codes])
        resources.append(resource("regions", schemas.regions_schema(), "Regions",
                                  "ISO 3166-2:CN codes used, and CN-XPCC for the Xinjiang Production and Construction "
                                  "Corps, which has no ISO code (see its note)."))
    resources.append(resource("observations", obs_schema, "Observations",
                              "One row per figure per source; exactly one preferred row per indicator, year, region."))
    cov = coverage_rows(rows)
    cov_schema = schemas.coverage_schema()
    write_csv(pkg_dir / "data" / "coverage.csv", _names(cov_schema), cov)
    resources.append(resource("coverage", cov_schema, "Coverage",
                              "Per indicator, every year from its first to its last: covered or a gap, and how many "
                              "observations, sources and regions."))
    years = [r["year"] for r in rows]
    sources = [reg.sources[s] for s in src_ids]
    descriptor = package_descriptor(name, resources, years, sources)
    descriptor["coverage"] = coverage_summary(cov)
    write_json(pkg_dir / "datapackage.json", descriptor)
    write_text(pkg_dir / "README.md", indicator_readme(name, reg, rows, ind_ids, sources, conflicts, tables, cov))


def _write_milestones(reg: Registry, pkg_dir: Path) -> None:
    _fresh(pkg_dir)
    rows = []
    for row in read_csv(reg.seeds / "extracts" / "milestones.csv"):
        rows.append({**row, "source_id": ARTICLE_SOURCE})
    rows.sort(key=lambda r: (int(r["year"]), r["id"]))
    schema = schemas.milestones_schema()
    write_csv(pkg_dir / "data" / "milestones.csv", _names(schema), rows)
    sources = [reg.sources[ARTICLE_SOURCE]]
    write_csv(pkg_dir / "data" / "sources.csv", SOURCE_FIELDS, sources)
    resources = [
        resource("sources", schemas.sources_schema(), "Sources", "The source of the milestones."),
        resource("milestones", schema, "Milestones", "Dated milestones, each with its verbatim sentence."),
    ]
    years = [int(r["year"]) for r in rows]
    write_json(pkg_dir / "datapackage.json", package_descriptor("policy-milestones", resources, years, sources))
    write_text(pkg_dir / "README.md", milestones_readme(reg, rows, sources))
