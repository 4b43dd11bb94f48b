"""Full-export encoding: CSV batches written on the encoding threads come back whole and in order,
and a stream that fails part-way raises out of the encoder (so the transfer is cut)."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest

from service import export
from service.formats import to_csv


def _batches(seed: int) -> list[pa.RecordBatch]:
    rnd = random.Random(seed)
    out, start = [], 0
    for _ in range(rnd.randint(1, 40)):
        n = rnd.choice([0, 1, 7, 500, 8192])
        out.append(pa.record_batch({"n": pa.array(range(start, start + n), pa.int64()),
                                    "text": pa.array([f"row {i}, \"q\"" if i % 3 else None
                                                      for i in range(start, start + n)], pa.string()),
                                    "x": pa.array([(i + 0.5) / 7 for i in range(start, start + n)], pa.float64())}))
        start += n
    return out


def _whole(batches: list[pa.RecordBatch]) -> bytes:
    """The same rows by the row encoder of capped answers (one table written at once by Arrow is no
    oracle: pyarrow 26 writes NUL bytes for a table whose first chunk is empty)."""
    table = pa.Table.from_batches(batches)
    return to_csv(table.schema.names, list(zip(*(c.to_pylist() for c in table.columns)))).encode("utf-8")


@pytest.mark.parametrize("seed", range(12))
def test_parallel_csv_is_the_whole_table_written_at_once(seed, monkeypatch):
    monkeypatch.setattr(export, "CHUNK_BYTES", 64 * 1024)  # many chunks, each made of several batches
    batches = _batches(seed)
    chunks = list(export.encode("csv", ["n", "text", "x"], batches[0].schema, iter(batches)))
    assert b"".join(chunks) == _whole(batches)
    assert all(len(c) > 0 for c in chunks)
    assert all(len(c) >= 64 * 1024 for c in chunks[:-1])


def test_a_stream_that_fails_part_way_raises_out_of_the_encoder():
    batches = _batches(3)[:5]

    def failing():
        yield from batches
        raise RuntimeError("the stream broke")

    chunks = export.encode("csv", ["n", "text", "x"], batches[0].schema, failing())
    with pytest.raises(RuntimeError, match="the stream broke"):
        list(chunks)


def test_an_encoder_closed_early_encodes_at_most_its_lookahead_more(monkeypatch):
    encoded, real = [], export._arrow_csv
    monkeypatch.setattr(export, "_arrow_csv", lambda batch, options: encoded.append(1) or real(batch, options))
    monkeypatch.setattr(export, "CHUNK_BYTES", 1)  # a chunk per batch
    read = []
    batch = pa.record_batch({"n": pa.array(range(8192), pa.int64())})

    def source():
        for _ in range(200):
            read.append(1)
            yield batch

    chunks = export.encode("csv", ["n"], batch.schema, source())
    next(chunks)
    next(chunks)
    chunks.close()
    export._encoder_pool().submit(lambda: None).result()  # the pool has taken everything queued before
    assert len(read) == 1 + export.ENCODE_AHEAD  # read ahead no further than its window
    assert len(encoded) <= len(read)  # and what was cancelled never ran


def test_each_forked_process_makes_its_own_pool(monkeypatch):
    pool = export._encoder_pool()
    monkeypatch.setattr(export, "_POOL", export._POOL)  # put back after the test
    assert export._encoder_pool() is pool
    monkeypatch.setattr(export.os, "getpid", lambda: -1)
    assert export._encoder_pool() is not pool
