"""Byte-level pass over a resource file: size, hashes, encoding, blank records.

Everything here streams the file in 1 MiB chunks, so memory stays flat. The
CSV itself is parsed by DuckDB (see ``tabular``); this module finds what DuckDB
does not show: the byte count and hash, where UTF-8 decoding fails (frictionless
reads text in 8 KiB chunks and stops at the chunk holding the bad byte) and the
row numbers of blank lines, which DuckDB skips but frictionless counts as rows.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import pathlib
import re
from dataclasses import dataclass, field

CHUNK = 1 << 20
TEXT_CHUNK = 8192          # io.TextIOWrapper._CHUNK_SIZE: frictionless decodes this much at a time
DETECT_BUFFER = 100_000    # frictionless' DEFAULT_BUFFER_SIZE used for encoding detection
SAMPLE_LINES = 100         # lines frictionless gives csv.Sniffer
PLAIN = bytes(range(0x20, 0x7F)) + b"\t\n\r\f"


@dataclass
class RawScan:
    size: int = 0
    md5: str | None = None
    sha256: str | None = None
    bad_offset: int | None = None   # byte offset of the first undecodable byte
    bad_note: str = ""
    blank_lines: bool = False
    odd_bytes: bool = False         # a byte outside printable ASCII, tab, CR, LF and FF
    carriage_return: bool = False   # the file holds a CR byte
    mark_byte: bool = False         # the file holds the byte 0x01 (the fast path's empty-cell mark)
    head: bytes = b""               # first DETECT_BUFFER bytes
    extra: dict = field(default_factory=dict)


def scan(path: pathlib.Path, *, md5: bool, sha256: bool, utf8: bool) -> RawScan:
    """Stream ``path`` once; validate UTF-8 only when ``utf8`` is true. The byte probes the fast path
    needs (a CR, the byte 0x01) are answered in the same pass."""
    result = RawScan()
    hashers = {k: hashlib.new(k) for k, on in (("md5", md5), ("sha256", sha256)) if on}
    decoder = codecs.getincrementaldecoder("utf-8")() if utf8 else None
    tail = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            if len(result.head) < DETECT_BUFFER:
                result.head += chunk[: DETECT_BUFFER - len(result.head)]
            for hasher in hashers.values():
                hasher.update(chunk)
            if decoder is not None and result.bad_offset is None and not (
                    chunk.isascii() and not decoder.getstate()[0]):  # ASCII after a whole character: valid
                _decode(decoder, chunk, result)
            if not result.odd_bytes:
                result.odd_bytes = bool(chunk.translate(None, PLAIN))
            if result.odd_bytes and not result.mark_byte:
                result.mark_byte = b"\x01" in chunk
            has_cr = b"\r" in chunk  # one byte: memchr, many times faster than a search for two
            result.carriage_return = result.carriage_return or has_cr
            if not result.blank_lines:
                result.blank_lines = _blank_line(tail + chunk[:2], has_cr or b"\r" in tail) or (
                    _blank_line(chunk, has_cr) or (result.size == 0 and chunk[:1] in (b"\n", b"\r")))
            tail = (tail + chunk[-2:])[-2:]  # the last two bytes so far (a chunk may be shorter)
            result.size += len(chunk)
    if decoder is not None and result.bad_offset is None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            result.bad_offset, result.bad_note = result.size - len(error.object) + error.start, str(error)
    for name, hasher in hashers.items():
        setattr(result, name, hasher.hexdigest())
    return result


_LF_LF = re.compile(rb"\n\n")  # the regex engine finds a two-byte literal in half the time of `in`


def _blank_line(data: bytes, has_cr: bool) -> bool:
    """Whether ``data`` holds an empty line: LF LF, or with a CR in it, LF CR LF or CR CR."""
    if _LF_LF.search(data):
        return True
    return has_cr and (b"\n\r\n" in data or b"\r\r" in data)


def _decode(decoder, chunk: bytes, result: RawScan) -> None:
    pending = len(decoder.getstate()[0])
    try:
        decoder.decode(chunk)
    except UnicodeDecodeError as error:
        result.bad_offset = result.size - pending + error.start
        result.bad_note = str(error)


def encoding_cut(path: pathlib.Path, bad_offset: int) -> int:
    """Byte length of the prefix frictionless still reads rows from.

    frictionless decodes 8 KiB chunks; lines completed before the chunk that
    holds the bad byte are validated, the rest is lost.
    """
    chunk_start = (bad_offset // TEXT_CHUNK) * TEXT_CHUNK
    with open(path, "rb") as handle:
        head = handle.read(chunk_start)
    return head.rfind(b"\n") + 1


def copy_prefix(src: pathlib.Path, dst: pathlib.Path, length: int) -> None:
    with open(src, "rb") as inp, open(dst, "wb") as out:
        while length > 0:
            chunk = inp.read(min(CHUNK, length))
            if not chunk:
                break
            out.write(chunk)
            length -= len(chunk)


def transcode(src: pathlib.Path, dst: pathlib.Path, encoding: str) -> None:
    """Rewrite ``src`` as UTF-8 (for DuckDB), undecodable bytes replaced."""
    with open(src, "r", encoding=encoding, errors="replace", newline="") as inp, \
            open(dst, "w", encoding="utf-8", newline="") as out:
        while text := inp.read(CHUNK):
            out.write(text)


def detect_encoding(head: bytes) -> str:
    """frictionless' encoding detection (chardet on the first 100 kB)."""
    try:
        head.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        import chardet  # only for files that are not UTF-8 at the start

        detector = chardet.UniversalDetector()
        for line in head.splitlines():
            detector.feed(line)
        detector.close()
        encoding = detector.result["encoding"] or "utf-8"
        if (detector.result["confidence"] or 0) < 0.5:
            encoding = "utf-8"
            try:
                head.decode(encoding)
            except UnicodeDecodeError:
                encoding = detector.result["encoding"] or "utf-8"
        if encoding == "ascii":
            encoding = "utf-8"
    return codecs.lookup(encoding).name


