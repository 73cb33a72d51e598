"""Reading and writing files with one-line errors, atomic writes, and exclusive creation.

An atomic write leaves a file with either its complete new content or its old one.
An exclusive creation (:func:`create_exclusive`, for raw recordings and session
audio) makes a new private file and never replaces, truncates or writes through
anything already at its name, a planted symbolic link included.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

from poise.errors import InputError, PoiseError

T = TypeVar("T")

#: Permissions of what Poise creates for an athlete's data: the owner's alone.
PRIVATE_FILE_MODE = 0o600
PRIVATE_FOLDER_MODE = 0o700
#: Creates a new file only: fails if anything (a file, a link, even a dangling one) is there.
_EXCLUSIVE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
#: Why a hard link cannot be made on some file systems (FAT, some network mounts).
_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.ENOSYS}


#: The largest file Poise reads, bytes: 1 GiB, about 4 hours at 1 kHz in Poise's own
#: format (43 MB per 10 minutes). A bigger file is refused before it is read, not
#: allowed to exhaust the memory of a Raspberry Pi.
MAX_INPUT_BYTES = 1 << 30


def open_input(path: str | Path, encoding: str | None = "utf-8") -> IO[Any]:
    """``path`` opened for reading (text in ``encoding``, or bytes with None), refused with
    :class:`InputError` naming it unless it is a regular file of at most
    ``MAX_INPUT_BYTES``: a FIFO would block the reader forever, a device such as
    /dev/zero never ends."""
    try:
        # Non-blocking, so that opening a FIFO does not wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as e:
        raise InputError(path, e.strerror or str(e)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(path, f"not a regular file ({_file_kind(info.st_mode)}); give a file")
        if info.st_size > MAX_INPUT_BYTES:
            raise InputError(
                path,
                f"{info.st_size / 2**20:.0f} MiB is over the {MAX_INPUT_BYTES >> 20} MiB "
                "Poise reads; split the recording",
            )
        os.set_blocking(fd, True)
        if encoding is None:
            return os.fdopen(fd, "rb")
        return os.fdopen(fd, "r", encoding=encoding)
    except BaseException:
        os.close(fd)
        raise


def _file_kind(mode: int) -> str:
    kinds = {
        stat.S_ISDIR: "a folder",
        stat.S_ISFIFO: "a FIFO",
        stat.S_ISCHR: "a character device",
        stat.S_ISBLK: "a block device",
        stat.S_ISSOCK: "a socket",
    }
    return next((name for test, name in kinds.items() if test(mode)), "not a file")


def read_text(path: str | Path, encoding: str = "utf-8") -> str:
    """The text of ``path`` (opened by :func:`open_input`); an unreadable, undecodable or
    special file raises :class:`InputError` naming it (``utf-8-sig`` drops a byte-order
    mark)."""
    try:
        with open_input(path, encoding) as f:
            return f.read()
    except UnicodeDecodeError as e:
        raise InputError(path, f"not UTF-8 text (byte {e.start})") from None
    except OSError as e:
        raise InputError(path, e.strerror or str(e)) from None


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` through a synced temporary file renamed into place.

    A process killed at any moment leaves either the old file or the complete
    new one, never a torn one.
    """
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def writing(path: str | Path, work: Callable[[], T]) -> T:
    """Run ``work``, which writes ``path``; an OS error becomes one line naming the file.

    >>> writing("/no/such/folder/x.csv", lambda: open("/no/such/folder/x.csv", "w"))
    Traceback (most recent call last):
    ...
    poise.errors.PoiseError: /no/such/folder/x.csv: cannot write: No such file or directory
    """
    try:
        return work()
    except OSError as e:
        raise PoiseError(f"{path}: cannot write: {e.strerror or e}") from None


def private_folder(path: str | Path) -> Path:
    """``path`` as a folder, creating it and any missing parents with mode 0700.

    Folders that exist already are left as they are (a symbolic link to a
    folder, say to a USB stick, is used). The mode is set after creation, so
    the process's umask does not loosen or narrow it (the XDG Base Directory
    Specification asks for 0700 too). Raises OSError as ``os.mkdir`` does.
    """
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if folder.is_dir():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            os.mkdir(folder, PRIVATE_FOLDER_MODE)
        except FileExistsError:
            if folder.is_dir():  # made meanwhile by another process
                continue
            raise
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            os.fchmod(fd, PRIVATE_FOLDER_MODE)
        finally:
            os.close(fd)
    return path


def create_exclusive(path: str | Path, initial: bytes = b"") -> int:
    """A new file at ``path`` (mode 0600) holding ``initial``; its descriptor, for writing.

    Nothing already at ``path`` is touched: an existing file, folder or
    symbolic link (even one pointing nowhere) raises :class:`PoiseError` naming
    it, in one line. ``initial`` (a recording's header) is written and synced
    to a temporary file that is then hard-linked to ``path``: a link never
    replaces its target, so the file appears with all of ``initial`` or not at
    all. Where the file system has no hard links (FAT), the file is created at
    ``path`` directly, exclusively, and ``initial`` written after. Other
    failures raise OSError as ``os.open`` does.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not initial:
        return _open_exclusive(path)
    tmp = folder / f".{path.name}.{secrets.token_hex(8)}.tmp"
    fd = _open_exclusive(tmp)
    try:
        try:
            write_all(fd, initial)
            os.fsync(fd)
            os.link(tmp, path)
        finally:
            os.unlink(tmp)
    except FileExistsError:
        os.close(fd)
        raise PoiseError(f"{path}: already exists; not overwritten") from None
    except OSError as e:
        os.close(fd)
        if e.errno not in _NO_HARD_LINKS:
            raise
        fd = _open_exclusive(path)
        try:
            write_all(fd, initial)
        except BaseException:
            os.close(fd)
            raise
        return fd
    except BaseException:
        os.close(fd)
        raise
    _sync_folder(folder)
    return fd


def _open_exclusive(path: Path) -> int:
    try:
        fd = os.open(path, _EXCLUSIVE, PRIVATE_FILE_MODE)
    except FileExistsError:
        raise PoiseError(f"{path}: already exists; not overwritten") from None
    try:
        os.fchmod(fd, PRIVATE_FILE_MODE)  # whatever the umask
    except BaseException:
        os.close(fd)
        raise
    return fd


def write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` to ``fd`` (``os.write`` may take part of it); OSError as it raises."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _sync_folder(folder: Path) -> None:
    """Make a new name in ``folder`` durable (best effort: not every file system can)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
