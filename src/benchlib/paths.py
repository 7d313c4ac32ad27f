"""All project paths, found once. Nothing else in benchlib hard-codes a path.

The project root is the nearest folder above the working directory that holds
``config/study.yaml``; ``BENCHLIB_ROOT`` overrides it (tests use that to run the pipeline
in a copy).

>>> from benchlib import paths
>>> paths.project_root().joinpath("config", "study.yaml").exists()
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def project_root(start: Path | None = None) -> Path:
    """Return the project root (``BENCHLIB_ROOT`` or the folder holding config/study.yaml)."""
    env = os.environ.get("BENCHLIB_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "config" / "study.yaml").is_file():
            return folder
    # installed in editable mode inside the repository: fall back to the source tree
    src_root = Path(__file__).resolve().parents[2]
    if (src_root / "config" / "study.yaml").is_file():
        return src_root
    raise FileNotFoundError(
        f"no benchlib project found above {here} (expected config/study.yaml); "
        "run from the repository or set BENCHLIB_ROOT"
    )


@dataclass(frozen=True)
class ProjectPaths:
    """The folders of one project."""

    root: Path

    @property
    def config(self) -> Path:
        return self.root / "config"

    @property
    def raw(self) -> Path:
        return self.root / "data" / "raw"

    @property
    def processed(self) -> Path:
        return self.root / "data" / "processed"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"


def get_paths(root: Path | None = None) -> ProjectPaths:
    """Paths of the project at ``root`` (default: :func:`project_root`)."""
    return ProjectPaths(Path(root).resolve() if root else project_root())
