"""Build the reports: parameterised notebooks → executed (papermill) → offline HTML.

Layout (one folder per wave and language, so German and English sit side by side)::

    reports/<wave>/results.json                 language-independent numbers of the wave
    reports/<wave>/<lang>/data_quality.html     … and wave_report, trend_report, workshop,
    reports/<wave>/<lang>/tables.xlsx           calibration (.html), the wave's tables

:func:`build_reports` runs ONE scheduler over every (wave, language, notebook) job it is
given, on all cores, so that ``benchlib reports`` keeps both cores busy to the last
notebook. Each (wave, language) is built in a hidden temporary folder beside its target and
swapped in only when all of its notebooks succeeded; a failing notebook or Ctrl-C leaves
the previous reports in place and starts nothing further.

Whether a (wave, language) needs building is decided from content, not file times: a stamp
(``reports/<wave>/<lang>/.stamp.json``) holds the hashes of the processed data's manifest,
the notebooks and the library that the reports were built from.

Rebuilds are byte-identical: the cell ids and execution metadata that papermill and
nbclient add are normalised, and the build time is ``SOURCE_DATE_EPOCH`` or else the
modification time of the newest raw input.

>>> sorted(NOTEBOOKS)[0]
'00_data_quality'
>>> report_dir(Path("/p/reports"), "2026-10", "en").as_posix()
'/p/reports/2026-10/en'
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from benchlib.errors import BenchlibError
from benchlib.paths import RESULTS_FILE

NOTEBOOKS: dict[str, str] = {
    "00_data_quality": "data_quality.html",
    "01_wave_report": "wave_report.html",
    "02_trend_report": "trend_report.html",
    "03_workshop": "workshop.html",
    "04_calibration": "calibration.html",
}
DEFAULT_LANGUAGES: tuple[str, ...] = ("de", "en")
KERNEL_NAME = "benchlib"
KERNEL_DISPLAY_NAME = "Python (benchlib)"
# papermill's default of 60 s for a kernel's first answer is hit on a loaded 2-core machine
# when several kernels start at once; a kernel that really hangs is still caught.
KERNEL_START_TIMEOUT_S = 600
# kernels built side by side must not share IPython's history database (a locked SQLite
# file makes a kernel print "history saving thread hit an unexpected error" into a report)
KERNEL_ARGUMENTS = ("--HistoryManager.hist_file=:memory:",)
STAMP = ".stamp.json"
WAVE_FILES = (RESULTS_FILE,)  # language-independent outputs kept at reports/<wave>/
TEMPLATE_DIR = Path(__file__).parent / "templates"
PROVENANCE_PACKAGES = ("benchlib", "pandas", "numpy", "scipy", "statsmodels", "pingouin",
                       "seaborn", "matplotlib", "pydantic", "pyarrow", "papermill", "nbconvert")
_LIBRARY_SUFFIXES = (".py", ".yaml", ".j2", ".json", ".css")


class ReportError(BenchlibError):
    """A notebook failed; the message names notebook and cell."""

    exit_code = 1


# --------------------------------------------------------------------------- provenance
def built_at(root: Path | str | None = None, inputs: Iterable[str] = ()) -> str:
    """Build time (UTC, ISO 8601): ``SOURCE_DATE_EPOCH`` when set, else the modification
    time of the newest of ``inputs`` (paths relative to ``root``), else now.

    Taking the time from the inputs makes two builds from the same inputs byte-identical.

    >>> os.environ["SOURCE_DATE_EPOCH"] = "0"; built_at()
    '1970-01-01T00:00:00Z'
    >>> del os.environ["SOURCE_DATE_EPOCH"]
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        ts = datetime.fromtimestamp(int(epoch), UTC)
    else:
        mtimes = []
        for rel in inputs:
            try:
                mtimes.append(int(Path(root or ".", rel).stat().st_mtime))
            except OSError:
                continue
        ts = datetime.fromtimestamp(max(mtimes), UTC) if mtimes else datetime.now(UTC)
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def project_built_at(root: Path | str | None = None) -> str:
    """:func:`built_at` of the project's current processed data (its raw inputs' newest
    time), the one build time every report and its provenance footer show."""
    import json

    from benchlib.paths import get_paths

    paths = get_paths(Path(root) if root else None)
    try:
        inputs = json.loads((paths.current / "manifest.json").read_text("utf-8"))["inputs"]
    except (OSError, TypeError, KeyError, ValueError):
        inputs = {}
    return built_at(paths.root, inputs)


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
    root = study.config.root
    return {"inputs": manifest["inputs"], "config_sha256": manifest["config_sha256"],
            "packages": versions, "python": platform.python_version(),
            "git_commit": git_commit(root), "parameters": dict(parameters),
            "built_at": built_at(root, manifest["inputs"])}


