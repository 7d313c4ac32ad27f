"""Build a wave's reports: parameterised notebooks → executed (papermill) → offline HTML.

Every notebook of :data:`NOTEBOOKS` that exists in ``notebooks/`` is executed with the
parameters ``wave`` and ``lang`` and exported with the ``benchlib_report`` template (no
code, no CDN, no script can run). Everything is built in a temporary folder beside
``reports/<wave>/`` and swapped in only when every notebook succeeded, so a failing build
leaves the previous report in place.

>>> sorted(NOTEBOOKS)[0]
'00_data_quality'
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from benchlib.errors import BenchlibError

NOTEBOOKS: dict[str, str] = {
    "00_data_quality": "data_quality.html",
    "01_wave_report": "wave_report.html",
    "02_trend_report": "trend_report.html",
    "03_workshop": "workshop.html",
    "04_calibration": "calibration.html",
}
TEMPLATE_DIR = Path(__file__).parent / "templates"
PROVENANCE_PACKAGES = ("benchlib", "pandas", "numpy", "scipy", "statsmodels", "pingouin",
                       "seaborn", "matplotlib", "pandera", "pyarrow", "papermill", "nbconvert")


class ReportError(BenchlibError):
    """A notebook failed; the message names notebook and cell."""

    exit_code = 1


def built_at() -> str:
    """Build time (UTC, ISO 8601), honouring ``SOURCE_DATE_EPOCH`` for reproducible builds.

    >>> os.environ["SOURCE_DATE_EPOCH"] = "0"; built_at()
    '1970-01-01T00:00:00Z'
    >>> del os.environ["SOURCE_DATE_EPOCH"]
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    ts = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def git_commit(root: Path) -> str:
    """The repository's HEAD commit (with ``-dirty`` when there are uncommitted changes)."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=root, capture_output=True, text=True).stdout.strip()
        return head + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def provenance(study, parameters: dict) -> dict:
    """What a report was built from: input hashes, config hash, versions, commit, time."""
    versions = {}
    for pkg in PROVENANCE_PACKAGES:
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            continue
    manifest = study.manifest
    return {"inputs": manifest["inputs"], "config_sha256": manifest["config_sha256"],
            "packages": versions, "python": platform.python_version(),
            "git_commit": git_commit(study.config.root), "parameters": dict(parameters),
            "built_at": built_at()}


@dataclass(frozen=True)
class BuiltReport:
    notebook: str
    html: Path
    seconds: float


ANALYST_TAG = "analyst"  # cells for analysts in JupyterLab, removed from stakeholder HTML


def _export_html(nb, out: Path, lang: str = "de") -> None:
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {ANALYST_TAG}
    exporter = HTMLExporter(config=config, template_name="benchlib_report",
                            extra_template_basedirs=[str(TEMPLATE_DIR)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.exclude_output_stdin = True
    exporter.language_code = lang
    body, _ = exporter.from_notebook_node(nb)
    out.write_text(body, encoding="utf-8")


def _failed_cell(nb) -> str:
    for i, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []):
            if o.get("output_type") == "error":
                return f"cell {i} (execution {cell.get('execution_count')}): {o.get('ename')}: " \
                       f"{o.get('evalue')}"
    return "unknown cell"


def run_notebook(src: Path, parameters: dict, workdir: Path) -> object:
    """Execute one notebook with papermill; raise ReportError naming the failing cell."""
    import nbformat
    import papermill as pm

    executed = workdir / src.name
    try:
        pm.execute_notebook(str(src), str(executed), parameters=parameters, kernel_name="python3",
                            cwd=str(src.parent), progress_bar=False, log_output=False)
    except pm.PapermillExecutionError as err:
        raise ReportError(f"notebook {src.name} failed in cell {err.cell_index} "
                          f"(execution {err.exec_count}): {err.ename}: {err.evalue}") from None
    except Exception as err:  # kernel died, bad notebook JSON, …
        raise ReportError(f"notebook {src.name} failed: {type(err).__name__}: {err}") from None
    return nbformat.read(executed, as_version=4)


def report_jobs(count: int) -> int:
    """How many notebooks of one wave run side by side: ``BENCHLIB_REPORT_JOBS`` if set,
    one under ``make -jN`` (make runs the waves side by side), else one per CPU (at most
    ``count``). Each notebook waits mostly for its own kernel's
    start-up and imports, so two at a time roughly halves a wave's build on 2 cores."""
    env = os.environ.get("BENCHLIB_REPORT_JOBS", "").strip()
    if env.isdigit():
        jobs = int(env)
    elif "--jobserver" in os.environ.get("MAKEFLAGS", ""):
        jobs = 1  # under `make -jN` make already builds N waves side by side
    else:
        jobs = os.cpu_count() or 1
    return max(1, min(jobs, count))


