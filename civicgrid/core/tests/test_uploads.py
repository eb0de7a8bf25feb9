"""The whole-file check every uploaded image or PDF goes through (``core.uploads``)."""

import io
import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicgrid.core.tests import images
from civicgrid.core.uploads import CHECKS, is_whole, upload_is_whole

WHOLE = {
    "image/png": images.PNG,
    "image/jpeg": images.JPEG,
    "image/webp": images.WEBP,
    "application/pdf": images.PDF,
}
BROKEN = {
    "png signature only": ("image/png", images.PNG_SIGNATURE_ONLY),
    "png without its end chunk": ("image/png", images.PNG[:-12]),
    "jpeg cut short": ("image/jpeg", images.JPEG_CUT_SHORT),
    "jpeg without its end marker": ("image/jpeg", images.JPEG[:-2]),
    "jpeg first bytes only": ("image/jpeg", images.JPEG[:12]),
    "webp header only": ("image/webp", images.WEBP[:16]),
    "webp cut short": ("image/webp", images.WEBP[:-8]),
    "pdf without its end marker": ("application/pdf", images.PDF[:-7]),
    "png declared as jpeg": ("image/jpeg", images.PNG),
    "a type with no check": ("image/gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
}


class CountingReads(io.BytesIO):
    """A file that counts what is read from it."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.read_bytes = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.read_bytes += len(chunk)
        return chunk


def counted(name: str, data: bytes, content_type: str) -> tuple[SimpleUploadedFile, CountingReads]:
    upload = SimpleUploadedFile(name, data, content_type=content_type)
    upload.file = reads = CountingReads(data)
    return upload, reads


@pytest.mark.parametrize("content_type", sorted(WHOLE))
def test_a_whole_file_of_each_type_passes(content_type: str) -> None:
    assert is_whole(content_type, WHOLE[content_type])


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_file_that_only_starts_like_its_type_is_refused(case: str) -> None:
    content_type, data = BROKEN[case]
    assert not is_whole(content_type, data)


def test_an_upload_is_checked_from_its_start_and_rewound_to_be_saved() -> None:
    upload = images.jpeg_upload()
    upload.read(5)  # something looked at it before
    assert upload_is_whole(upload, max_bytes=1024)
    assert upload.read() == images.JPEG  # the whole file is still there to save
    broken = images.upload("现场.png", images.PNG_SIGNATURE_ONLY, "image/png")
    assert not upload_is_whole(broken, max_bytes=1024)
    assert broken.read() == images.PNG_SIGNATURE_ONLY


def test_an_upload_over_the_limit_is_refused_before_it_is_read() -> None:
    upload, reads = counted("大.png", images.PNG, "image/png")
    assert not upload_is_whole(upload, max_bytes=len(images.PNG) - 1)
    assert reads.read_bytes == 0
    assert upload_is_whole(upload, max_bytes=len(images.PNG))
    assert reads.read_bytes == len(images.PNG)


def test_an_upload_larger_than_its_stated_size_is_read_only_up_to_the_limit() -> None:
    padded = images.PNG + b"\x00" * 4096  # bytes after IEND are allowed, but not past the limit
    upload, reads = counted("大.png", padded, "image/png")
    upload.size = len(images.PNG)  # what the client claimed
    assert not upload_is_whole(upload, max_bytes=len(images.PNG) + 10)
    assert reads.read_bytes == len(images.PNG) + 11


@pytest.mark.parametrize("size", [0, None])
def test_an_empty_upload_or_one_without_a_size_is_refused(size: int | None) -> None:
    upload, reads = counted("空.png", images.PNG, "image/png")
    upload.size = size
    assert not upload_is_whole(upload, max_bytes=1024) and reads.read_bytes == 0


def test_an_upload_without_a_declared_type_is_refused() -> None:
    upload = SimpleUploadedFile("现场.png", images.PNG, content_type="")
    assert not upload_is_whole(upload, max_bytes=1024)


def test_the_party_services_use_the_same_check() -> None:
    from civicgrid.party.services import files

    assert files.is_whole is is_whole and files.CHECKS is CHECKS


def test_the_demo_photos_are_whole_images() -> None:
    from civicgrid.gridwork.demo import _png as gridwork_png
    from civicgrid.party.demo import demo_png as party_png
    from civicgrid.volunteers.demo import demo_png as volunteers_png

    assert is_whole("image/png", gridwork_png(random.Random(7)))
    assert is_whole("image/png", party_png((200, 16, 46)))
    assert all(is_whole("image/png", volunteers_png((90, 120, 200), stripes=n)) for n in (2, 6))


def _chunk(kind: bytes, body: bytes) -> bytes:
    import struct
    import zlib

    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def test_a_png_of_countless_tiny_chunks_is_refused_without_walking_them_all() -> None:
    """A crafted PNG of empty chunks (valid checksums) cost a second of CPU per 10 MB."""
    from civicgrid.core.uploads import PNG_MAX_CHUNKS

    header_end = images.PNG.index(b"IDAT") - 4
    body = images.PNG[:header_end]
    crafted = body + _chunk(b"tEXt", b"") * (PNG_MAX_CHUNKS + 10) + images.PNG[header_end:]
    assert not is_whole("image/png", crafted)
    # The same image with a few such chunks is still whole: the bound is far above real files.
    assert is_whole("image/png", body + _chunk(b"tEXt", b"") * 20 + images.PNG[header_end:])


def test_a_jpeg_of_countless_segments_is_refused_and_fill_bytes_are_skipped_at_once() -> None:
    from civicgrid.core.uploads import JPEG_MAX_SEGMENTS

    app = b"\xff\xe1\x00\x02"  # an empty APP1 segment
    crafted = images.JPEG[:2] + app * (JPEG_MAX_SEGMENTS + 10) + images.JPEG[2:]
    assert not is_whole("image/jpeg", crafted)
    assert is_whole("image/jpeg", images.JPEG[:2] + app * 10 + images.JPEG[2:])
    # Fill bytes before a marker are allowed by the standard, any number of them.
    filled = images.JPEG[:2] + b"\xff" * 100_000 + images.JPEG[2:]
    assert is_whole("image/jpeg", filled)
    assert not is_whole("image/jpeg", images.JPEG[:2] + b"\xff" * 100_000)