# --------------------------------------------------------------------------- layout, stamps
def report_dir(reports: Path, wave: str, lang: str) -> Path:
    """Folder of one wave's reports in one language: ``reports/<wave>/<lang>``."""
    return Path(reports) / wave / lang


def configured_languages(cfg) -> tuple[str, ...]:
    """The study's report languages (``settings.languages``; German and English by default).

    >>> class S: pass
    >>> class C: settings = S()
    >>> configured_languages(C())
    ('de', 'en')
    """
    return tuple(getattr(cfg.settings, "languages", None) or DEFAULT_LANGUAGES)


def _sha_files(files: Iterable[Path], base: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(files):
        h.update(p.relative_to(base).as_posix().encode() + b"\0")
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def library_hash() -> str:
    """SHA-256 over the library's own files (code, texts, templates) and its version."""
    pkg = Path(__file__).parent
    files = [p for p in pkg.rglob("*") if p.is_file() and p.suffix in _LIBRARY_SUFFIXES
             and "__pycache__" not in p.parts]
    try:
        version = metadata.version("benchlib")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return hashlib.sha256(f"{version}\0{_sha_files(files, pkg)}".encode()).hexdigest()


def _manifest_file(paths) -> Path:
    """The current processed generation's manifest (its input hashes identify the data)."""
    current = paths.current
    return (current if current is not None else paths.processed) / "manifest.json"


def build_inputs(paths, names: Sequence[str], library: str | None = None) -> dict:
    """The hashes a (wave, language) build depends on: processed manifest, notebooks,
    library. Equal hashes → the reports on disk are what a rebuild would produce."""
    nbs = {n: hashlib.sha256((paths.notebooks / f"{n}.ipynb").read_bytes()).hexdigest()
           for n in names}
    manifest = _manifest_file(paths)
    return {"manifest": hashlib.sha256(manifest.read_bytes()).hexdigest()
            if manifest.is_file() else None,
            "notebooks": nbs, "library": library or library_hash(),
            "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH")}


def is_up_to_date(out: Path, inputs: dict, names: Sequence[str]) -> bool:
    """Whether ``out`` (a ``reports/<wave>/<lang>`` folder) was built from ``inputs`` and
    holds every report of ``names``."""
    try:
        stamp = json.loads((out / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return stamp == inputs and all((out / NOTEBOOKS[n]).is_file() for n in names)


# --------------------------------------------------------------------------- one notebook
@dataclass(frozen=True)
class BuiltReport:
    notebook: str
    html: Path
    seconds: float


RESULTS_JOB = "results"  # the job that computes a wave's numbers before its notebooks run


@dataclass(frozen=True)
class Job:
    """The notebooks ``notebooks`` of one wave in one language, run one after another in one
    kernel and built into ``tmp`` — or, with ``notebooks == (RESULTS_JOB,)``, the computation
    of the wave's ``results.json`` into ``tmp`` that every notebook of that wave (in every
    language) then only loads."""

    wave: str
    lang: str
    notebooks: tuple[str, ...]
    folder: Path  # where the notebooks are
    tmp: Path
    label: str

    @property
    def computes_results(self) -> bool:
        return self.notebooks == (RESULTS_JOB,)

    def src(self, name: str) -> Path:
        return self.folder / f"{name}.ipynb"


_EXPORTER = None
ANALYST_TAG = "analyst"  # cells for analysts in JupyterLab, removed from stakeholder HTML


def _export_html(nb, out: Path, lang: str = "de") -> None:
    global _EXPORTER
    if _EXPORTER is None:  # one exporter per process: its templates load once
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
        _EXPORTER = exporter
    _EXPORTER.language_code = lang
    body, _ = _EXPORTER.from_notebook_node(nb)
    out.write_text(body, encoding="utf-8")


def normalise_notebook(nb) -> None:
    """Make an executed notebook depend only on its content: cell ids numbered in order
    (papermill's injected cell gets a random one), execution timestamps and papermill's
    run metadata removed, kernelspec the project kernel."""
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"
        md = cell.get("metadata", {})
        md.pop("execution", None)
        md.pop("papermill", None)
    nb.metadata.pop("papermill", None)
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": KERNEL_DISPLAY_NAME,
                                 "language": "python"}


def kernel_manager_class(socket_dir: Path):
    """A kernel manager whose kernel talks over Unix sockets in ``socket_dir`` (no TCP, so
    no 'running over TCP without encryption' warning and no open port)."""
    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kw):
            kw.setdefault("transport", "ipc")
            kw.setdefault("ip", str(socket_dir / "k"))
            super().__init__(**kw)

    return IPCKernelManager