def _build_one(job: tuple) -> float:
    """Execute one notebook and export its HTML in this process (no nbconvert start-up)."""
    label, src, params, tmp, html, lang = job
    t0 = time.perf_counter()
    print(label, file=sys.stderr, flush=True)
    nb = run_notebook(src, params, tmp / "_executed")
    _export_html(nb, tmp / html, lang)
    return time.perf_counter() - t0


def _die_with_parent() -> None:  # pragma: no cover - runs in pool workers
    """Pool workers end when the building process is killed (Linux), so a killed build
    leaves no notebook running on its own."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _run_jobs(jobs: list[tuple]) -> list[float]:
    """Run the notebook jobs (side by side when :func:`report_jobs` > 1); seconds per job.

    The first failing notebook in notebook order is raised (its ReportError names notebook
    and cell); the others are cancelled or awaited, never left running."""
    workers = report_jobs(len(jobs))
    if workers <= 1:
        return [_build_one(j) for j in jobs]
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                             initializer=_die_with_parent) as pool:
        futures = [pool.submit(_build_one, j) for j in jobs]
        try:
            return [f.result() for f in futures]
        except BaseException:
            for f in futures:
                f.cancel()
            raise


def build_wave_reports(wave: str, lang: str = "de", root: Path | str | None = None,
                       only: list[str] | None = None) -> list[BuiltReport]:
    """Build every report notebook of ``wave`` into ``reports/<wave>/`` (atomic swap)."""
    from benchlib.config import load_config
    from benchlib.paths import get_paths

    cfg = load_config(root)
    cfg.wave(wave)  # unknown wave -> ConfigError listing the valid waves
    paths = get_paths(cfg.root)
    if paths.current is None:  # no processed generation yet
        from benchlib.pipeline import run_pipeline

        run_pipeline(cfg.root)
    names = [n for n in NOTEBOOKS if (paths.notebooks / f"{n}.ipynb").is_file()
             and (only is None or n in only)]
    if not names:
        raise ReportError(f"no report notebooks found in {paths.notebooks}")
    paths.reports.mkdir(parents=True, exist_ok=True)
    _remove_stale_builds(paths.reports, wave)
    tmp = paths.reports / f".{wave}.building-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "_executed").mkdir(parents=True)
    built = []
    env_backup = os.environ.get("BENCHLIB_ROOT")
    os.environ["BENCHLIB_ROOT"] = str(cfg.root)
    try:
        jobs = [(f"[{wave}] {i}/{len(names)} {name} …", paths.notebooks / f"{name}.ipynb",
                 {"wave": wave, "lang": lang, "out_dir": str(tmp)}, tmp, NOTEBOOKS[name], lang)
                for i, name in enumerate(names, 1)]
        for name, seconds in zip(names, _run_jobs(jobs), strict=True):
            built.append(BuiltReport(name, paths.reports / wave / NOTEBOOKS[name], seconds))
        shutil.rmtree(tmp / "_executed")
        if only is None:  # a complete build: the Makefile's up-to-date marker for this language
            (tmp / f".built-{lang}").write_text(built_at() + "\n", encoding="utf-8")
        _swap_in(tmp, paths.reports / wave, keep=[] if only is None else
                 [NOTEBOOKS[n] for n in NOTEBOOKS if n not in names])
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if env_backup is None:
            os.environ.pop("BENCHLIB_ROOT", None)
        else:
            os.environ["BENCHLIB_ROOT"] = env_backup
    print(f"[{wave}] wrote {paths.reports / wave}", file=sys.stderr)
    return built


def _swap_in(tmp: Path, final: Path, keep: list[str]) -> None:
    """Replace ``final`` by ``tmp`` atomically; with ``keep``, carry over those old files."""
    from benchlib.atomic import replace_dir

    for name in keep:
        if (final / name).exists() and not (tmp / name).exists():
            shutil.copy2(final / name, tmp / name)
    replace_dir(tmp, final)


def _remove_stale_builds(reports: Path, wave: str) -> None:
    """Remove temp folders of builds of ``wave`` whose process is gone (killed runs)."""
    for p in reports.glob(f".{wave}.building-*"):
        pid = p.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(p, ignore_errors=True)
