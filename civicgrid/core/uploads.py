"""Whether an uploaded file is what it says: a whole image (or PDF), not only its first bytes.

The first bytes alone let an 8-byte PNG signature through as a "photo" that no browser can
show, and a truncated or corrupted upload be stored. Without an image library in the
project's dependencies, each format's structure is walked instead: PNG chunks with their
checksums (IHDR first, image data, IEND last, the image data a valid zlib stream), JPEG
segments up to a frame header and the scan with the end-of-image marker after it, WEBP's
RIFF container with a VP8/VP8L/VP8X chunk, a PDF's header and end-of-file marker. An image
whose header declares more than ``MAX_PIXELS`` is refused too (a decompression bomb).

Every uploaded image or PDF is checked here (``upload_is_whole``): request attachments,
grid-work field photos, volunteer service-order photos, the party's agreement files and
project photos. Spreadsheet imports are read by their importers instead.
"""

import re
import struct
import zlib
from collections.abc import Callable

from django.core.files.uploadedfile import UploadedFile

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers (baseline, progressive, lossless...; not DHT C4, JPG C8, DAC CC).
JPEG_FRAMES = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
ZLIB_PROBE = 1 << 16  # inflate this much of the image data: enough to see it is a stream
# Bounds on the Python walk, so that a crafted file (a million empty PNG chunks, a JPEG of
# fill bytes or tiny segments) costs milliseconds, not a second of CPU per 10 MB: real PNGs
# have a few chunks plus image data in chunks of 8 KB or more (a 20 MB image: ~2,500); real
# JPEGs a few dozen segments before the scan.
PNG_MAX_CHUNKS = 8192
# An image's pixels, as its header declares them: a 20000×20000 PNG of one colour is 1.2 MB
# on disk and 1.2 GB once decoded (a decompression bomb for whoever opens or thumbnails it).
# Phone cameras take 12–50 megapixels (108 in their full-resolution mode); 120 is the cap.
MAX_PIXELS = 120_000_000
JPEG_MAX_SEGMENTS = 512
_FILL = re.compile(rb"\xff+")


def _png(data: bytes) -> bool:
    if not data.startswith(PNG_SIGNATURE):
        return False
    at, idat = len(PNG_SIGNATURE), b""
    kinds: list[bytes] = []
    while at + 12 <= len(data):
        if len(kinds) >= PNG_MAX_CHUNKS:
            return False
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        body = data[at + 8 : at + 8 + length]
        crc = data[at + 8 + length : at + 12 + length]
        if len(body) != length or len(crc) != 4 or zlib.crc32(kind + body) != struct.unpack(">I", crc)[0]:
            return False
        if not kinds and (kind != b"IHDR" or length != 13 or 0 in struct.unpack(">II", body[:8])):
            return False
        kinds.append(kind)
        if kind == b"IDAT" and len(idat) < ZLIB_PROBE:
            idat += body
        at += 12 + length
        if kind == b"IEND":
            break
    if not kinds or kinds[-1] != b"IEND" or b"IDAT" not in kinds:
        return False
    try:
        zlib.decompressobj().decompress(idat, ZLIB_PROBE)
    except zlib.error:
        return False
    return True


def _jpeg(data: bytes) -> bool:
    if not data.startswith(b"\xff\xd8\xff"):
        return False
    at, framed, segments = 2, False, 0
    while at + 4 <= len(data):
        segments += 1
        if data[at] != 0xFF or segments > JPEG_MAX_SEGMENTS:
            return False
        fill = _FILL.match(data, at)
        if fill is not None and fill.end() - at > 1:  # fill bytes before the marker, skipped at once
            at = fill.end() - 1
            if at + 4 > len(data):
                return False
        marker = data[at + 1]
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if length < 2 or at + 2 + length > len(data):
            return False
        if marker in JPEG_FRAMES:
            if length < 8:
                return False
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            framed = width > 0 and height > 0
        if marker == 0xDA:  # start of scan: the image data follows, then end of image
            return framed and b"\xff\xd9" in data[at + 2 + length :]
        at += 2 + length
    return False


