"""Full exports: a query's Arrow record batches encoded as CSV, NDJSON or Parquet, chunk by chunk.

Each encoder takes the stream's batches and yields bytes; server memory stays at a few batches.
CSV batches of Arrow-native types are written by Arrow's C++ writer on a small pool of threads (it
releases the GIL), a few batches ahead, and joined back in order. When the stream fails part-way
the error propagates out of the generator, so the server cuts the chunked transfer (no terminating
chunk): a cut export never looks complete to the client.
"""

from __future__ import annotations

import io
import json
import os
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pyarrow as pa

from .formats import arrow_csv_lines, arrow_to_csv, jsonable, to_csv

CHUNK_BYTES = 4 * 1024 * 1024

# Rows per Arrow batch of a stream. CSV batches are small so that the encoding threads share even
# work (a 40,000-row export encodes in five parts, not one large and one small); Parquet writes a
# row group per batch, so its batches stay large.
BATCH_ROWS = {"csv": 8192, "ndjson": 32768, "parquet": 32768}

ENCODE_THREADS = 2   # per process: the CSV encoding pool
ENCODE_AHEAD = 3     # batches of one stream being encoded at once (bounds its memory)

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
    form), on the encoding threads; else the row encoder's rules (``arrow_to_csv``: the same bytes as a
    capped answer). The parts are gathered into chunks of about ``CHUNK_BYTES``, each copied out once."""
    import pyarrow.csv as pc

    if _native(schema):
        options = pc.WriteOptions(include_header=False, quoting_style="needed")
        parts = _in_order(_encoder_pool(), (lambda b=batch: _arrow_csv(b, options) for batch in batches))
    else:
        parts = (arrow_to_csv(batch, header=False) for batch in batches)
    chunk = [to_csv(columns, []).encode("utf-8")]
    size = len(chunk[0])
    for part in parts:
        chunk.append(part)
        size += len(part)
        if size >= CHUNK_BYTES:
            yield b"".join(chunk)
            chunk, size = [], 0
    if size:
        yield b"".join(chunk)


class CappedCsv:
    """A capped answer's CSV, encoded while the query's batches are still being read (a ``sink`` of
    ``Sandbox.run``): ``arrow_to_csv``'s bytes (the row encoder's rules), its slices of
    ``BATCH_ROWS["csv"]`` rows encoded on the encoding threads as they come, as an export's batches are,
    but for the latest slice, which waits for the next one: the last of all is encoded by ``finish()`` on
    the caller's thread, beside the encoding threads, where it would otherwise wait for them (an answer
    of one slice is encoded there alone). ``finish()`` joins them in order."""

    batch_rows = BATCH_ROWS["csv"]

    def __init__(self, schema: pa.Schema):
        self._head = arrow_to_csv(schema.empty_table())
        self._held: pa.RecordBatch | None = None  # the latest slice, until a next one comes or the end
        self._parts: list[Future] = []

    def add(self, batch: pa.RecordBatch) -> None:
        for start in range(0, batch.num_rows, self.batch_rows):
            if self._held is not None:
                self._parts.append(_encoder_pool().submit(arrow_csv_lines, self._held))
            self._held = batch.slice(start, self.batch_rows)

    def finish(self) -> bytes:
        last = [arrow_csv_lines(self._held)] if self._held is not None else []
        return b"".join([self._head, *(part.result() for part in self._parts), *last])

    def cancel(self) -> None:
        self._held = None
        for part in self._parts:
            part.cancel()


def capped_csv(table: pa.Table) -> bytes:
    """A capped answer's CSV from a whole Arrow table (``CappedCsv`` given its batches)."""
    csv = CappedCsv(table.schema)
    for batch in table.to_batches():
        csv.add(batch)
    return csv.finish()


def _arrow_csv(batch: pa.RecordBatch, options) -> pa.Buffer:
    import pyarrow.csv as pc

    out = pa.BufferOutputStream()
    pc.write_csv(batch, out, write_options=options)
    return out.getvalue()


def _in_order(pool: ThreadPoolExecutor, jobs: Iterable) -> Iterator:
    """Run the jobs on ``pool``, at most ``ENCODE_AHEAD`` at once, and yield their results in order.

    A job's error is raised at its turn; an error of ``jobs`` itself (the stream failing) at once, the
    results still in flight dropped (the export is cut either way). Jobs not yet started are cancelled
    when the caller stops early."""
    running: deque[Future] = deque()
    try:
        for job in jobs:
            running.append(pool.submit(job))
            if len(running) >= ENCODE_AHEAD:
                yield running.popleft().result()
        while running:
            yield running.popleft().result()
    finally:
        for future in running:
            future.cancel()


_POOL: tuple[int, ThreadPoolExecutor] | None = None
_POOL_LOCK = threading.Lock()


def _encoder_pool() -> ThreadPoolExecutor:
    """The process's encoding threads, made on first use (a forked worker makes its own)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None or _POOL[0] != os.getpid():
            _POOL = (os.getpid(), ThreadPoolExecutor(ENCODE_THREADS, thread_name_prefix="socsec-csv"))
        return _POOL[1]


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
