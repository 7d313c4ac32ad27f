"""The papermill → HTML path: offline HTML, clear failures, previous report kept on failure."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from benchlib.pipeline import run_pipeline
from benchlib.report import ReportError, build_wave_reports
from benchlib.study import load_study

from projects import REPORT_EPOCH, copy_project, run_cli_inprocess


def test_unknown_wave_lists_valid_waves(example_project):
    proc = run_cli_inprocess(example_project, "report", "--wave", "2099-01", timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("error: config/waves.yaml: waves: unknown wave '2099-01'; "
                                   "valid waves: 2025-07, 2025-10, 2026-01, 2026-04, 2026-07, "
                                   "2026-10")


@pytest.mark.slow
def test_data_quality_report_is_offline_html(example_project):
    build_wave_reports("2026-04", root=example_project, only=["00_data_quality"])
    html = (example_project / "reports" / "2026-04" / "de" / "data_quality.html").read_text("utf-8")
    assert "Datenqualität – Welle 2026-04" in html
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "script-src 'none'" in html  # CSP: nothing can execute
    imgs = re.findall(r"<img[^>]*>", html)
    assert imgs and all('src="data:image/png;base64,' in i and 'alt="' in i for i in imgs)
    assert any('alt="Heatmap' in i for i in imgs)
    assert '<html lang="de">' in html
    assert "FH-202604-0016" in html  # the conflicting duplicate is listed in quarantine
    assert not (example_project / "reports" / "2026-04" / "de" / "_executed").exists()


@pytest.mark.slow
def test_failing_notebook_keeps_previous_report(tmp_path):
    root = copy_project(tmp_path)
    run_pipeline(root)
    build_wave_reports("2026-10", root=root, only=["00_data_quality"])
    out = root / "reports" / "2026-10" / "de" / "data_quality.html"
    before = out.read_bytes()
    nb_path = root / "notebooks" / "00_data_quality.ipynb"
    nb = json.loads(nb_path.read_text("utf-8"))
    nb["cells"][3]["source"] = "raise RuntimeError('boom in cell 3')"
    nb_path.write_text(json.dumps(nb), encoding="utf-8")
    with pytest.raises(ReportError, match=r"notebook 00_data_quality.ipynb failed in cell \d+ .*"
                                          r"RuntimeError: boom in cell 3"):
        build_wave_reports("2026-10", root=root, only=["00_data_quality"])
    assert out.read_bytes() == before
    leftovers = [p.name for p in (root / "reports").rglob(".*")]
    assert leftovers == []


def _stamped(tmp_path, names=("00_data_quality",)):
    from benchlib.paths import get_paths
    from benchlib.report import build_inputs

    root = copy_project(tmp_path, with_raw=False)
    gen = root / "data" / "processed" / "gen-000001"  # a processed generation, as cleaned
    gen.mkdir()
    (gen / "manifest.json").write_text('{"inputs": {}}', "utf-8")
    (root / "data" / "processed" / "CURRENT").write_text("gen-000001\n", "utf-8")
    paths = get_paths(root)
    return root, paths, build_inputs(paths, list(names))


def test_stamp_decides_staleness_from_content(tmp_path):
    from benchlib.atomic import write_json
    from benchlib.report import STAMP, build_inputs, is_up_to_date, report_dir

    root, paths, inputs = _stamped(tmp_path)
    out = report_dir(paths.reports, "2026-10", "de")
    out.mkdir(parents=True)
    assert not is_up_to_date(out, inputs, ["00_data_quality"])  # never built
    write_json(out / STAMP, inputs)
    assert not is_up_to_date(out, inputs, ["00_data_quality"])  # the report itself is missing
    (out / "data_quality.html").write_text("built", "utf-8")
    assert is_up_to_date(out, inputs, ["00_data_quality"])
    os.utime(paths.notebooks / "00_data_quality.ipynb", (0, 0))  # file times do not count
    assert is_up_to_date(out, build_inputs(paths, ["00_data_quality"]), ["00_data_quality"])
    # new processed data (another generation's manifest) -> stale
    (paths.current / "manifest.json").write_text('{"inputs": {"a": "1"}}', "utf-8")
    assert not is_up_to_date(out, build_inputs(paths, ["00_data_quality"]), ["00_data_quality"])
    (paths.current / "manifest.json").write_text('{"inputs": {}}', "utf-8")
    assert is_up_to_date(out, build_inputs(paths, ["00_data_quality"]), ["00_data_quality"])
    # an edited notebook -> stale
    nb = paths.notebooks / "00_data_quality.ipynb"
    nb.write_text(nb.read_text("utf-8").replace("wave", "wave ", 1), "utf-8")
    assert not is_up_to_date(out, build_inputs(paths, ["00_data_quality"]), ["00_data_quality"])
    # another library -> stale
    changed = {**inputs, "library": "0" * 64}
    assert not is_up_to_date(out, changed, ["00_data_quality"])


def test_up_to_date_reports_are_not_rebuilt(tmp_path, capsys):
    from benchlib.atomic import write_json
    from benchlib.report import NOTEBOOKS, STAMP, build_inputs, build_reports, report_dir

    root, paths, _ = _stamped(tmp_path)
    names = [n for n in NOTEBOOKS if (paths.notebooks / f"{n}.ipynb").is_file()]
    inputs = build_inputs(paths, names)
    for lang in ("de", "en"):
        out = report_dir(paths.reports, "2026-10", lang)
        out.mkdir(parents=True)
        for n in names:
            (out / NOTEBOOKS[n]).write_text("built", "utf-8")
        write_json(out / STAMP, inputs)
    assert build_reports(["2026-10"], root=root) == []
    err = capsys.readouterr().err
    assert "[2026-10/de] up to date" in err and "[2026-10/en] up to date" in err


def test_rebuilding_one_notebook_keeps_a_current_folder_current(tmp_path, monkeypatch, capsys):
    """`benchlib report --notebooks N` on an up-to-date folder: still up to date afterwards
    (the stamp covers every notebook); on a stale folder it stays stale."""
    from benchlib import report
    from benchlib.paths import RESULTS_FILE

    root, paths, _ = _stamped(tmp_path)

    def fake_build(job):  # the scheduler forks: the patched function runs in the job process
        for name in job.notebooks:
            out = RESULTS_FILE if job.computes_results else report.NOTEBOOKS[name]
            (job.tmp / out).write_text(f"{job.wave} {name}", "utf-8")
        return dict.fromkeys(job.notebooks, 0.0)

    monkeypatch.setattr(report, "_build_one", fake_build)
    names = [n for n in report.NOTEBOOKS if (paths.notebooks / f"{n}.ipynb").is_file()]
    built = report.build_reports(["2026-10"], ["de"], root=root)
    assert sorted(b.notebook for b in built) == sorted(names)
    built = report.build_reports(["2026-10"], ["de"], root=root, only=[names[0]])
    assert [b.notebook for b in built] == [names[0]]
    capsys.readouterr()
    assert report.build_reports(["2026-10"], ["de"], root=root) == []
    assert "[2026-10/de] up to date" in capsys.readouterr().err
    # new processed data: a partial build leaves the folder stale (the others are old)
    (paths.current / "manifest.json").write_text('{"inputs": {"a": "1"}}', "utf-8")
    report.build_reports(["2026-10"], ["de"], root=root, only=[names[0]])
    rebuilt = report.build_reports(["2026-10"], ["de"], root=root)
    assert sorted(b.notebook for b in rebuilt) == sorted(names)


def test_a_missing_kernel_is_one_report_error(tmp_path, monkeypatch):
    from benchlib import report

    monkeypatch.setattr(report, "KERNEL_NAME", "no-such-kernel-here")
    with pytest.raises(ReportError, match="is not installed; run `make setup`"):
        report.WarmKernel(tmp_path)


def test_a_report_process_does_not_build_the_iri_grammar():
    """After without_iri_grammar nbformat imports without rfc3987_syntax (its grammar took
    about a second) and still validates notebooks."""
    code = ("import sys; from benchlib.report import without_iri_grammar; "
            "without_iri_grammar(); import nbformat, papermill; "
            "nbformat.validate(nbformat.v4.new_notebook()); "
            "print(sys.modules['rfc3987_syntax'])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "None\n"
    import pytest_boot

    from benchlib import report

    assert pytest_boot.IRI_GRAMMAR_MODULE == report.IRI_GRAMMAR_MODULE == "rfc3987_syntax"
    assert sys.modules[report.IRI_GRAMMAR_MODULE] is None  # this pytest process: blocked too


WARNER = """import warnings


