"""A CSV resource loaded into DuckDB as text, with what is needed to number rows like frictionless.

The file is read once by DuckDB as VARCHAR columns ``c1..cN`` (ragged rows
padded with NULL) in the dialect frictionless would use: what the descriptor
declares, the rest sniffed by ``csv.Sniffer`` on the first 100 lines, as
frictionless does (delimiter, quote character, ``skipInitialSpace``). Blank
lines, which DuckDB skips and frictionless counts, are found by ``rawscan``.
"""

from __future__ import annotations

import bisect
import codecs

from . import fastpath, rawscan
from . import sqlchecks as sq
from . import tablechecks as tc
from . import widechecks as wc

NULL_MARK = "\x01"  # DuckDB's null string: no cell is NULL except those of short rows


class Stop(Exception):
    """A descriptor-level problem: the resource cannot be checked further."""

    def __init__(self, code: str, note: str, field: str | None = None):
        super().__init__(note)
        self.code, self.note, self.field = code, note, field


class Fallback(Exception):
    """The fast path cannot judge this resource exactly: frictionless checks it."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Table:
    """A resource file loaded into DuckDB, with what is needed to number rows."""

    def __init__(self):
        self.layout: tc.Layout | None = None
        self.scan: rawscan.RawScan | None = None
        self.fields: list[dict] = []
        self.blank_rows: list[int] = []
        self.adjusted: list[int] = []
        self.records = 0
        self.encoding_error = ""

    @classmethod
    def load(cls, con, tmp, resource, path, schema, name) -> Table:
        self = cls()
        self.fields = list(schema.get("fields", []))
        declared = resource.get("encoding")
        hashing = str(resource.get("hash") or "")
        algo = hashing.split(":", 1)[0] if ":" in hashing else ("md5" if hashing else "")
        encoding = codecs.lookup(declared).name if declared else None
        utf8 = encoding in (None, "utf-8", "utf-8-sig")
        declared_dialect = fastpath.csv_dialect(resource)
        self.scan = rawscan.scan(path, md5=algo == "md5", sha256=algo == "sha256", utf8=utf8)
        data_path, encoding = self._prepare(tmp, name, path, encoding)
        dialect = self._dialect(declared_dialect, data_path)
        same = data_path == path  # the scan's byte probes hold for the data (not transcoded or cut)
        if fastpath.file_format(resource) == "tsv" and (
                self.scan.carriage_return if same else rawscan.contains(data_path, b"\r")):
            raise Fallback("a TSV file with CR characters (frictionless reads it with universal newlines)")
        if dialect["skip"] and dialect["quote"] and rawscan.space_before_quote(data_path, dialect["delim"],
                                                                               dialect["quote"]):
            raise Fallback("skipInitialSpace before a quoted cell")
        if self.scan.odd_bytes and (
                self.scan.mark_byte if same else rawscan.contains(data_path, NULL_MARK.encode())):
            raise Fallback("a cell holds the byte 0x01, which the fast path uses to mark empty cells")
        if self.scan.blank_lines:
            self.blank_rows = rawscan.blank_record_rows(data_path, "utf-8-sig", dialect)
            self.adjusted = [b - j for j, b in enumerate(self.blank_rows, start=1)]
        self._read(con, name, data_path, dialect, schema)
        return self

    def _prepare(self, tmp, name, path, encoding):
        scan = self.scan
        if encoding is None and not scan.head.isascii():
            encoding = rawscan.detect_encoding(scan.head)  # frictionless asks chardet
        if encoding not in (None, "utf-8", "utf-8-sig"):
            out = tmp / f"{name}.csv"
            rawscan.transcode(path, out, encoding)
            return out, encoding
        if scan.bad_offset is not None:
            self.encoding_error = scan.bad_note
            cut = rawscan.encoding_cut(path, scan.bad_offset)
            out = tmp / f"{name}.csv"
            rawscan.copy_prefix(path, out, cut if cut else 0)
            with open(out, "rb") as handle:
                if sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) < 101:
                    raise Stop("encoding-error", scan.bad_note)
            return out, "utf-8"
        return path, "utf-8"

    def _dialect(self, declared: fastpath.CsvDialect, data_path) -> dict:
        """What frictionless' CSV parser uses: the declared options, the rest sniffed."""
        config = rawscan.sniff(data_path, declared.delimiter)
        sniffed_quote = config.quotechar if config.quotechar != "'" else '"'
        skip = declared.skip_initial_space
        return {"delim": declared.delimiter or config.delimiter,
                "quote": declared.quote_char if declared.quote_char is not None else sniffed_quote,
                "escapechar": None, "doublequote": True,
                "skip": bool(config.skipinitialspace) if skip is None else skip,
                "header": declared.header, "explicit_header": declared.header_explicit,
                "header_row": declared.header_rows[0] if declared.header_rows else 1}

    def _read(self, con, name, path, dialect, schema) -> None:
        ncols = len(self.fields) + 4
        while True:
            self._load_csv(con, name, path, dialect, ncols)
            spill = con.execute(f"SELECT count(*) FROM {name} WHERE c{ncols} IS NOT NULL").fetchone()[0]
            if not spill:
                break
            ncols *= 2
        self.records = con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
        if not self.records:  # frictionless has its own verdicts on a file without a record
            raise Fallback("the file holds no record")
        labels, header_record = [], 0
        if dialect["header"]:
            header_record = self._header_record(path, dialect)
            first = con.execute(f"SELECT * FROM {name} WHERE rowid = {header_record - 1}").fetchone()
            labels = [c.strip() for c in first if c is not None]
            if labels and labels[0].startswith("\ufeff"):
                labels[0] = labels[0][1:].strip()
        expected = tc.expected_fields(self.fields, labels, dialect["header"])
        mv = schema.get("missingValues", [""])
        self.layout = tc.Layout(name, ncols, dialect["header"], labels, expected, mv, header_record,
                                ascii_cells=not self.scan.odd_bytes)

    def _header_record(self, path, dialect) -> int:
        """frictionless' header detection: the first of the first 100 rows whose
        width is near the average width (when the dialect does not set header)."""
        if dialect["explicit_header"]:
            return self._declared_header(dialect["header_row"])
        blanks, widths = set(self.blank_rows), rawscan.head_widths(path, dialect)
        if not widths:
            return 1
        width = round(sum(widths) / len(widths))
        drift = max(round(width * 0.1), 1)
        for row, cells in enumerate(widths, start=1):
            if width - drift <= cells <= width + drift:
                if row in blanks:
                    raise Fallback(f"header row {row} is blank")
                return row - sum(1 for b in blanks if b < row)
        return 1

    def _declared_header(self, row: int) -> int:
        """The DuckDB record of the declared header row (rows count blank lines, records do not)."""
        if row in self.blank_rows:
            raise Fallback(f"header row {row} is blank")
        record = row - bisect.bisect_left(self.blank_rows, row)
        if record > self.records:
            raise Fallback(f"header row {row} is past the end of the file")
        return record

    def _load_csv(self, con, name, path, dialect, ncols) -> None:
        cols = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(1, ncols + 1)) + "}"
        if ncols > 2000:  # the reader reserves buffers per column (a third of it is really used)
            con.execute(f"SET memory_limit = '{1024 + ncols // 8}MB'")
        escape = dialect["escapechar"] or (dialect["quote"] if dialect["doublequote"] else "")
        options = (f"header=false, auto_detect=false, null_padding=true, strict_mode=false, "
                   f"nullstr='{NULL_MARK}', delim={sq.lit(dialect['delim'])}, quote={sq.lit(dialect['quote'])}, "
                   f"escape={sq.lit(escape)}, columns={cols}")
        path_sql = sq.lit(str(path))
        select = "*"
        if dialect["skip"]:  # Python's skipinitialspace: spaces after a delimiter are not in the cell
            select = ", ".join(f"ltrim(c{i}, ' ') AS c{i}" for i in range(1, ncols + 1))
        con.execute(f"DROP TABLE IF EXISTS {name}")
        import duckdb

        try:
            try:
                con.execute(f"CREATE TABLE {name} AS SELECT {select} FROM read_csv({path_sql}, {options})")
            except duckdb.Error as error:  # quoted newlines need the serial reader
                if "parallel" not in str(error):
                    raise
                con.execute(f"CREATE TABLE {name} AS SELECT {select} FROM read_csv({path_sql}, {options}, "
                            "parallel=false)")
        except (duckdb.InvalidInputException, duckdb.ConversionException) as error:
            # e.g. a line longer than DuckDB's max_line_size: Python's reader has no such limit
            raise Fallback(f"DuckDB's CSV reader cannot read the file ({type(error).__name__})") from error

    @property
    def rows(self) -> int:
        header = self.layout.header_record if self.layout.header else 0
        return self.records - header + len(self.content_blank_rows)

    @property
    def content_blank_rows(self) -> list[int]:
        start = self.row_number(self.layout.header_record) if self.layout.header else 0
        return [row for row in self.blank_rows if row > start]

    @property
    def wide(self) -> bool:
        return len(self.layout.expected) >= wc.WIDE

    def row_number(self, record: int) -> int:
        return record + bisect.bisect_left(self.adjusted, record)

    def header_findings(self) -> list[tuple]:
        if not self.layout.header or not self.layout.labels:
            return []
        return [(code, fld, note) for _, _, code, fld, note in tc.header_errors(self.fields, self.layout.labels)]

    def data_findings(self, con, limit, sources, schema) -> list[tuple]:
        layout, pk = self.layout, schema["primaryKey"]
        raw = (wc.row_errors if self.wide else tc.row_errors)(con, layout, limit)
        self._keep_keys(con, schema, sources)
        raw += tc.unique_errors(con, layout, limit)
        raw += tc.primary_key_errors(con, layout, pk, limit)
        for rank, (fk, source) in enumerate(zip(schema["foreignKeys"], sources)):
            raw += tc.foreign_key_errors(con, layout, source, fk, rank, limit)
        items = [(self.row_number(n), rank, code, fld, note) for n, rank, code, fld, note in raw]
        has_pk = bool(pk) and all(layout.col(name) for name in pk)
        for row in self.content_blank_rows[:limit]:
            items.append((row, tc.RANK_CELL, "blank-row", None, ""))
            if has_pk:
                items.append((row, tc.RANK_PK, "primary-key", None,
                              'cells composing the primary keys are all "None"'))
        return items

    def _keep_keys(self, con, schema, sources) -> None:
        """Type the key fields once (``tablechecks.keep_keys``) when the key checks would type them
        over the whole table more than once between them."""
        unique = [f["name"] for f in self.layout.expected if (f.get("constraints") or {}).get("unique")]
        names, passes = list(schema["primaryKey"]) + unique, 2 * bool(schema["primaryKey"]) + len(unique)
        for fk, source in zip(schema["foreignKeys"], sources):
            names += fk["fields"]
            passes += 1
            if source is self.layout:  # into its own resource: the referenced fields are typed here too
                names += fk["reference"]["fields"]
                passes += 1
        if passes > 1:
            tc.keep_keys(con, self.layout, names)

    def check_certain(self, con, compared: set[str]) -> None:
        """Raise Fallback when a data cell is one only Python's readers judge exactly."""
        layout, odd = self.layout, self.scan.odd_bytes
        if self.wide:
            wc.unpivot(con, layout)
            record = wc.uncertain_record(con, layout, compared, odd)
            if record is not None:
                raise Fallback(f"record {record} holds a cell only Python's readers judge exactly")
            return
        terms = []
        for index, item in enumerate(layout.expected, start=1):
            col = f"c{index}"
            sql = sq.uncertain(item, col, keyed=item["name"] in compared, odd_bytes=odd)
            if sql:
                mv = item.get("missingValues", layout.missing_values)
                terms.append(f"(NOT {sq.missing(col, mv)} AND ({sql}))")
        if not terms:
            return
        where = sq.joined(terms, "OR", "false")
        found = con.execute(f"SELECT rowid + 1 FROM {layout.table} WHERE rowid + 1 >= {layout.first} "
                            f"AND ({where}) LIMIT 1").fetchone()
        if found:
            raise Fallback(f"record {found[0]} holds a cell only Python's readers judge exactly")

    def file_findings(self, resource: dict) -> list[tuple[str, str]]:
        out = []
        declared = str(resource.get("hash") or "")
        if declared:
            algo, expected = declared.split(":", 1) if ":" in declared else ("md5", declared)
            actual = getattr(self.scan, algo, None) if algo in ("md5", "sha256") else None
            if actual and (actual != expected or self.encoding_error):
                out.append(("hash-count", f'expected is "{expected}" and actual is "{actual}"'))
        if resource.get("bytes") and (resource["bytes"] != self.scan.size or self.encoding_error):
            out.append(("byte-count", f'expected is "{resource["bytes"]}" and actual is "{self.scan.size}"'))
        return out
