"""Where the engine writes, checked before anything is written: work directories, output files.

A folder that is a file or cannot be written, or an output that is one of the inputs or a
device, must end in one line naming the path, never in a traceback or a damaged input.
"""

from __future__ import annotations

import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from amts.engine.errors import AmtsError


def ensure_work_directory(path: str | Path, what: str = "work directory") -> Path:
    """Create ``path`` if needed and prove it writable; AmtsError naming it otherwise."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise AmtsError(f"the {what} is not a folder (it is a file): choose another one", path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AmtsError(f"cannot create the {what}: {exc.strerror or exc}", path) from None
    try:
        # Permission bits do not tell (root ignores them, read-only mounts do not show): try.
        with tempfile.TemporaryFile(dir=path, prefix=".amts-write-check-"):
            pass
    except OSError as exc:
        raise AmtsError(f"cannot write in the {what}: {exc.strerror or exc}", path) from None
    return path


def check_output_file(
    output: str | Path, *, inputs: Iterable[str | Path] = (), input_trees: Iterable[str | Path] = (),
) -> Path:
    """``output`` if a command may write it; AmtsError naming it otherwise.

    Refused: one of ``inputs`` (however spelled: relative, through ``..``, a symlink or a hard
    link), anything inside ``input_trees`` (a book's section folders), and an existing path that
    is not a regular file (a folder, a device such as /dev/full, a pipe): writing one atomically
    would replace it with a file.
    """
    output = Path(output)
    if output.exists() and not output.is_file():
        raise AmtsError(f"refusing to write here: it is {_kind_of(output)}, not a regular file",
                        output)
    resolved = output.resolve()
    for source in inputs:
        source = Path(source)
        if resolved == source.resolve() or (output.exists() and source.exists()
                                             and output.samefile(source)):
            raise AmtsError(f"refusing to write over an input of this command ({source}): "
                            "choose another output file", output)
    for tree in input_trees:
        tree = Path(tree)
        if resolved.is_relative_to(tree.resolve()):
            raise AmtsError(f"refusing to write inside the book's sections ({tree}): "
                            "choose an output outside them", output)
    return output


def _kind_of(path: Path) -> str:
    mode = path.stat().st_mode
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a pipe"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "a special file"
