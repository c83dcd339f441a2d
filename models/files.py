"""Reading user-named input files safely: regular files only, bounded size, UTF-8 text.

Every loader (catalog folders, scenarios, saved plans) reads through ``read_text`` so a
FIFO, a device, a folder, a symlink loop, a huge file or binary bytes give one clear
``InputFileError`` instead of a hang, a MemoryError or a UnicodeDecodeError traceback.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from dcplan.models.errors import InputFileError

MAX_INPUT_BYTES = 64 * 1024 * 1024  # 64 MiB: far above any real catalog, scenario or plan file


def _display(path: Path) -> str:
    """The path as the user wrote it (relative stays relative), cut in the middle when huge."""
    text = str(path)
    return text if len(text) <= 160 else f"{text[:70]}…{text[-70:]}"


def check_regular_file(path: Path, what: str = "file") -> os.stat_result:
    """Raise InputFileError unless ``path`` names a regular file (symlinks followed, loops caught)."""
    shown = _display(path)
    if "\x00" in str(path):  # os calls raise ValueError for it
        raise InputFileError(
            f"{shown!r}: a file name cannot contain a NUL character", file=shown, expected=f"the name of a {what}"
        )
    try:
        info = os.stat(path)  # follows symlinks; ELOOP for a loop, ENAMETOOLONG for a huge name
    except FileNotFoundError:
        raise InputFileError(f"{shown}: no such {what}", file=shown, expected=f"an existing {what}") from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputFileError(
            f"{shown}: cannot read {what}: {reason}", file=shown, expected=f"a readable {what}"
        ) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputFileError(f"{shown}: is a folder, expected a {what}", file=shown, expected=f"a {what}")
    if not stat.S_ISREG(info.st_mode):
        kind = "a FIFO (named pipe)" if stat.S_ISFIFO(info.st_mode) else "not a regular file"
        raise InputFileError(f"{shown}: is {kind}, expected a regular {what}", file=shown, expected=f"a regular {what}")
    if info.st_size > MAX_INPUT_BYTES:
        raise InputFileError(
            f"{shown}: {info.st_size:,} bytes is larger than the {MAX_INPUT_BYTES // (1024 * 1024)} MiB limit for a {what}",
            file=shown,
            expected=f"a {what} under {MAX_INPUT_BYTES // (1024 * 1024)} MiB",
        )
    return info


def read_bytes(path: Path | str, what: str = "file") -> bytes:
    """The bytes of a regular file, refusing FIFOs, devices, folders, loops and oversize files.

    The file is opened with O_NONBLOCK so that a FIFO swapped in after the check cannot block.
    """
    path = Path(path)
    check_regular_file(path, what)
    shown = _display(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise InputFileError(f"{shown}: cannot read {what}: {exc.strerror or exc}", file=shown) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputFileError(f"{shown}: is not a regular file, expected a {what}", file=shown)
        with os.fdopen(fd, "rb", closefd=True) as handle:
            fd = -1
            data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise InputFileError(f"{shown}: cannot read {what}: {exc.strerror or exc}", file=shown) from None
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > MAX_INPUT_BYTES:
        raise InputFileError(
            f"{shown}: larger than the {MAX_INPUT_BYTES // (1024 * 1024)} MiB limit for a {what}", file=shown
        )
    return data


def read_text(path: Path | str, what: str = "file") -> str:
    """A regular file's text as UTF-8; invalid bytes give one line naming the byte offset."""
    data = read_bytes(path, what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        shown = _display(Path(path))
        raise InputFileError(
            f"{shown}: not UTF-8 text (invalid byte 0x{data[exc.start]:02x} at offset {exc.start}); expected a UTF-8 {what}",
            file=shown,
            expected=f"a UTF-8 text {what}",
        ) from None


MAX_NESTING = 64  # levels of tables/arrays inside one another; real files use fewer than 8


def nesting_exceeds(value: object, limit: int = MAX_NESTING) -> bool:
    """True when dicts/lists inside ``value`` go deeper than ``limit`` levels.

    Walked with an explicit stack, not recursion: a value nested thousands deep must be
    refused before anything recursive (pydantic, deepcopy, repr) touches it, since where a
    RecursionError strikes depends on how deep the caller's own stack already is.
    """
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: list[object] = list(node.values())
        elif isinstance(node, list | tuple):
            children = list(node)
        else:
            continue
        if depth >= limit and children:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


# errors from os.link that mean "this file system has no hard links", not "the name is taken"
_NO_HARD_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS}


def create_only(staged: Path, target: Path) -> None:
    """Put the finished file ``staged`` at ``target`` only if no file has that name.

    ``os.link`` decides atomically (FileExistsError when the name is taken, however late
    another writer took it); on a file system without hard links the name is claimed with
    O_CREAT|O_EXCL (as atomic) and the finished file renamed over the claim. ``staged``
    stays where it is when linked: the caller removes its temporary file.
    """
    try:
        os.link(staged, target)
        return
    except OSError as exc:
        if isinstance(exc, FileExistsError) or exc.errno not in _NO_HARD_LINKS:
            raise
    os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        os.replace(staged, target)
    except BaseException:
        os.unlink(target)
        raise
