"""The byte pass: blank lines and carriage returns found wherever they fall, across chunk edges too."""

from __future__ import annotations

import random

import pytest

from service.validation import rawscan


def expected_blank(data: bytes) -> bool:
    """The definition: an empty line anywhere (LF LF, LF CR LF, CR CR) or at the very start."""
    return b"\n\n" in data or b"\n\r\n" in data or b"\r\r" in data or data[:1] in (b"\n", b"\r")


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 64])
def test_blank_lines_and_carriage_returns_across_chunk_edges(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(rawscan, "CHUNK", chunk)
    rnd = random.Random(chunk)
    path = tmp_path / "f.csv"
    seen = {True: 0, False: 0}
    for _ in range(400):
        data = bytes(rnd.choice(b"ab,c\n\r") for _ in range(rnd.randint(1, 30)))
        if rnd.random() < 0.5:  # most lines end in LF alone, as in real files
            data = data.replace(b"\r", b"b")
        path.write_bytes(data)
        result = rawscan.scan(path, md5=False, sha256=False, utf8=True)
        assert result.blank_lines == expected_blank(data), data
        assert result.carriage_return == (b"\r" in data), data
        seen[result.blank_lines] += 1
    assert min(seen.values()) > 40  # both verdicts were exercised