def warn():
    warnings.warn("said once per process by default")
"""


@pytest.mark.slow
def test_a_warm_kernel_starts_each_notebook_afresh(tmp_path):
    """Notebooks run one after another in one kernel see nothing of the one before: no
    variable, no open figure, and a warning from the same line shows again (Python shows it
    once per process by default)."""
    import nbformat

    from benchlib.report import WarmKernel, run_notebook

    (tmp_path / "warner.py").write_text(WARNER, "utf-8")
    code = ["import matplotlib.pyplot as plt, warner\nx = 1\nplt.figure()\nwarner.warn()",
            "import matplotlib.pyplot as plt, warner\n"
            "print('x' in globals(), len(plt.get_fignums()))\nwarner.warn()"]
    paths = []
    for i, source in enumerate(code):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
        paths.append(tmp_path / f"n{i}.ipynb")
        nbformat.write(nb, paths[-1])
    (tmp_path / "out").mkdir()
    with WarmKernel(tmp_path) as kernel:
        done = [run_notebook(p, {}, tmp_path / "out", kernel) for p in paths]
    for nb in done:
        assert len(nb.cells) == 1  # the reset cell is gone again
        text = {o.get("name"): o.get("text", "") for o in nb.cells[0].outputs}
        assert "said once per process by default" in text["stderr"]
    assert text["stdout"] == "False 0\n"


@pytest.mark.slow
def test_warm_kernel_html_equals_a_kernel_per_notebook(tmp_path, example_project, monkeypatch):
    """Two report notebooks built in one kernel (the pool's jobs) give the same HTML bytes as
    each in a kernel of its own."""
    from benchlib import report

    root = copy_project(tmp_path / "p", with_raw=False)
    shutil.copytree(example_project / "data" / "processed", root / "data" / "processed",
                    dirs_exist_ok=True)
    monkeypatch.setenv("BENCHLIB_REPORT_JOBS", "1")  # one job: both notebooks in one kernel
    monkeypatch.setenv("SOURCE_DATE_EPOCH", REPORT_EPOCH)  # one build time for both ways
    names = ["04_calibration", "00_data_quality"]
    build_wave_reports("2025-07", "de", root=root, only=names)
    out = root / "reports" / "2025-07"
    fresh = tmp_path / "fresh"
    (fresh / "_executed").mkdir(parents=True)
    shutil.copy2(out / "results.json", fresh / "results.json")
    monkeypatch.setenv("BENCHLIB_ROOT", str(root))
    for name in names:
        nb = report.run_notebook(root / "notebooks" / f"{name}.ipynb",
                                 {"wave": "2025-07", "lang": "de", "out_dir": str(fresh)},
                                 fresh / "_executed")
        report.normalise_notebook(nb)
        report._export_html(nb, fresh / report.NOTEBOOKS[name], "de")
        page = (out / "de" / report.NOTEBOOKS[name]).read_bytes()
        assert (fresh / report.NOTEBOOKS[name]).read_bytes() == page, name


def test_unknown_report_language_is_one_error(example_project):
    proc = subprocess.run([sys.executable, "-m", "benchlib.cli", "report", "--wave", "2026-10",
                           "--lang", "fr"], env={**os.environ, "BENCHLIB_ROOT": str(example_project)},
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("error: unknown report language 'fr'; configured languages "
                                   "(settings.languages): de, en")


def test_normalised_notebook_has_fixed_ids_and_no_run_metadata():
    import nbformat

    from benchlib.report import normalise_notebook

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1"),
                                         nbformat.v4.new_markdown_cell("x")])
    nb.metadata["papermill"] = {"start_time": "now"}
    nb.cells[0].metadata["execution"] = {"iopub.status.busy": "now"}
    nb.cells[0].metadata["papermill"] = {"duration": 1.0}
    normalise_notebook(nb)
    assert [c.id for c in nb.cells] == ["cell-0", "cell-1"]
    assert "papermill" not in nb.metadata and nb.cells[0].metadata == {}
    assert nb.metadata["kernelspec"]["name"] == "benchlib"
    nbformat.validate(nb)


@pytest.mark.slow
def test_two_rebuilds_are_byte_identical(tmp_path):
    """Without SOURCE_DATE_EPOCH: HTML, results.json and tables.xlsx equal byte by byte."""
    root = copy_project(tmp_path)
    run_pipeline(root)
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    wave = root / "reports" / "2026-01"
    only = ["00_data_quality", "01_wave_report"]
    snapshots = []
    for _ in range(2):
        built = build_wave_reports("2026-01", "de", root=root, only=only)
        assert len(built) == 2
        snapshots.append({p.relative_to(wave).as_posix(): p.read_bytes()
                          for p in wave.rglob("*") if p.is_file()})
    assert set(snapshots[0]) >= {"results.json", "de/data_quality.html", "de/wave_report.html",
                                 "de/tables.xlsx"}
    for name, data in snapshots[0].items():
        assert snapshots[1][name] == data, name


INTERRUPT = """
import os, signal, subprocess, sys, time
p = subprocess.Popen([sys.executable, "-m", "benchlib.cli", "reports"], stderr=subprocess.PIPE,
                     text=True, start_new_session=True,
                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
lines = []
for line in p.stderr:   # Ctrl-C (SIGINT to the whole group) once notebooks are running
    lines.append(line)
    if len(lines) == int(sys.argv[1]):
        time.sleep(float(sys.argv[2]))
        os.killpg(p.pid, signal.SIGINT)
        break
rest = p.stderr.read()
p.wait(timeout=120)
sys.stdout.write(f"{p.returncode}\\n" + "".join(lines) + "=====\\n" + rest)
"""


@pytest.mark.slow
@pytest.mark.parametrize("delay", [0.0, 4.0])
def test_ctrl_c_stops_cleanly(tmp_path, delay):
    """Ctrl-C once both job slots have started a notebook (right away, or while they run)."""
    root = copy_project(tmp_path)
    run_pipeline(root)
    previous = root / "reports" / "2025-07" / "de" / "data_quality.html"
    previous.parent.mkdir(parents=True)
    previous.write_text("previous report", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", INTERRUPT, "2", str(delay)],
                          env={**os.environ, "BENCHLIB_ROOT": str(root),
                               "BENCHLIB_REPORT_JOBS": "2"}, capture_output=True,
                          text=True, timeout=300)
    rc, out = proc.stdout.split("\n", 1)
    before, after = out.split("=====\n")
    assert rc == "130", out
    assert after.strip().splitlines() == ["error: interrupted"], out  # nothing started after
    assert "Traceback" not in out and "Error" not in before, out
    assert "without encryption" not in out  # kernels talk over IPC sockets, not TCP
    assert previous.read_text(encoding="utf-8") == "previous report"
    assert not list((root / "reports").rglob(".*building*"))
    assert not _processes_in(root / "notebooks")  # no kernel left running


def _processes_in(folder) -> list[str]:
    """Pids of live processes whose working directory is ``folder`` (kernels run there)."""
    found = []
    for cwd in Path("/proc").glob("[0-9]*/cwd"):
        try:
            if Path(os.readlink(cwd)) == folder:
                found.append(cwd.parent.name)
        except OSError:
            continue
    return found


@pytest.mark.slow
def test_a_build_of_several_waves_computes_each_waves_verdicts_once(example_project, tmp_path,
                                                                   monkeypatch):
    """Each wave's results job runs in its own process; the trend history of a later wave
    needs the headline verdicts of every earlier trained wave. The job pool shares them
    (benchlib.results.memo.sharing): none is computed twice in the whole build. (A wave's
    own job offers its verdicts from its own tests; whether a later wave's job finds them
    there or computes them first depends on timing, so the log holds each trained wave at
    most once. With four waves, two later jobs need the first trained wave's verdicts: without
    the sharing it would be logged twice.)"""
    from benchlib.report import build_reports
    from benchlib.results import compute, memo

    monkeypatch.setattr(memo, "_FOLDER", None)  # not the test session's folder
    memo.clear()  # nor what this process remembers (the job processes are forked from it)
    log = tmp_path / "verdicts.log"
    real = compute._headline_verdicts

    def counted(study, wave):  # forked into the job processes with the module
        with log.open("a") as fh:
            fh.write(wave + "\n")
        return real(study, wave)

    monkeypatch.setattr(compute, "_headline_verdicts", counted)
    root = copy_project(tmp_path / "p", with_raw=False)  # the session's cleaned data
    shutil.copytree(example_project / "data" / "processed", root / "data" / "processed",
                    dirs_exist_ok=True)
    study = load_study(root)
    waves = [w.id for w in study.config.waves][:4]
    trained = [w.id for w in study.config.waves[:4] if w.trainings_before]
    assert len(trained) >= 3  # two later waves' histories repeat the first trained verdict
    monkeypatch.setenv("BENCHLIB_REPORT_JOBS", "2")
    build_reports(waves, ["en"], root=root, only=["00_data_quality"])
    logged = log.read_text().split() if log.exists() else []
    assert len(logged) == len(set(logged)) and set(logged) <= set(trained[:-1])
    assert memo._FOLDER is None  # the build's folder is gone with it