def _webp(data: bytes) -> bool:
    if len(data) < 30 or data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return False
    (size,) = struct.unpack("<I", data[4:8])
    if size + 8 > len(data) or size < 22:
        return False
    chunk = data[12:16]
    if chunk == b"VP8 ":
        return data[23:26] == b"\x9d\x01\x2a"
    if chunk == b"VP8L":
        return data[20] == 0x2F
    return chunk == b"VP8X"


def _pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-2048:]


# The photo types every app accepts (each checked whole below).
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")

CHECKS: dict[str, Callable[[bytes], bool]] = {
    "image/png": _png,
    "image/jpeg": _jpeg,
    "image/webp": _webp,
    "application/pdf": _pdf,
}


def starts_as(content_type: str, data: bytes) -> bool:
    """Whether ``data`` begins as a file of ``content_type`` does (its signature): one that
    does but is not whole (``is_whole``) is damaged or cut short, not of another type."""
    if content_type == "image/png":
        return data.startswith(PNG_SIGNATURE)
    if content_type == "image/jpeg":
        return data.startswith(b"\xff\xd8\xff")
    if content_type == "image/webp":
        return data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    return content_type == "application/pdf" and data.startswith(b"%PDF-")


def image_pixels(content_type: str, data: bytes) -> int | None:
    """Width × height as a PNG, JPEG or WEBP header declares them (None when not found)."""
    try:
        if content_type == "image/png" and data.startswith(PNG_SIGNATURE):
            width, height = struct.unpack(">II", data[16:24])
            return int(width) * int(height)
        if content_type == "image/jpeg":
            return _jpeg_pixels(data)
        if content_type == "image/webp" and len(data) >= 30:
            chunk = data[12:16]
            if chunk == b"VP8 ":
                w, h = struct.unpack("<HH", data[26:30])
                return (w & 0x3FFF) * (h & 0x3FFF)
            if chunk == b"VP8L":
                (bits,) = struct.unpack("<I", data[21:25])
                return ((bits & 0x3FFF) + 1) * (((bits >> 14) & 0x3FFF) + 1)
            if chunk == b"VP8X":
                w = int.from_bytes(data[24:27], "little") + 1
                h = int.from_bytes(data[27:30], "little") + 1
                return w * h
    except struct.error:
        return None
    return None


def _jpeg_pixels(data: bytes) -> int | None:
    at, segments = 2, 0
    while at + 4 <= len(data) and segments <= JPEG_MAX_SEGMENTS:
        segments += 1
        fill = _FILL.match(data, at)
        if fill is None:
            return None
        at = fill.end() - 1
        if at + 9 > len(data):
            return None
        marker = data[at + 1]
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if marker in JPEG_FRAMES:
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return int(width) * int(height)
        if marker == 0xDA or length < 2:
            return None
        at += 2 + length
    return None


def too_many_pixels(content_type: str, data: bytes) -> bool:
    """Whether the image declares more than ``MAX_PIXELS`` (a decompression bomb)."""
    pixels = image_pixels(content_type, data)
    return pixels is not None and pixels > MAX_PIXELS


def is_whole(content_type: str, data: bytes) -> bool:
    """Whether ``data`` is a whole file of ``content_type`` (False for a type not known here),
    and, for an image, of at most ``MAX_PIXELS``."""
    check = CHECKS.get(content_type)
    return check is not None and check(data) and not too_many_pixels(content_type, data)


def upload_is_whole(upload: UploadedFile, *, max_bytes: int) -> bool:
    """Whether ``upload`` is a whole file of its declared content type, no larger than
    ``max_bytes``. Its declared size is checked before anything is read, and at most
    ``max_bytes + 1`` bytes are read (a size that lies is refused); the file is rewound
    afterwards, so that it can still be saved."""
    if upload.size is None or not 0 < upload.size <= max_bytes:
        return False
    upload.seek(0)
    try:
        data = upload.read(max_bytes + 1)
    finally:
        upload.seek(0)
    return len(data) <= max_bytes and is_whole(upload.content_type or "", data)