def sniff(path: pathlib.Path, delimiter: str | None) -> csv.Dialect | type:
    """csv.Sniffer on the first 100 lines of the (UTF-8) file, exactly as frictionless does."""
    lines = []
    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        while len(lines) < SAMPLE_LINES and (line := handle.readline()):
            lines.append(line)
    sample = "".join(lines).lstrip("\ufeff")
    try:
        config = csv.Sniffer().sniff(sample, delimiter or ",\t;|")
    except csv.Error:
        config = csv.excel()
    return config


def space_before_quote(path: pathlib.Path, delimiter: str, quote: str) -> bool:
    """Whether a line or a delimiter is followed by spaces then a quote (where Python's
    ``skipinitialspace`` opens a quoted cell and DuckDB does not)."""
    pattern = re.compile(rb"(?:^|[\r\n]|" + re.escape(delimiter.encode()) + rb") +" + re.escape(quote.encode()))
    tail = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            if pattern.search(tail + chunk):
                return True
            tail = chunk[-4096:]
    return False


def contains(path: pathlib.Path, needle: bytes) -> bool:
    """Whether the file holds ``needle`` (streamed)."""
    tail = b""
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            if needle in tail + chunk:
                return True
            tail = chunk[-len(needle):]
    return False


def _reader(handle, dialect: dict):
    return csv.reader(handle, delimiter=dialect["delim"], quotechar=dialect["quote"] or None,
                      escapechar=dialect.get("escapechar"), doublequote=dialect.get("doublequote", True),
                      skipinitialspace=dialect.get("skip", False),
                      quoting=csv.QUOTE_MINIMAL if dialect["quote"] else csv.QUOTE_NONE)


def blank_record_rows(path: pathlib.Path, encoding: str, dialect: dict) -> list[int]:
    """Row numbers (frictionless count, from 1) of blank records (no cells)."""
    rows = []
    with open(path, encoding=encoding, errors="replace", newline="") as handle:
        for number, cells in enumerate(_reader(handle, dialect), start=1):
            if not cells:
                rows.append(number)
    return rows


def head_widths(path: pathlib.Path, dialect: dict) -> list[int]:
    """Cells in each of the first 100 rows (a blank row has none), as frictionless' sample."""
    widths = []
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        for cells in _reader(handle, dialect):
            widths.append(len(cells))
            if len(widths) == SAMPLE_LINES:
                break
    return widths
