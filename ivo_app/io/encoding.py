"""Text encoding detection for French exports: UTF-8 (BOM or not), Windows-1252, ISO-8859-15.

A file is decoded with one codec or not at all: a UTF-8 file with one Windows-1252 line (or the
reverse) is refused with the line, never re-decoded as a whole in the other codec.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from ivo_app.errors import UnreadableFileError

# Bytes that are printable in Windows-1252 but C1 controls in ISO-8859-15.
_CP1252_ONLY = bytes(range(0x80, 0xA0))
# Bytes whose ISO-8859-15 letter (€ Š š Ž ž Œ œ Ÿ) is plausible in a name, unlike their
# Windows-1252 symbol (¤ ¦ ¨ ´ ¸ ¼ ½ ¾).
_LATIN9_LETTERS = bytes([0xA4, 0xA6, 0xA8, 0xB4, 0xB8, 0xBC, 0xBD, 0xBE])
_NON_ASCII = re.compile(rb"[\x80-\xff]")
# A UTF-8 encoded Latin letter (é is C3 A9): in a Windows-1252 text these pairs read "Ã©", which
# no French export contains on purpose.
_UTF8_LATIN = re.compile(rb"[\xc2-\xc5][\x80-\xbf]")


@dataclass(frozen=True)
class TextFacts:
    encoding: str
    has_nul: bool  # some line holds a NUL byte: the readers reject those lines


def looks_binary(head: bytes) -> bool:
    """A NUL byte in the first line (the header) or many of them: not a text export. A NUL byte
    further down is one damaged line, rejected by the reader with its number."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    first_line = head.split(b"\n", 1)[0]
    return b"\x00" in first_line or head.count(b"\x00") > max(8, len(head) // 100)


def detect_encoding(path: Path, head: bytes) -> str:
    return scan_text(path, head).encoding


def _line_of(prefix_lines: int, chunk: bytes, offset: int) -> int:
    return prefix_lines + chunk.count(b"\n", 0, offset) + 1


def scan_text(path: Path, head: bytes) -> TextFacts:
    """Read the whole file once (in chunks): the codec that decodes all of it, and whether it
    holds NUL bytes. A mixture of UTF-8 and 8-bit lines raises UnreadableFileError with the line."""
    if head.startswith(codecs.BOM_UTF8):
        return TextFacts("utf-8-sig", _has_nul(path))
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return TextFacts("utf-16", False)
    if looks_binary(head):
        raise UnreadableFileError(
            f"Fichier illisible : {path.name} n'est pas un fichier texte ni un classeur reconnu."
        )
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8_ok = True
    utf8_seen_line = 0  # first line with UTF-8 encoded non-ASCII text
    eight_bit_line = 0  # first line that is not UTF-8
    cp1252_only = latin9_letters = has_nul = False
    lines = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            has_nul = has_nul or b"\x00" in chunk
            if utf8_ok:
                try:
                    decoder.decode(chunk)
                    if not utf8_seen_line and (m := _NON_ASCII.search(chunk)):
                        utf8_seen_line = _line_of(lines, chunk, m.start())
                except UnicodeDecodeError as exc:
                    utf8_ok = False
                    # A sequence cut by the chunk boundary is held by the decoder: the error's
                    # offset is within this chunk, the valid prefix before it is UTF-8.
                    start = max(0, exc.start)
                    if not utf8_seen_line and (m := _NON_ASCII.search(chunk, 0, start)):
                        utf8_seen_line = _line_of(lines, chunk, m.start())
                    eight_bit_line = _line_of(lines, chunk, start)
                    rest = chunk[start:]
                    if not utf8_seen_line and (m := _UTF8_LATIN.search(rest)):
                        utf8_seen_line = _line_of(lines, chunk, start + m.start())
            elif not utf8_seen_line and (m := _UTF8_LATIN.search(chunk)):
                utf8_seen_line = _line_of(lines, chunk, m.start())
            if not utf8_ok:
                cp1252_only = cp1252_only or any(b in chunk for b in _CP1252_ONLY)
                latin9_letters = latin9_letters or any(b in chunk for b in _LATIN9_LETTERS)
            if utf8_seen_line and eight_bit_line:
                break
            lines += chunk.count(b"\n")
    if utf8_ok:
        try:
            decoder.decode(b"", final=True)
            return TextFacts("utf-8", has_nul)
        except UnicodeDecodeError:
            eight_bit_line = lines + 1
    if utf8_seen_line and eight_bit_line:
        raise UnreadableFileError(
            f"Fichier illisible : {path.name} mélange deux encodages (ligne {utf8_seen_line} en UTF-8, "
            f"ligne {eight_bit_line} en Windows-1252/ISO-8859) ; réenregistrez-le dans un seul "
            "encodage, rien n'a été importé."
        )
    if cp1252_only or not latin9_letters:
        return TextFacts("cp1252", has_nul)
    return TextFacts("iso-8859-15", has_nul)


def _has_nul(path: Path) -> bool:
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            if b"\x00" in chunk:
                return True
    return False
