"""``python -m service.assembly [--seeds seeds/] [--out datapackages/] [--expectations expectations/]``."""

from __future__ import annotations

import argparse
from pathlib import Path

from .build import assemble
from .suites import write_suites


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m service.assembly", description=__doc__)
    parser.add_argument("--seeds", type=Path, default=Path("seeds"))
    parser.add_argument("--out", type=Path, default=Path("datapackages"))
    parser.add_argument("--expectations", type=Path, default=Path("expectations"),
                        help="where to write the expectation suites; '-' to skip")
    args = parser.parse_args(argv)
    names = assemble(args.seeds, args.out)
    for name in names:
        print(f"wrote {args.out / name}")
    if str(args.expectations) != "-":
        for path in write_suites(args.expectations):
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