RESET_CODE = """\
%reset -f
import warnings as _w, matplotlib.pyplot as _plt, benchlib.report as _r
_r._reset_kernel_state(_w, _plt)
del _w, _plt, _r
"""
"""Run in a kernel before each of its notebooks: the user namespace, open figures and the
warning filters (and the once-only registries) as a fresh kernel has them."""
RESET_TAG = "benchlib-reset"  # the reset cell's tag: removed from the executed notebook
WARM_ENGINE = "benchlib-warm-kernel"  # papermill engine name of :func:`_warm_engine`

_FRESH_WARNING_FILTERS: list | None = None


def _reset_kernel_state(warnings, plt) -> None:  # pragma: no cover - runs in kernels
    """In a kernel, before each notebook: close the figures; remember the warning filters
    (the first time, in the fresh kernel) or restore them and make every warning show again,
    as in a fresh process."""
    global _FRESH_WARNING_FILTERS
    plt.close("all")
    if _FRESH_WARNING_FILTERS is None:
        _FRESH_WARNING_FILTERS = list(warnings.filters)
    else:
        warnings.filters[:] = _FRESH_WARNING_FILTERS
        warnings._filters_mutated()  # the once/default registries are stale: warnings repeat


class WarmKernel:
    """One kernel for several notebooks, one after another (a report job's notebooks).

    A kernel start and the notebooks' imports are about half of a report notebook's time;
    between two notebooks :data:`RESET_CODE` gives the next one a fresh namespace. The HTML is
    byte-identical to that of a kernel per notebook (tested).
    """

    def __init__(self, cwd: Path):
        from jupyter_client.kernelspec import NoSuchKernel
        from jupyter_core.utils import run_sync

        self.sockets = Path(tempfile.mkdtemp(prefix="bl-"))  # Unix socket paths ≤ 107 bytes
        self.km = kernel_manager_class(self.sockets)(kernel_name=KERNEL_NAME)
        self.kc = None
        try:
            run_sync(self.km.start_kernel)(extra_arguments=list(KERNEL_ARGUMENTS),
                                           cwd=str(cwd))
            self.kc = self.km.client()
            self.kc.start_channels()
            run_sync(self.kc.wait_for_ready)(timeout=KERNEL_START_TIMEOUT_S)
        except NoSuchKernel:
            self.close()
            raise ReportError(f"the Jupyter kernel '{KERNEL_NAME}' is not installed; run "
                              "`make setup` (it registers the kernel)") from None
        except Exception as err:  # the kernel died at start, did not answer, …
            self.close()
            raise ReportError(f"the Jupyter kernel '{KERNEL_NAME}' did not start: "
                              f"{type(err).__name__}: {err}") from None

    def close(self) -> None:
        """Stop the client and the kernel; remove the socket folder."""
        from jupyter_core.utils import run_sync

        try:
            if self.kc is not None:
                self.kc.stop_channels()
            if self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)
        finally:
            shutil.rmtree(self.sockets, ignore_errors=True)

    def __enter__(self) -> WarmKernel:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@functools.cache
