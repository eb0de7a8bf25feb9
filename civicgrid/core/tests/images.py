"""Small whole files for upload tests: images a browser can show, and a PDF.

The upload check (``core.uploads``) refuses a file that is only a format's first bytes, so a
test's "photo" must be a real one. The PNG is written here with zlib and struct; the JPEG and
WEBP are 8×8 pictures made by Chromium's canvas encoder (colour profile left out), which
Chromium decodes again; the PDF is a one-page document without a cross-reference table.
``PNG_SIGNATURE_ONLY`` and ``JPEG_CUT_SHORT`` start like images but are not whole ones.
"""

import base64
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

RED = (200, 16, 46)


def png(colour: tuple[int, int, int] = RED, *, width: int = 8, height: int = 8) -> bytes:
    """A PNG of one colour, ``width`` × ``height`` pixels."""
    rows = b"".join(b"\x00" + bytes(colour) * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = png()
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4"
    "UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2Nj"
    "Y2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAIAAgDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAT/xAAYEAEA"
    "AwEAAAAAAAAAAAAAAAAAFGOi4f/EABUBAQEAAAAAAAAAAAAAAAAAAAQG/8QAFBEBAAAAAAAAAAAAAAAAAAAAAP/aAAwD"
    "AQACEQMRAD8AggW56AOqn//Z"
)
WEBP = base64.b64decode(
    "UklGRjoAAABXRUJQVlA4IC4AAACQAQCdASoIAAgAAsBMJaACdAEOpkAA/ujDrfT1Riw8Nr/+hJ//wSf/8En7gAAA"
)
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

PNG_SIGNATURE_ONLY = PNG[:8]
JPEG_CUT_SHORT = JPEG[: len(JPEG) // 2]


def upload(name: str, data: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_upload(name: str = "现场.png") -> SimpleUploadedFile:
    return upload(name, PNG, "image/png")


def jpeg_upload(name: str = "现场.jpg") -> SimpleUploadedFile:
    return upload(name, JPEG, "image/jpeg")


def webp_upload(name: str = "现场.webp") -> SimpleUploadedFile:
    return upload(name, WEBP, "image/webp")
