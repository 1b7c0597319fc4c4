"""Check a zip's size claims from its end-of-central-directory record before anything builds a listing of it.

`zipfile.ZipFile` reads the whole central directory into a list of `ZipInfo` objects as soon as
it opens an archive: a few bytes that claim three million entries cost a gigabyte and most of a
minute before any limit can be applied. So the archive's tail is read here first: the end of
central directory record (and the zip64 record it points to), whose entry count and directory
size are refused above the limits; then the central directory itself, read as bytes of that
bounded size and walked record by record without building objects, for the total uncompressed
size (zip64 extra fields included). Only an archive that passes is handed to `zipfile`.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_LOCATOR_SIZE = 20
_ZIP64_EOCD = b"PK\x06\x06"
_ZIP64_EOCD_SIZE = 56
_CENTRAL = b"PK\x01\x02"
_CENTRAL_SIZE = 46
_MAX_COMMENT = 0xFFFF
_ZIP64_MARK_16, _ZIP64_MARK_32 = 0xFFFF, 0xFFFFFFFF


class ArchiveRefused(ValueError):
    """The archive's own directory says it is too large or it is not a zip; the message is for the teacher."""


@dataclass(frozen=True)
class Directory:
    """What the central directory claims: entries, bytes of the directory, bytes once extracted."""

    entries: int
    directory_bytes: int
    uncompressed_bytes: int


def _tail(handle, size: int) -> tuple[bytes, int]:
    start = max(size - (_EOCD_SIZE + _MAX_COMMENT), 0)
    handle.seek(start)
    return handle.read(size - start), start


def _end_record(handle, size: int) -> tuple[int, int, int]:
    """(entries, directory size, where the directory starts) from the (zip64) end of central directory record.

    The directory is taken to end right before the end records, as `zipfile` reads it (which
    also accepts data prepended to the archive), so what is checked here is what it will parse.
    """
    data, start = _tail(handle, size)
    where = data.rfind(_EOCD)
    if where < 0 or len(data) - where < _EOCD_SIZE:
        raise ArchiveRefused("not a readable zip file (no end of central directory)")
    (_sig, disk, cd_disk, _here, entries, cd_size, cd_offset, _comment) = struct.unpack(
        "<4sHHHHIIH", data[where:where + _EOCD_SIZE])
    if disk or cd_disk:
        raise ArchiveRefused("a zip split over several files is not accepted")
    at = start + where
    zip64 = False
    if entries == _ZIP64_MARK_16 or cd_size == _ZIP64_MARK_32 or cd_offset == _ZIP64_MARK_32 \
            or (at >= _ZIP64_LOCATOR_SIZE and _read_at(handle, at - _ZIP64_LOCATOR_SIZE, 4) == _ZIP64_LOCATOR):
        locator = _read_at(handle, at - _ZIP64_LOCATOR_SIZE, _ZIP64_LOCATOR_SIZE) if at >= _ZIP64_LOCATOR_SIZE else b""
        if len(locator) == _ZIP64_LOCATOR_SIZE and locator[:4] == _ZIP64_LOCATOR:
            _sig, _disk, _record_offset, disks = struct.unpack("<4sIQI", locator)
            if disks > 1:
                raise ArchiveRefused("a zip split over several files is not accepted")
            here = at - _ZIP64_LOCATOR_SIZE - _ZIP64_EOCD_SIZE  # where zipfile reads it: right before the locator
            record = _read_at(handle, here, _ZIP64_EOCD_SIZE) if here >= 0 else b""
            if len(record) != _ZIP64_EOCD_SIZE or record[:4] != _ZIP64_EOCD:
                raise ArchiveRefused("not a readable zip file (a broken zip64 directory record)")
            (_sig, _rsize, _made, _need, disk, cd_disk, _here, entries, cd_size, cd_offset) = struct.unpack(
                "<4sQHHIIQQQQ", record)
            if disk or cd_disk:
                raise ArchiveRefused("a zip split over several files is not accepted")
            zip64 = True
        elif entries == _ZIP64_MARK_16 or cd_size == _ZIP64_MARK_32 or cd_offset == _ZIP64_MARK_32:
            raise ArchiveRefused("not a readable zip file (zip64 sizes without a zip64 record)")
    directory_end = at - (_ZIP64_EOCD_SIZE + _ZIP64_LOCATOR_SIZE if zip64 else 0)
    return entries, cd_size, directory_end - cd_size


def _read_at(handle, offset: int, length: int) -> bytes:
    handle.seek(offset)
    return handle.read(length)


def _zip64_size(extra: bytes, uncompressed: int, compressed: int, offset: int) -> int:
    """The real uncompressed size of an entry whose 32-bit field says 0xFFFFFFFF (zip64 extra field 0x0001)."""
    position = 0
    while position + 4 <= len(extra):
        tag, length = struct.unpack_from("<HH", extra, position)
        body = extra[position + 4:position + 4 + length]
        if tag == 0x0001 and uncompressed == _ZIP64_MARK_32:
            if len(body) < 8:
                raise ArchiveRefused("not a readable zip file (a broken zip64 size)")
            return struct.unpack_from("<Q", body)[0]
        position += 4 + length
    return uncompressed


def inspect(path: os.PathLike | str, *, max_entries: int, max_directory_bytes: int) -> Directory:
    """The archive's claims, refused (ArchiveRefused) above `max_entries` or `max_directory_bytes`."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        entries, cd_size, cd_start = _end_record(handle, size)
        if entries > max_entries:
            raise ArchiveRefused(f"the archive says it holds {entries} files (at most {max_entries} are accepted)")
        if cd_size > max_directory_bytes:
            raise ArchiveRefused(f"the archive's directory is {cd_size} bytes (at most {max_directory_bytes})")
        if cd_start < 0:
            raise ArchiveRefused("not a readable zip file (its directory claims more bytes than the file has)")
        directory = _read_at(handle, cd_start, cd_size)
    total, count, position = 0, 0, 0
    while position + _CENTRAL_SIZE <= len(directory) and directory[position:position + 4] == _CENTRAL:
        (_sig, _made, _need, _flags, _method, _time, _date, _crc, compressed, uncompressed, name_length,
         extra_length, comment_length, _disk, _internal, _external, offset) = struct.unpack_from(
            "<4sHHHHHHIIIHHHHHII", directory, position)
        extra_start = position + _CENTRAL_SIZE + name_length
        extra = directory[extra_start:extra_start + extra_length]
        total += _zip64_size(extra, uncompressed, compressed, offset)
        count += 1
        if count > max_entries:
            raise ArchiveRefused(f"the archive holds more than {max_entries} files")
        position = extra_start + extra_length + comment_length
    return Directory(count, cd_size, total)