def _warm_engine() -> None:
    """Register papermill's nbclient engine executing in a :class:`WarmKernel` (``kernel=``)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class WarmKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False,
                                     stdout_file=None, stderr_file=None, start_timeout=60,
                                     execution_timeout=None, kernel=None, **kwargs):
            client = PapermillNotebookClient(
                nb_man, km=kernel.km, kernel_name=kernel_name, log_output=log_output,
                stdout_file=stdout_file, stderr_file=stderr_file,
                startup_timeout=start_timeout, timeout=execution_timeout)
            client.kc = kernel.kc  # the kernel's one client: nothing opened per notebook
            return client.execute()

    papermill_engines.register(WARM_ENGINE, WarmKernelEngine)


def run_notebook(src: Path, parameters: dict, workdir: Path,
                 kernel: WarmKernel | None = None) -> object:
    """Execute one notebook with papermill in ``kernel`` (else in a kernel of its own);
    raise ReportError naming the failing cell."""
    if kernel is None:
        with WarmKernel(src.parent) as own:
            return run_notebook(src, parameters, workdir, own)
    without_iri_grammar()
    import nbformat
    import papermill as pm

    _warm_engine()
    nb = nbformat.read(src, as_version=4)  # first a fresh namespace, removed again below
    nb.cells.insert(0, nbformat.v4.new_code_cell(RESET_CODE, metadata={"tags": [RESET_TAG]}))
    executed = workdir / src.name
    try:
        pm.execute_notebook(nb, str(executed), parameters=parameters, engine_name=WARM_ENGINE,
                            kernel_name=KERNEL_NAME, cwd=str(src.parent), progress_bar=False,
                            log_output=False, start_timeout=KERNEL_START_TIMEOUT_S,
                            kernel=kernel)
    except pm.PapermillExecutionError as err:
        cell = err.cell_index - 1  # the reset cell does not count
        raise ReportError(f"notebook {src.name} failed in cell {cell} "
                          f"(execution {err.exec_count}): {err.ename}: {err.evalue}") from None
    except Exception as err:  # kernel died, bad notebook JSON, …
        raise ReportError(f"notebook {src.name} failed: {type(err).__name__}: {err}") from None
    done = nbformat.read(executed, as_version=4)
    done.cells = [c for c in done.cells if RESET_TAG not in c.get("metadata", {}).get("tags", [])]
    return done


def _build_one(job: Job) -> dict[str, float]:
    """Execute the job's notebooks one after another in one kernel and export their HTML in
    this (worker) process (or, for the results job, compute the wave's results once).
    Returns the seconds of each notebook."""
    t0 = time.perf_counter()
    if job.computes_results:
        print(f"{job.label} …", file=sys.stderr, flush=True)
        import benchlib
        from benchlib.results import prepare_wave

        prepare_wave(benchlib.load_study(os.environ.get("BENCHLIB_ROOT")), job.wave, job.tmp)
        return {RESULTS_JOB: time.perf_counter() - t0}
    seconds = {}
    with WarmKernel(job.folder) as kernel:
        for name in job.notebooks:
            print(f"{job.label} {name} …", file=sys.stderr, flush=True)
            nb = run_notebook(job.src(name), {"wave": job.wave, "lang": job.lang,
                                              "out_dir": str(job.tmp)},
                              job.tmp / "_executed", kernel)
            normalise_notebook(nb)
            _export_html(nb, job.tmp / NOTEBOOKS[name], job.lang)
            seconds[name] = time.perf_counter() - t0
            t0 = time.perf_counter()
    return seconds


# --------------------------------------------------------------------------- the pool
def report_jobs(count: int) -> int:
    """How many notebooks run side by side: ``BENCHLIB_REPORT_JOBS`` if set, else one per
    CPU (at most ``count``). One scheduler serves every wave and language, so ``make -j2``
    adds nothing (and takes nothing away)."""
    env = os.environ.get("BENCHLIB_REPORT_JOBS", "").strip()
    jobs = int(env) if env.isdigit() else (os.cpu_count() or 1)
    return max(1, min(jobs, count))


def _children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (Linux /proc; empty elsewhere)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == str(pid):
            out.append(int(stat.parent.name))
    return out


def _kill_kernels_and_exit(signum=None, frame=None) -> None:  # pragma: no cover - workers
    """Worker's SIGTERM: kill its kernels (each leads its own session) silently, then end."""
    for child in _children(os.getpid()):
        for kill in (os.killpg, os.kill):
            try:
                kill(child, signal.SIGKILL)
                break
            except OSError:
                continue
    os._exit(143)


def _init_worker() -> None:  # pragma: no cover - runs in the job processes
    """Ctrl-C reaches the scheduler only (it stops the jobs itself, silently); a job whose
    scheduler dies is sent SIGTERM (Linux), which ends its kernel too."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _kill_kernels_and_exit)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _job_process(job: Job, conn) -> None:  # pragma: no cover - runs in the job processes
    """Body of one job process: build, send ``("ok", {notebook: seconds})`` or
    ``("error", message)``."""
    _init_worker()
    try:
        result = ("ok", _build_one(job))
    except ReportError as err:
        result = ("error", str(err))
    except BaseException as err:  # never a traceback from a job process
        result = ("error", f"{job.label} failed: {type(err).__name__}: {err}")
    try:
        conn.send(result)
        conn.close()
        sys.stderr.flush()
    finally:
        os._exit(0)


IRI_GRAMMAR_MODULE = "rfc3987_syntax"
"""The module whose grammar :func:`without_iri_grammar` keeps out (tests/pytest_boot.py blocks
the same one before pytest's plugins load)."""


def without_iri_grammar() -> None:
    """Keep ``rfc3987_syntax`` out of this process (a report build's).

    nbformat's jsonschema imports it, if installed, for its "iri" format checker, and
    building its grammar takes about a second — in every process that imports nbformat.
    nbformat never checks formats, so the import is blocked (``None`` in ``sys.modules``:
    jsonschema skips that checker); a process that has it already keeps it.

    >>> without_iri_grammar()
    """
    sys.modules.setdefault(IRI_GRAMMAR_MODULE, None)


def _preload() -> None:
    """Import papermill and nbconvert (and load the HTML template) once in the scheduler:
    every job process is forked from it and starts with them ready."""
    without_iri_grammar()
    import papermill  # noqa: F401
    from jupyter_client.manager import AsyncKernelManager  # noqa: F401

    _warm_engine()

    global _EXPORTER
    if _EXPORTER is None:
        import nbformat

        _export_html(nbformat.v4.new_notebook(), Path(os.devnull))


def _run_jobs(jobs: list[Job], on_done) -> None:
    """Run the jobs, :func:`report_jobs` at a time, each in a process forked for it;
    ``on_done(job, {notebook: seconds})`` in the scheduler as each one finishes. The first
    failure (or Ctrl-C) ends the running jobs and their kernels; nothing further starts."""
    import multiprocessing as mp
    from multiprocessing.connection import wait

    ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    if ctx.get_start_method() == "fork":
        _preload()
    workers = report_jobs(len(jobs))
    queue = list(jobs)
    running: dict[int, tuple] = {}
    pending = {j.wave for j in jobs if j.computes_results}  # waves whose results are not ready

    def next_job() -> Job | None:
        for i, job in enumerate(queue):
            if job.computes_results or job.wave not in pending:
                return queue.pop(i)
        return None

    try:
        while queue or running:
            while queue and len(running) < workers:
                job = next_job()
                if job is None:
                    break
                recv, send = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_job_process, args=(job, send), daemon=True)
                # a Ctrl-C between fork and the child's handler must not reach the child
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
                try:
                    proc.start()
                finally:
                    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
                send.close()
                running[proc.sentinel] = (proc, recv, job)
            for sentinel in wait(list(running)):
                proc, recv, job = running.pop(sentinel)
                try:
                    status, value = recv.recv() if recv.poll() else ("died", None)
                except (EOFError, OSError):
                    status, value = "died", None
                recv.close()
                proc.join()
                if status == "died":
                    raise ReportError(f"{job.label}: the job process died "
                                      f"(exit code {proc.exitcode})")
                if status == "error":
                    raise ReportError(value)
                if job.computes_results:
                    pending.discard(job.wave)
                on_done(job, value)
    except BaseException:
        old = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C waits for this
        try:
            for proc, _, _ in running.values():
                proc.terminate()
            for proc, recv, _ in running.values():
                proc.join(timeout=30)
                recv.close()
        finally:
            signal.signal(signal.SIGINT, old)
        raise


# --------------------------------------------------------------------------- builds
def build_reports(waves: Sequence[str] | None = None, langs: Sequence[str] | None = None,
                  root: Path | str | None = None, only: Sequence[str] | None = None,
                  force: bool = False) -> list[BuiltReport]:
    """Build the reports of ``waves`` × ``langs`` (default: every wave, every configured
    language) with one pool of notebook jobs; skip what is up to date (unless ``force`` or
    ``only``, a subset of notebook stems). Returns the reports built."""
    from benchlib.config import load_config
    from benchlib.paths import get_paths

    cfg = load_config(root)
    waves = list(waves) if waves is not None else list(cfg.wave_ids)
    for wave in waves:
        cfg.wave(wave)  # unknown wave -> ConfigError listing the valid waves
    configured = configured_languages(cfg)
    langs = list(langs) if langs else list(configured)
    for lang in langs:
        if lang not in configured:
            raise BenchlibError(f"unknown report language {lang!r}; configured languages "
                                f"(settings.languages): {', '.join(configured)}")
    paths = get_paths(cfg.root)
    if paths.current is None:  # no processed generation yet
        from benchlib.pipeline import run_pipeline

        run_pipeline(cfg.root)
    every = [n for n in NOTEBOOKS if (paths.notebooks / f"{n}.ipynb").is_file()]
    names = [n for n in every if only is None or n in only]
    if not names:
        raise ReportError(f"no report notebooks found in {paths.notebooks}")
    # the stamp covers every notebook: a partial build of a current folder keeps it current
    inputs = build_inputs(paths, every)
    units = []
    for wave in waves:
        for lang in langs:
            out = report_dir(paths.reports, wave, lang)
            if only is None and not force and is_up_to_date(out, inputs, names):
                print(f"[{wave}/{lang}] up to date: {out}", file=sys.stderr)
            else:
                units.append((wave, lang))
    built = _build_units(cfg.root, paths, units, names, inputs,
                         partial=only is not None) if units else []
    from benchlib.index import write_index

    index = write_index(paths.reports)  # every wave x language x report, with its headline
    if built:
        print(f"wrote {index}", file=sys.stderr)
    return built


def split(names: Sequence[str], pieces: int) -> list[tuple[str, ...]]:
    """``names`` in order, in ``pieces`` runs of near-equal length.

    >>> split(["a", "b", "c", "d", "e"], 2)
    [('a', 'b', 'c'), ('d', 'e')]
    """
    size, extra = divmod(len(names), pieces)
    out, start = [], 0
    for i in range(pieces):
        end = start + size + (i < extra)
        out.append(tuple(names[start:end]))
        start = end
    return [part for part in out if part]


def _build_units(root: Path, paths, units: list[tuple[str, str]], names: list[str],
                 inputs: dict, partial: bool) -> list[BuiltReport]:
    pid = os.getpid()
    tmps: dict[tuple[str, str], Path] = {}
    jobs: list[Job] = []
    # a (wave, language)'s notebooks share a kernel; split into as many jobs as it takes to
    # keep every core busy when there are fewer units than cores
    pieces = min(len(names), -(-report_jobs(len(units) * len(names)) // len(units)))
    for wave, lang in units:
        wave_dir = paths.reports / wave
        wave_dir.mkdir(parents=True, exist_ok=True)
        _remove_stale_builds(wave_dir)
        tmp = wave_dir / f".{lang}.building-{pid}"
        shutil.rmtree(tmp, ignore_errors=True)
        (tmp / "_executed").mkdir(parents=True)
        tmps[(wave, lang)] = tmp
        for part in split(names, pieces):
            jobs.append(Job(wave, lang, part, paths.notebooks, tmp, f"[{wave}/{lang}]"))
    results_jobs = []
    for wave in dict.fromkeys(w for w, _ in units):  # each wave's numbers, computed once
        tmp = paths.reports / wave / f".results.building-{pid}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        tmps[(wave, RESULTS_JOB)] = tmp
        results_jobs.append(Job(wave, "", (RESULTS_JOB,), Path(), tmp,
                                f"[{wave}] results (computed once for every language)"))
    jobs = results_jobs + jobs
    remaining = {u: len(names) for u in units}
    seconds: dict[tuple[str, str, str], float] = {}
    built: list[BuiltReport] = []
    first_lang = {}
    for wave, lang in units:
        first_lang.setdefault(wave, lang)

    def finish(job: Job, secs: dict[str, float]) -> None:
        if job.computes_results:  # hand the wave's results to each language's build
            staged = tmps.pop((job.wave, RESULTS_JOB))
            for (wave, _lang), tmp in tmps.items():
                if wave == job.wave:
                    shutil.copy2(staged / RESULTS_FILE, tmp / RESULTS_FILE)
            shutil.rmtree(staged, ignore_errors=True)
            print(f"[{job.wave}] results computed in {secs[RESULTS_JOB]:.1f} s",
                  file=sys.stderr, flush=True)
            return
        unit = (job.wave, job.lang)
        seconds.update({(*unit, name): value for name, value in secs.items()})
        remaining[unit] -= len(secs)
        if remaining[unit]:
            return
        tmp = tmps.pop(unit)
        out = report_dir(paths.reports, *unit)
        _finish_unit(tmp, out, inputs, partial, keep_wave_files=first_lang[job.wave] == job.lang)
        built.extend(BuiltReport(n, out / NOTEBOOKS[n], seconds[(*unit, n)]) for n in names)
        print(f"[{job.wave}/{job.lang}] wrote {out}", file=sys.stderr, flush=True)

    from benchlib.results import memo

    env_backup = os.environ.get("BENCHLIB_ROOT")
    os.environ["BENCHLIB_ROOT"] = str(root)
    try:
        with memo.sharing():  # the waves' results jobs share earlier waves' verdicts
            _run_jobs(jobs, finish)
    finally:
        for tmp in tmps.values():
            shutil.rmtree(tmp, ignore_errors=True)
        if env_backup is None:
            os.environ.pop("BENCHLIB_ROOT", None)
        else:
            os.environ["BENCHLIB_ROOT"] = env_backup
    return built


def _finish_unit(tmp: Path, out: Path, inputs: dict, partial: bool,
                 keep_wave_files: bool) -> None:
    """Swap one complete (wave, language) build in; language-independent files move up to
    ``reports/<wave>/`` (from the first language built, so reruns are deterministic)."""
    from benchlib.atomic import replace_dir, write_json

    shutil.rmtree(tmp / "_executed")
    for name in WAVE_FILES:
        if (tmp / name).exists():
            if keep_wave_files:
                os.replace(tmp / name, out.parent / name)
            else:
                (tmp / name).unlink()
    if partial:  # carry over the reports not rebuilt; the stamp only if still current
        if out.is_dir():
            for p in out.iterdir():
                if p.name != STAMP and not (tmp / p.name).exists():
                    shutil.copy2(p, tmp / p.name)
            if is_up_to_date(out, inputs, list(inputs["notebooks"])):
                shutil.copy2(out / STAMP, tmp / STAMP)
    else:
        write_json(tmp / STAMP, inputs)
    _remove_old_layout(out.parent)
    replace_dir(tmp, out)


def _remove_old_layout(wave_dir: Path) -> None:
    """Reports of the old one-language layout (``reports/<wave>/*.html``) would look current."""
    for p in wave_dir.iterdir():
        if p.is_file() and (p.suffix in (".html", ".xlsx") or p.name.startswith(".built-")):
            p.unlink()


def build_wave_reports(wave: str, lang: str = "de", root: Path | str | None = None,
                       only: list[str] | None = None, force: bool = False
                       ) -> list[BuiltReport]:
    """Build every report notebook of ``wave`` in ``lang`` into ``reports/<wave>/<lang>/``."""
    return build_reports([wave], [lang], root=root, only=only, force=force)


def _remove_stale_builds(wave_dir: Path) -> None:
    """Remove temp folders of builds whose process is gone (killed runs)."""
    for p in wave_dir.glob(".*.building-*"):
        pid = p.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(p, ignore_errors=True)
