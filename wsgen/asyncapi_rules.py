"""What the schema cannot say about ``asyncapi:``: where the document may be written.

The document is one of the generated files, compared byte for byte like the modules, so
its path must name a YAML file that no other output claims: not a folder, not a module,
and not a file inside the generated package (that folder is wsgen's Python, which the
package's own bookkeeping owns; a document there would be removed or refused by it).
"""

from __future__ import annotations

import posixpath
from typing import Any

from .source import Collector

SUFFIXES = (".yaml", ".yml")


def check_asyncapi(data: dict[str, Any], report: Collector) -> None:
    block = data.get("asyncapi")
    if not isinstance(block, dict) or not isinstance(block.get("output"), str):
        return
    here = ("asyncapi", "output")
    output = block["output"]
    problem = _path_problem(output)
    if problem is not None:
        message, hint = problem
        report.error(here, "asyncapi-output", message, hint)
        return
    package = data.get("output")
    if isinstance(package, str) and inside(output, package):
        report.error(
            here,
            "asyncapi-output",
            f"the AsyncAPI document {output!r} would be inside the generated package "
            f"{package!r}",
            "write it beside the package, e.g. 'docs/asyncapi.yaml': the package folder "
            "holds only the generated Python",
        )


def _path_problem(output: str) -> tuple[str, str] | None:
    if "\\" in output or "\x00" in output:
        return (
            f"{output!r} is not a path wsgen writes: use '/' between folders",
            "e.g. 'docs/asyncapi.yaml'",
        )
    if (
        output.startswith(("/", "~"))
        or posixpath.splitdrive(output)[0]
        or (len(output) > 1 and output[1] == ":")
    ):
        return (
            f"{output!r} is absolute; the document's path is relative to the spec file",
            "e.g. 'docs/asyncapi.yaml', so that every checkout writes the same file",
        )
    name = posixpath.basename(output)
    if not name.endswith(SUFFIXES) or name in SUFFIXES:
        return (
            f"{output!r} is not a YAML file name: the document is YAML",
            "end the name with .yaml or .yml, e.g. 'docs/asyncapi.yaml'",
        )
    return None


def inside(output: str, folder: str) -> bool:
    """Whether the file ``output`` is in ``folder`` (both relative to the spec file)."""
    file = posixpath.normpath(output)
    base = posixpath.normpath(folder)
    return base == "." or file.startswith(base.rstrip("/") + "/")
