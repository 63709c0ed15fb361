"""A record file's bytes as text: UTF-8 (with or without a BOM), UTF-16 with a BOM, or, detected by
charset-normalizer, the legacy encodings of Russian and English archives (cp1251, KOI8-R, cp1252)."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from charset_normalizer import from_bytes

UTF8 = "UTF-8"
# Detection chooses only among the encodings such an archive holds: left free, it read one sentence in
# ten of KOI8-R Russian as Shift JIS, cp932 or UTF-16 (300 NTREX sentences).
_DETECTED = {"cp1251": "cp1251", "koi8_r": "KOI8-R", "cp1252": "cp1252"}
_BOMS = ((codecs.BOM_UTF8, "utf-8", UTF8), (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
         (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"))
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
TRIED = "UTF-8, UTF-16 (with a BOM), cp1251, KOI8-R or cp1252"


class Undecodable(ValueError):
    """Bytes that are not text in the encoding tried; `line` is the file's line the first bad byte is on."""

    def __init__(self, reason: str, raw: bytes, offset: int, codec: str, start: int = 0, line: int = 1) -> None:
        """`raw` holds the file's bytes from byte `start` (on line `line`); `offset` is where in `raw` the bad byte is."""
        super().__init__(f"{reason} (byte {start + offset} of the file: {raw[offset:offset + 1]!r})")
        self.line = line + raw[:offset].decode(codec, "replace").count("\n")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # as a reader would write it: UTF-8, UTF-16, cp1251, KOI8-R, cp1252, or as forced


def check_encoding(name: str) -> None:
    """LookupError when Python has no codec called `name`."""
    codecs.lookup(name)


def decode(raw: bytes, forced: str | None = None) -> Decoded:
    """The text of a whole file: in `forced` when given, else by its BOM, as UTF-8, or detected."""
    if forced and codecs.lookup(forced).name != "utf-8":
        return Decoded(_decode_as(raw, forced, f"not valid {forced} text"), forced)
    for bom, codec, name in _BOMS:
        if raw.startswith(bom) and (not forced or name == UTF8):
            return Decoded(_decode_as(raw[len(bom):], codec, f"not valid {name} text", len(bom)), name)
    try:
        return Decoded(raw.decode("utf-8"), UTF8)
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    best = None if forced else from_bytes(raw, cp_isolation=list(_DETECTED)).best()
    if best is None:
        raise Undecodable(f"not valid {forced} text" if forced else f"not {TRIED} text", raw, first_bad, "utf-8")
    return Decoded(raw.decode(best.encoding), _DETECTED.get(best.encoding, best.encoding))


def decode_lines(raw: bytes, forced: str | None = None) -> tuple[str, list[tuple[int, str | Undecodable]]]:
    """A `.jsonl` file's encoding and its non-blank lines by number, decoded as a whole (as `decode`),
    except a file read as UTF-8 with lines of other bytes: each line is then decoded on its own, so a
    damaged line is an error and the others are read."""
    if _damaged_utf8(raw, forced):
        return UTF8, _utf8_lines(raw, f"not valid {forced or UTF8} text")
    try:
        decoded = decode(raw, forced)
    except Undecodable:
        if forced or raw.startswith(_UTF16_BOMS):
            raise
        return UTF8, _utf8_lines(raw, f"not {TRIED} text")
    lines = decoded.text.split("\n")
    # A BOM opening a later line is where two files were joined, not text.
    return decoded.encoding, [(number, line.lstrip("\ufeff")) for number, line in enumerate(lines, start=1)
                              if line.strip()]


def utf8_file_lines(path: Path, forced: str | None = None) -> Iterator[tuple[int, str]] | None:
    """A UTF-8 `.jsonl` file's non-blank lines by number, as `decode_lines` gives them, read one at a time
    rather than the file at once; None when the file is not all UTF-8 (or `forced` is another encoding),
    for `decode_lines` to read it."""
    if forced and codecs.lookup(forced).name != "utf-8":
        return None
    checker = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as handle:
        if handle.read(2) in _UTF16_BOMS:
            return None
        handle.seek(0)
        try:
            while block := handle.read(1 << 20):
                checker.decode(block)
            checker.decode(b"", final=True)
        except UnicodeDecodeError:
            return None
    return _lines_of(path)


def _lines_of(path: Path) -> Iterator[tuple[int, str]]:
    with open(path, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            # A BOM opening a line is the file's own, or where two files were joined: not text.
            text = line.decode("utf-8").removesuffix("\n").lstrip("\ufeff")
            if text.strip():
                yield number, text


def _damaged_utf8(raw: bytes, forced: str | None) -> bool:
    """Whether lines of `raw` are not UTF-8 in a file that is: UTF-8 was asked for, or other lines are UTF-8
    beyond ASCII (a line of Russian in cp1251 or KOI8-R is never also valid UTF-8)."""
    if (forced and codecs.lookup(forced).name != "utf-8") or raw.startswith(_UTF16_BOMS) or _is_utf8(raw):
        return False
    return bool(forced) or any(_is_utf8(line) and not line.isascii() for line in raw.split(b"\n"))


def _utf8_lines(raw: bytes, reason: str) -> list[tuple[int, str | Undecodable]]:
    lines: list[tuple[int, str | Undecodable]] = []
    start = 0
    for number, line in enumerate(raw.split(b"\n"), start=1):
        # A BOM opening a later line is where two files were joined, not text.
        bom = len(codecs.BOM_UTF8) if line.startswith(codecs.BOM_UTF8) else 0
        if line.strip():
            try:
                lines.append((number, _decode_as(line[bom:], "utf-8", reason, start + bom, number)))
            except Undecodable as exc:
                lines.append((number, exc))
        start += len(line) + 1
    return lines


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decode_as(raw: bytes, codec: str, reason: str, start: int = 0, line: int = 1) -> str:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as exc:
        raise Undecodable(reason, raw, exc.start, codec, start, line) from None
