"""All project paths, found once. Nothing else in benchlib hard-codes a path.

The project root is the nearest folder above the working directory that holds
``config/study.yaml``; ``BENCHLIB_ROOT`` overrides it (tests use that to run the pipeline
in a copy).

Processed data lives in *generations*: ``data/processed/gen-000007/`` holds one complete
set of tables and its ``manifest.json``; the pointer file ``data/processed/CURRENT`` names
the current generation and is replaced (renamed) only after that generation is complete.
Every reader resolves the pointer once (:attr:`ProjectPaths.current`) and reads from that
folder, so it never sees a mix of two runs (see :mod:`benchlib.generation`).

>>> from benchlib import paths
>>> paths.project_root().joinpath("config", "study.yaml").exists()
True
"""

from __future__ import annotations

import os
import re
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


POINTER = "CURRENT"
RESULTS_FILE = "results.json"  # a wave's language-independent numbers: reports/<wave>/
GENERATION_RE = re.compile(r"^gen-(\d{6,})$")


def current_generation(processed: Path) -> Path | None:
    """The complete generation ``processed/CURRENT`` names, or None (never cleaned yet).

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> current_generation(d) is None
    True
    >>> (d / "gen-000001").mkdir(); _ = (d / "gen-000001" / "manifest.json").write_text("{}")
    >>> _ = (d / "CURRENT").write_text("gen-000001\\n")
    >>> current_generation(d).name
    'gen-000001'
    """
    try:
        name = (Path(processed) / POINTER).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not GENERATION_RE.match(name):
        return None
    folder = Path(processed) / name
    return folder if (folder / "manifest.json").is_file() else None


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
    def pointer(self) -> Path:
        """The file naming the current generation (its mtime changes on every switch)."""
        return self.processed / POINTER

    @property
    def current(self) -> Path | None:
        """The current complete generation of processed data (None before the first clean)."""
        return current_generation(self.processed)

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"


def get_paths(root: Path | None = None) -> ProjectPaths:
    """Paths of the project at ``root`` (default: :func:`project_root`)."""
    return ProjectPaths(Path(root).resolve() if root else project_root())
