"""The highlights' photos: found, checked, cleaned and scaled before anything else sees them.

A photo comes pasted into the sheet *Nostot* on its highlight's row (a picture anchored there,
as Excel and LibreOffice store it) or as a JPEG or PNG file beside the workbook, named in the
row's column *Kuvatiedosto*. Nothing in either is trusted:

- a file name is a bare name in the workbook's own folder: no folder part, no ``..``, not
  absolute, not a link (a symlink could point anywhere on the machine);
- the bytes are at most :data:`MAX_PHOTO_MB` and the header is read before any pixel is
  decoded: the real type (Pillow's, not the name's) must be JPEG or PNG and the image at most
  :data:`MAX_PIXELS` (a "decompression bomb" declares a huge image in a few kilobytes; Pillow's
  own ``DecompressionBombWarning`` is made an error too);
- the photo is re-encoded from its pixels alone into a new JPEG: no EXIF (camera, time, GPS
  position), no XMP, no ICC profile, no comment survives; its EXIF orientation is applied first
  so that it stands the right way up; it is scaled to fit :data:`PHOTO_BOX` and compressed to
  at most :data:`PHOTO_BUDGET_KB`, so the report stays one file of sensible size.

Every refusal is a message for the contributor; nothing here raises for a bad photo.
"""

from __future__ import annotations

import io
import os
import stat
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from hki_intl.messages import Message

MAX_PHOTO_MB = 20  # a phone's photo is 2-8 MB
MAX_PIXELS = 40_000_000  # 40 megapixels: every phone and most cameras (a 200 MP sensor bins to 50 MP or less)
PHOTO_BOX = (960, 720)  # pixels: twice the width a photo takes on the page, for sharp screens and print
PHOTO_BUDGET_KB = 160  # the re-encoded JPEG: the report holds at most 3 × the organisations' photos
QUALITIES = (82, 72, 62, 52, 42)  # JPEG quality, tried in turn until the photo fits its budget
PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".heic", ".heif", ".webp", ".gif", ".tif", ".tiff", ".bmp"})
ACCEPTED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "MPO": "JPEG"}  # MPO: a phone's JPEG with a depth map
MB = 1024 * 1024
SAVE_AS_JPEG = Message("photo.save_as_jpeg")
SMALLER = Message("photo.smaller")


class PhotoRefused(Exception):
    """What is wrong with a photo (the message for the contributor, without the cell)."""

    def __init__(self, message: Message):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class Photo:
    """A photo made safe for the report: a JPEG without metadata, and its size in pixels."""

    jpeg: bytes
    width: int
    height: int


def is_photo_file(path: Path) -> bool:
    """Whether a file in an inputs folder is a photo (by its name): not a workbook to read."""
    return path.suffix.lower() in PHOTO_SUFFIXES


def photo_file(folder: Path, name: str) -> Path:
    """The file ``name`` in ``folder``, where a highlight's photo file must be; raises
    :class:`PhotoRefused` for a name with a folder in it, a missing file or a link."""
    bare = name.strip()
    if bare in ("", ".", "..") or PurePosixPath(bare).name != bare or PureWindowsPath(bare).name != bare:
        raise PhotoRefused(Message("photo.not_bare", name=repr(bare)))
    try:
        entries = {entry.name: entry for entry in os.scandir(folder)}
    except OSError as exc:
        raise PhotoRefused(Message("photo.folder_unreadable", reason=str(exc.strerror))) from None
    entry = entries.get(bare) or next((e for n, e in sorted(entries.items()) if n.casefold() == bare.casefold()), None)
    if entry is None:
        nearby = sorted(n for n in entries if Path(n).suffix.lower() in PHOTO_SUFFIXES)
        seen = Message("photo.files_there", files=", ".join(nearby[:5])) if nearby else Message("photo.no_files_there")
        raise PhotoRefused(Message("photo.not_beside", name=repr(bare), seen=seen))
    if entry.is_symlink() or not stat.S_ISREG(entry.stat(follow_symlinks=False).st_mode):
        raise PhotoRefused(Message("photo.link", name=repr(bare)))
    return Path(folder) / entry.name


