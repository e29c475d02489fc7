"""A reader of the ESC/POS streams our encoder writes, for the tests: it walks
the commands (refusing any it does not know, so a stray byte fails a test),
keeps the printed text lines with their styles and the raster pictures."""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

# command prefix -> number of parameter bytes after it
FIXED = {
    b"\x1b@": 0,  # initialise
    b"\x1ba": 1,  # align
    b"\x1bE": 1,  # bold
    b"\x1bd": 1,  # feed lines
    b"\x1d!": 1,  # character size
    b"\x1dB": 1,  # reverse video
    b"\x1dV": 2,  # cut (function B: m, n)
}


@dataclass
class Printed:
    commands: list[bytes] = field(default_factory=list)
    lines: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    rasters: list[Image.Image] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line for line, _style in self.lines)

    def style_of(self, fragment: str) -> dict[str, int]:
        return next(style for line, style in self.lines if fragment in line)


def read(data: bytes) -> Printed:
    out = Printed()
    style = {"align": 0, "bold": 0, "size": 0, "reverse": 0}
    keys = {b"\x1ba": "align", b"\x1bE": "bold", b"\x1d!": "size", b"\x1dB": "reverse"}
    buf = bytearray()
    i = 0
    while i < len(data):
        byte = data[i : i + 1]
        if byte in (b"\x1b", b"\x1d"):
            head = data[i : i + 2]
            if head == b"\x1dv":
                assert data[i + 2 : i + 4] == b"0\x00", data[i : i + 8]
                xl, xh, yl, yh = data[i + 4 : i + 8]
                row, rows = xl + 256 * xh, yl + 256 * yh
                bits = data[i + 8 : i + 8 + row * rows]
                assert len(bits) == row * rows, "raster data cut short"
                image = Image.frombytes("1", (row * 8, rows), bytes(bits))
                out.rasters.append(image)
                out.commands.append(b"\x1dv0")
                i += 8 + row * rows
                continue
            assert head in FIXED, f"unknown command {data[i : i + 4]!r} at {i}"
            params = data[i + 2 : i + 2 + FIXED[head]]
            if head in keys:
                style[keys[head]] = params[0]
            out.commands.append(head)
            i += 2 + FIXED[head]
            continue
        if byte == b"\n":
            out.lines.append((buf.decode("ascii"), dict(style)))
            buf.clear()
        else:
            assert 0x20 <= byte[0] < 0x7F, f"unprintable byte {byte!r} at {i}"
            buf += byte
        i += 1
    assert not buf, f"text never printed: {bytes(buf)!r}"
    return out


def stacked(rasters: list[Image.Image]) -> Image.Image:
    """The raster bands one under the other (ink black), as the paper shows."""
    width = max(r.width for r in rasters)
    height = sum(r.height for r in rasters)
    sheet = Image.new("L", (width, height), 255)
    y = 0
    for r in rasters:
        sheet.paste(r.convert("L").point(lambda v: 0 if v else 255), (0, y))
        y += r.height
    return sheet
