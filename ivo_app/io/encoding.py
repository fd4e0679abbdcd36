"""Text encoding detection for French exports: UTF-8 (BOM or not), Windows-1252, ISO-8859-15."""

from __future__ import annotations

import codecs
from pathlib import Path

from ivo_app.errors import UnreadableFileError

# Bytes that are printable in Windows-1252 but C1 controls in ISO-8859-15.
_CP1252_ONLY = bytes(range(0x80, 0xA0))
# Bytes whose ISO-8859-15 letter (€ Š š Ž ž Œ œ Ÿ) is plausible in a name, unlike their
# Windows-1252 symbol (¤ ¦ ¨ ´ ¸ ¼ ½ ¾).
_LATIN9_LETTERS = bytes([0xA4, 0xA6, 0xA8, 0xB4, 0xB8, 0xBC, 0xBD, 0xBE])


def looks_binary(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\x00" in head


def detect_encoding(path: Path, head: bytes) -> str:
    """Read the whole file once (in chunks) and name the codec that decodes it."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if looks_binary(head):
        raise UnreadableFileError(
            f"Fichier illisible : {path.name} n'est pas un fichier texte ni un classeur reconnu."
        )
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8_ok = True
    cp1252_only = latin9_letters = False
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            if utf8_ok:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
            if not utf8_ok:
                cp1252_only = cp1252_only or any(b in chunk for b in _CP1252_ONLY)
                latin9_letters = latin9_letters or any(b in chunk for b in _LATIN9_LETTERS)
                if cp1252_only:
                    break
    if utf8_ok:
        try:
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
    if cp1252_only or not latin9_letters:
        return "cp1252"
    return "iso-8859-15"
