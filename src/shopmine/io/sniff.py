"""What kind of file is this: format, compression, encoding, delimiter."""

from __future__ import annotations

import codecs
import gzip
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from shopmine.errors import ShopmineInputError, invalid_value

SNIFF_BYTES = 1 << 20
CSV_SUFFIXES = {".csv", ".txt", ".tsv", ".psv", ".dat"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls"}
ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8", "utf-16": "utf-16",
             "utf16": "utf-16", "latin-1": "latin-1", "latin1": "latin-1", "iso-8859-1": "latin-1",
             "cp1252": "latin-1", "windows-1252": "latin-1"}


@dataclass(frozen=True)
class FileFormat:
    kind: str  # csv | parquet | excel
    compression: str | None = None  # gzip or None
    encoding: str = "utf-8"
    delimiter: str | None = None  # None: let DuckDB's sniffer decide
    quoted: bool = False  # some field in the first MB starts with a double quote
    mixed_newlines: bool = False  # CRLF and bare LF line ends in the first MB


def _head(path: Path, gz: bool) -> bytes:
    if not gz:
        with open(path, "rb") as fh:
            return fh.read(SNIFF_BYTES)
    try:
        with gzip.open(path, "rb") as fh:
            return fh.read(SNIFF_BYTES)
    except (OSError, EOFError, zlib.error) as exc:
        raise ShopmineInputError(f"{path}: not a readable gzip file ({exc}).") from None


def check_gzip(path: Path) -> None:
    """Read a gzip file to its end: a truncated download must fail before anything is loaded.

    DuckDB 1.5's reader stops quietly at a truncated gzip stream and would load only a part.
    """
    try:
        with gzip.open(path, "rb") as fh:
            while fh.read(1 << 24):
                pass
    except (OSError, EOFError, zlib.error) as exc:
        raise ShopmineInputError(
            f"{path}: the gzip file is damaged or truncated ({exc}); download or export it again."
        ) from None


def _sniff_encoding(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # A cut in the middle of a multi-byte character at the end of the sample is fine.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "latin-1"


def _sniff_delimiter(head: bytes, encoding: str) -> str | None:
    text = head.decode("utf-16" if encoding == "utf-16" else encoding, errors="replace")
    lines = [ln for ln in text.splitlines()[:50] if ln.strip()]
    if not lines:
        return None
    best, best_score = None, 0
    for delim in (",", ";", "\t", "|"):
        counts = [ln.count(delim) for ln in lines[:-1] or lines]
        # A delimiter that splits every line the same number of times (> 0) is the one.
        if counts and min(counts) > 0:
            score = min(counts) * (2 if len(set(counts)) == 1 else 1)
            if score > best_score:
                best, best_score = delim, score
    return best


def sniff(path: Path, delimiter: str | None = None, encoding: str | None = None) -> FileFormat:
    """Detect the format of ``path``; explicit ``delimiter``/``encoding`` win over sniffing."""
    path = Path(path)
    if not path.exists():
        raise ShopmineInputError(f"{path}: no such file; check the path (globs are expanded by shopmine).")
    if path.is_dir():
        raise ShopmineInputError(f"{path}: is a folder; give the order files inside it.")
    suffixes = [s.lower() for s in path.suffixes]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    main = suffixes[-2] if gz and len(suffixes) > 1 else (suffixes[-1] if suffixes else "")
    if main == ".parquet" or main == ".pq":
        return FileFormat("parquet")
    if main in EXCEL_SUFFIXES:
        return FileFormat("excel")
    if path.stat().st_size == 0:
        raise ShopmineInputError(f"{path}: the file is empty; export the order log again.")
    head = _head(path, gz)
    if not head.strip():
        raise ShopmineInputError(f"{path}: the file is empty; export the order log again.")
    if encoding is not None:
        enc = ENCODINGS.get(encoding.lower())
        if enc is None:
            raise ShopmineInputError(
                f"{{encoding}} {encoding!r} is not supported; use one of utf-8, utf-16, latin-1.", "encoding"
            )
    else:
        enc = _sniff_encoding(head)
    if delimiter is not None and delimiter in ("\\t", "tab"):
        delimiter = "\t"
    if delimiter is not None and len(delimiter) != 1:
        raise invalid_value("delimiter", "one character", delimiter)
    if enc != "utf-16":
        _check_nul(path, head)
    delim = delimiter if delimiter is not None else _sniff_delimiter(head, enc)
    quoted = mixed = False
    if enc != "utf-16":  # a UTF-16 quote or newline is two bytes
        starts = re.escape(delim.encode()) if delim is not None else rb"[,;\t|]"
        quoted = re.search(rb'(?:^|' + starts + rb')\s*"', head, re.MULTILINE) is not None
        mixed = b"\r\n" in head and re.search(rb"(?<!\r)\n", head) is not None
    return FileFormat("csv", "gzip" if gz else None, enc, delim, quoted, mixed)


def _check_nul(path: Path, head: bytes) -> None:
    """Refuse text with NUL bytes where the reader would mistake them for names or values.

    UTF-16 without a byte-order mark looks like ASCII with a NUL after every character; a NUL in
    the header line would become part of a column name.
    """
    if b"\x00" not in head:
        return
    if head[1::2].count(0) > len(head) // 4:
        raise ShopmineInputError(
            f"{path}: looks like UTF-16 text without a byte-order mark; save it as UTF-8 (or as UTF-16 "
            "with a byte-order mark) and ingest it again.")
    if b"\x00" in head.split(b"\n", 1)[0]:
        raise ShopmineInputError(
            f"{path}: the header line holds a NUL byte, so the column names cannot be read; the file is "
            "damaged or not a text export: export it again.")
