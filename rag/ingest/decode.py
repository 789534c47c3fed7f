"""Bytes -> text: compression, encoding detection (UTF-8 with/without BOM, UTF-16 BOM, GB18030), binary checks."""

from __future__ import annotations

import bz2
import gzip
import lzma
from pathlib import Path
from typing import BinaryIO

from rag.errors import IngestError

COMPRESSED = {".xz": lzma.open, ".gz": gzip.open, ".bz2": bz2.open}
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v\x1b")
MAX_CONTROL_RATIO = 0.01


def open_binary(path: Path) -> BinaryIO:
    """Open a file for reading bytes, decompressing .xz/.gz/.bz2 transparently."""
    opener = COMPRESSED.get(path.suffix.lower())
    return opener(path, "rb") if opener else open(path, "rb")  # type: ignore[operator, return-value]


def read_bytes(path: Path) -> bytes:
    """All (decompressed) bytes of a file; a truncated or corrupt archive raises IngestError."""
    try:
        with open_binary(path) as fh:
            return fh.read()
    except (EOFError, lzma.LZMAError, gzip.BadGzipFile, OSError, ValueError) as exc:
        raise IngestError(f"truncated or corrupt file: {exc}") from exc


def decode_bytes(data: bytes) -> str:
    """Decode file bytes to text, refusing empty, binary or undecodable content."""
    if not data.strip():
        raise IngestError("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _checked(_decode(data, encoding))
    if b"\x00" in data[:65536]:
        raise IngestError("binary file (NUL bytes)")
    for encoding in ("utf-8", "gb18030"):
        try:
            return _checked(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise IngestError("undecodable text (neither UTF-8 nor GB18030)")


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise IngestError(f"undecodable text ({encoding}: {exc.reason})") from exc


def _checked(text: str) -> str:
    """Refuse text that is mostly control characters: a binary file that happened to decode."""
    sample = text[:65536]
    controls = sum(1 for ch in sample if ch < " " and ch not in _ALLOWED_CONTROLS)
    if controls > MAX_CONTROL_RATIO * max(len(sample), 1):
        raise IngestError(f"binary file ({controls} control characters in the first {len(sample)})")
    if not text.strip():
        raise IngestError("empty file (whitespace only)")
    return text.lstrip("\ufeff")


def read_text(path: Path) -> str:
    """Read and decode one text file (possibly compressed)."""
    return decode_bytes(read_bytes(path))
