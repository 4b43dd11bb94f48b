"""Full exports: a query's Arrow record batches encoded as CSV, NDJSON or Parquet, chunk by chunk.

Each encoder takes the stream's batches and yields bytes; server memory stays at about one batch.
When the stream fails part-way the error propagates out of the generator, so the server cuts the
chunked transfer (no terminating chunk): a cut export never looks complete to the client.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

import pyarrow as pa

from .formats import _csv_cell as csv_cell, jsonable

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


def _flat(schema: pa.Schema) -> bool:
    """Arrow's CSV writer handles these types as our row encoder does; others go through Python."""
    return all(not (pa.types.is_nested(f.type) or pa.types.is_binary(f.type) or pa.types.is_large_binary(f.type)
                    or pa.types.is_dictionary(f.type) or pa.types.is_floating(f.type)
                    or pa.types.is_decimal(f.type) or pa.types.is_time(f.type) or pa.types.is_duration(f.type)
                    or pa.types.is_timestamp(f.type) or pa.types.is_fixed_size_binary(f.type))
               for f in schema)


def _header(columns: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(columns)
    return out.getvalue().encode("utf-8")


def _csv(columns, schema, batches) -> Iterator[bytes]:
    import pyarrow.csv as pc

    yield _header(columns)
    fast = _flat(schema)
    options = pc.WriteOptions(include_header=False, quoting_style="needed")
    for batch in batches:
        if fast:
            out = pa.BufferOutputStream()
            pc.write_csv(batch, out, write_options=options)
            yield out.getvalue().to_pybytes().replace(b"\r\n", b"\n")
        else:
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            for row in zip(*(c.to_pylist() for c in batch.columns)):
                writer.writerow(["" if v is None else csv_cell(v) for v in row])
            yield text.getvalue().encode("utf-8")


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
