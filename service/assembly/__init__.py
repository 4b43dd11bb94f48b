"""Turn the curated seeds into Frictionless data packages (deterministically).

``assemble(seeds_dir, out_dir)`` writes every package and returns their names;
``write_suites(expectations_dir)`` writes the expectation suites that check them.
"""

from __future__ import annotations

from .build import assemble
from .suites import write_suites

__all__ = ["assemble", "write_suites"]