def read_photo_file(path: Path) -> bytes:
    """A photo file's bytes, at most :data:`MAX_PHOTO_MB` (its size is checked before reading)."""
    size = path.stat().st_size
    _check_size(size)
    with open(path, "rb") as handle:
        data = handle.read(MAX_PHOTO_MB * MB + 1)
    _check_size(len(data))  # the file grew while it was read
    return data


def _check_size(size: int) -> None:
    if size > MAX_PHOTO_MB * MB:
        raise PhotoRefused(Message("photo.too_large", size=f"{size / MB:.0f}", limit=MAX_PHOTO_MB, fix=SMALLER))
    if size == 0:
        raise PhotoRefused(Message("photo.empty", fix=SAVE_AS_JPEG))


def clean_photo(data: bytes) -> Photo:
    """``data`` checked and re-encoded for the report (see the module docstring); raises
    :class:`PhotoRefused` with the reason."""
    from PIL import ImageFile

    _check_size(len(data))
    # WeasyPrint, once imported, lets Pillow pad a truncated image with grey: a photo cut short
    # is refused here, whatever else the process has imported.
    truncated, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        return _cleaned(data)
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated


def _cleaned(data: bytes) -> Photo:
    from PIL import Image, ImageOps, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=["JPEG", "PNG"]) as image:  # the header only; no other decoder runs
                kind = ACCEPTED_FORMATS.get(str(image.format))
                if kind is None:
                    raise PhotoRefused(
                        Message("photo.format", kind=image.format or Message("photo.unknown_format"), fix=SAVE_AS_JPEG)
                    )
                width, height = image.size
                if width * height > MAX_PIXELS or width < 1 or height < 1:
                    raise PhotoRefused(
                        Message("photo.too_many_pixels", width=width, height=height, limit=MAX_PIXELS // 1_000_000, fix=SMALLER)
                    )
                image.draft("RGB", PHOTO_BOX)  # a JPEG decodes at 1/2, 1/4 or 1/8 size when that suffices
                ImageOps.exif_transpose(image, in_place=True)  # in place: a copy of every pixel fewer
                pixels = _flattened(image)
        except PhotoRefused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoRefused(Message("photo.bomb", limit=MAX_PIXELS // 1_000_000, fix=SAVE_AS_JPEG)) from None
        except UnidentifiedImageError:
            raise PhotoRefused(Message("photo.unreadable", fix=SAVE_AS_JPEG)) from None
        except Exception as exc:  # a damaged or truncated image fails in varied ways while decoding
            raise PhotoRefused(Message("photo.damaged", reason=type(exc).__name__, fix=SAVE_AS_JPEG)) from None
    pixels.thumbnail(PHOTO_BOX, Image.Resampling.LANCZOS)
    return Photo(_jpeg(pixels), *pixels.size)


def _flattened(image):
    """The pixels alone, in RGB on white (a PNG's transparency), in a new image without ``info``."""
    from PIL import Image

    if image.mode == "RGB":  # nothing to flatten: pasting through an opaque mask copies the pixels exactly
        clean = Image.new("RGB", image.size, None)  # not filled first: the paste covers every pixel
        clean.paste(image)
        return clean
    rgba = image.convert("RGBA")
    clean = Image.new("RGB", rgba.size, "white")
    clean.paste(rgba, mask=rgba.getchannel("A"))
    return clean


def _jpeg(image) -> bytes:
    """The smallest quality step at which the photo fits its budget (the last step if none)."""
    for quality in QUALITIES:
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality, optimize=True)  # no exif, icc_profile or comment given: none written
        if out.tell() <= PHOTO_BUDGET_KB * 1024:
            break
    return out.getvalue()
