"""Put a generated package on disk. The mapping is complete before anything is written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_tree(output: Path, files: dict[str, str]) -> list[Path]:
    """Write ``files`` under ``output``; return the paths whose content changed.

    A file whose content is already right is not touched, so its mtime stays and reloaders
    stay quiet. Each write goes to a temporary file in the same folder and is renamed over
    the target, so a reader never sees half a file.
    """
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for relative, text in sorted(files.items()):
        target = output / relative
        data = text.encode("utf-8")
        try:
            if target.read_bytes() == data:
                continue
        except FileNotFoundError:
            pass
        _atomic_write(target, data)
        written.append(target)
    return written


def _atomic_write(target: Path, data: bytes) -> None:
    fd, temp = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
