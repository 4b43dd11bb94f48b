"""Full exports: a query's Arrow record batches encoded as CSV, NDJSON or Parquet, chunk by chunk.

Each encoder takes the stream's batches and yields bytes; server memory stays at about one batch.
When the stream fails part-way the error propagates out of the generator, so the server cuts the
chunked transfer (no terminating chunk): a cut export never looks complete to the client.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator

import pyarrow as pa

from .formats import arrow_to_csv, jsonable, to_csv

CHUNK_BYTES = 4 * 1024 * 1024

MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson",
               "parquet": "application/vnd.apache.parquet"}


def encode(ext: str, columns: list[str], schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> Iterator[bytes]:
    if ext == "csv":
        return _csv(columns, schema, batches)
    if ext == "ndjson":
        return _ndjson(columns, batches)
    if ext == "parquet":
        return _parquet(schema, batches)
    raise ValueError(f"no full export as {ext}")


def _native(schema: pa.Schema) -> bool:
    """Types Arrow's own CSV writer writes as text a reader takes back (not lists, structs, bytes)."""
    return all(pa.types.is_integer(f.type) or pa.types.is_floating(f.type) or pa.types.is_string(f.type)
               or pa.types.is_large_string(f.type) or pa.types.is_boolean(f.type) or pa.types.is_date(f.type)
               or pa.types.is_timestamp(f.type) or pa.types.is_decimal(f.type) or pa.types.is_null(f.type)
               for f in schema)


def _csv(columns: list[str], schema: pa.Schema, batches) -> Iterator[bytes]:
    """CSV batch by batch: Arrow's C++ writer where it can (text cells quoted, floats in their shortest
    form), else the row encoder's rules (``arrow_to_csv``: the same bytes as a capped answer). Batches
    are gathered into chunks of about ``CHUNK_BYTES``, each copied out once."""
    import pyarrow.csv as pc

    native = _native(schema)
    options = pc.WriteOptions(include_header=False, quoting_style="needed")
    out = pa.BufferOutputStream()
    out.write(to_csv(columns, []).encode("utf-8"))
    for batch in batches:
        if native:
            pc.write_csv(batch, out, write_options=options)
        else:
            out.write(arrow_to_csv(batch, header=False))
        if out.tell() >= CHUNK_BYTES:
            yield out.getvalue().to_pybytes()
            out = pa.BufferOutputStream()
    if out.tell():
        yield out.getvalue().to_pybytes()


def _ndjson(columns, batches) -> Iterator[bytes]:
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    for batch in batches:
        lines = [dumps(dict(zip(columns, map(jsonable, row))))
                 for row in zip(*(c.to_pylist() for c in batch.columns))]
        if lines:
            yield ("\n".join(lines) + "\n").encode("utf-8")


class _Sink(io.RawIOBase):
    """A write-only file whose bytes are taken out after each row group."""

    def __init__(self):
        self.chunks: list[bytes] = []
        self.position = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def take(self) -> bytes:
        data, self.chunks = b"".join(self.chunks), []
        return data


def _parquet(schema, batches) -> Iterator[bytes]:
    import pyarrow.parquet as pq

    sink = _Sink()
    writer = pq.ParquetWriter(sink, schema, compression="zstd")
    for batch in batches:
        writer.write_batch(batch)
        yield sink.take()
    writer.close()  # the footer: only a stream that reached its end gets one
    yield sink.take()
