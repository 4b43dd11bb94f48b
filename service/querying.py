"""One query from the command line, through the same sandbox and encoders as /api/sql."""

from __future__ import annotations

import json
from collections.abc import Iterator

from .config import Settings
from .sandbox import Sandbox
from .store import Store
from .export import BATCH_ROWS, encode
from .formats import rows_as_objects, to_csv, to_ndjson, to_parquet


def run_query(settings: Settings, sql: str, *, fmt: str = "json", version: str | None = None,
              params: dict | None = None, full: bool = False) -> Iterator[bytes]:
    """Yields the answer in ``fmt``; ``full`` streams every row (CSV, NDJSON, Parquet), like ``_stream=on``."""
    store = Store(settings.store_dir)
    release = store.release(version) if version else store.current()
    box = Sandbox.for_settings(release.warehouse, settings)
    try:
        if full and fmt != "json":
            running = box.stream(sql, params or None, batch_rows=BATCH_ROWS[fmt])
            yield from encode(fmt, running.columns, running.schema, running.batches())
            return
        result = box.run(sql, params or None, arrow=fmt == "parquet")
        if fmt == "csv":
            yield to_csv(result.columns, result.rows).encode("utf-8")
        elif fmt == "ndjson":
            yield to_ndjson(result.columns, result.rows).encode("utf-8")
        elif fmt == "parquet":
            yield to_parquet(result.table)
        else:
            body = {"release": release.version, "columns": result.columns, "types": result.types,
                    "rows": rows_as_objects(result.columns, result.rows), "truncated": result.truncated}
            yield (json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    finally:
        box.close()
