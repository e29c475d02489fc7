"""A small reader of the uncompressed PDFs our renderers write (tests render
with compression off): it checks the file's structure (header, cross-reference
table, every object where the table says) and extracts the text by decoding
each font's ToUnicode map, so a test can read what a person would see.

Not a general PDF parser: enough for fpdf2's output, with no third-party code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

OBJ = re.compile(rb"(\d+) (\d+) obj\b(.*?)\bendobj", re.S)
STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
FONT_REF = re.compile(rb"/(F\d+) (\d+) 0 R")


@dataclass
class Pdf:
    data: bytes
    objects: dict[int, bytes] = field(default_factory=dict)

    def stream(self, num: int) -> bytes:
        found = STREAM.search(self.objects[num])
        assert found, f"object {num} has no stream"
        return found.group(1)


def parse(data: bytes) -> Pdf:
    """The objects of a PDF whose structure is sound (asserted)."""
    assert data.startswith(b"%PDF-1."), data[:16]
    assert data.rstrip().endswith(b"%%EOF")
    start = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    assert data[start : start + 4] == b"xref", "startxref points at no xref"
    pdf = Pdf(data)
    lines = data[start:].split(b"trailer", 1)[0].splitlines()[1:]
    n = 0
    for line in lines:
        parts = line.split()
        if len(parts) == 2:  # a subsection: first object number, count
            n = int(parts[0])
            continue
        if len(parts) == 3 and parts[2] == b"n":
            offset = int(parts[0])
            head = f"{n} {int(parts[1])} obj".encode()
            assert data[offset : offset + len(head)] == head, f"object {n} misplaced"
        n += 1
    for match in OBJ.finditer(data):
        pdf.objects[int(match.group(1))] = match.group(3)
    assert pdf.objects, "no objects"
    return pdf


def _literal(buf: bytes, i: int) -> tuple[bytes, int]:
    """A literal string starting after its '(' at ``i``; returns the bytes and
    the index after the closing ')'."""
    out, depth = bytearray(), 1
    escapes = {b"n": 10, b"r": 13, b"t": 9, b"b": 8, b"f": 12}
    while True:
        ch = buf[i : i + 1]
        if ch == b"\\":
            nxt = buf[i + 1 : i + 2]
            if nxt in escapes:
                out.append(escapes[nxt])
                i += 2
            elif nxt.isdigit():
                digits = re.match(rb"[0-7]{1,3}", buf[i + 1 : i + 4])
                assert digits
                out.append(int(digits.group(0), 8))
                i += 1 + len(digits.group(0))
            elif nxt in (b"\r", b"\n"):
                i += 2
            else:
                out += nxt
                i += 2
            continue
        if ch == b"(":
            depth += 1
        elif ch == b")":
            depth -= 1
            if depth == 0:
                return bytes(out), i + 1
        out += ch
        i += 1


def _cmaps(pdf: Pdf) -> dict[str, dict[int, str] | None]:
    """Font resource name -> its ToUnicode map (None: a simple Latin-1 font)."""
    out: dict[str, dict[int, str] | None] = {}
    for body in pdf.objects.values():
        for name, num in FONT_REF.findall(body):
            font = pdf.objects.get(int(num), b"")
            ref = re.search(rb"/ToUnicode (\d+) 0 R", font)
            if ref is None:
                out[name.decode()] = None
                continue
            cmap: dict[int, str] = {}
            for src, dst in BFCHAR.findall(pdf.stream(int(ref.group(1)))):
                cmap[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
            out[name.decode()] = cmap
    return out


def _decode(raw: bytes, cmap: dict[int, str] | None) -> str:
    if cmap is None:
        return raw.decode("latin-1")
    # A glyph with no entry is the rest of a shaped cluster whose first glyph
    # maps to all of its characters (a Devanagari vowel sign placed before).
    return "".join(
        cmap.get(int.from_bytes(raw[i : i + 2], "big"), "")
        for i in range(0, len(raw) - 1, 2)
    )


def text(data: bytes) -> str:
    """The text of every page: one line per text object (BT ... ET)."""
    pdf = parse(data)
    cmaps = _cmaps(pdf)
    out: list[str] = []
    for _num, body in sorted(pdf.objects.items()):
        if b"/Type /Page" not in body or b"/Type /Pages" in body:
            continue
        contents = re.search(rb"/Contents (\d+) 0 R", body)
        assert contents
        out.append(_page_text(pdf.stream(int(contents.group(1))), cmaps))
    return "\n".join(out)


def _page_text(content: bytes, cmaps: dict[str, dict[int, str] | None]) -> str:
    """Text operators in order; the font follows Tf and the q / Q stack."""
    font: dict[int, str] | None = None
    saved: list[dict[int, str] | None] = []
    line: list[str] = []
    lines: list[str] = []
    i = 0
    while i < len(content):
        ch = content[i : i + 1]
        if ch == b"(":
            raw, i = _literal(content, i + 1)
            line.append(_decode(raw, font))
            continue
        alone = (i == 0 or content[i - 1 : i].isspace()) and (
            content[i + 1 : i + 2].isspace() or i + 1 == len(content)
        )
        if alone and ch == b"q":
            saved.append(font)
        elif alone and ch == b"Q" and saved:
            font = saved.pop()
        name = re.match(rb"/(F\d+) [\d.]+ Tf", content[i:])
        if name:
            font = cmaps.get(name.group(1).decode())
            i += len(name.group(0))
            continue
        if content[i : i + 2] == b"ET":
            if line:  # a text object that only sets the font shows nothing
                lines.append("".join(line))
            line = []
        i += 1
    return "\n".join(lines)
