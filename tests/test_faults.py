"""Nothing half-written, nothing stale: a kill, a full disk, a read-only folder or Ctrl-C at
any write step leaves the previous generation of processed data current and complete; the
decision to re-clean is made from content, whatever the file names and time stamps."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from benchlib import cli, generation
from benchlib.atomic import replace_dir
from benchlib.paths import get_paths
from benchlib.pipeline import run_pipeline
from benchlib.report import build_wave_reports
from benchlib.study import load_study

from projects import ROOT, SMALL_RAW_FILE, copy_project, run_cli_forked, small_project

WAVE_FILE = SMALL_RAW_FILE
# every step of writing a generation, in order (test_write_steps_are_all_covered checks it)
STEPS = ["write:contacts.parquet", "write:items.parquet", "write:calibration.parquet",
         "write:calibration_items.parquet", "write:quarantine.csv", "write:duplicates.csv",
         "write:reconciliation.csv",
         "write:corrections_applied.csv", "write:manifest.json", "publish", "switch", "cleanup"]
TABLES = ("contacts.parquet", "items.parquet", "calibration.parquet",
          "calibration_items.parquet", "quarantine.csv", "duplicates.csv",
          "reconciliation.csv", "corrections_applied.csv")


def _hashes(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


def _clean_subprocess(root, *args, failpoint=None):
    """``benchlib clean --quiet`` in a process of its own (a SIGKILL or SIGINT of the
    failpoint ends that process, not the test run)."""
    return run_cli_forked(root, "clean", "--quiet", *args, timeout=300,
                          env={generation.FAILPOINT_ENV: failpoint})


def _assert_previous_intact(root, gen_name, hashes):
    paths = get_paths(root)
    assert paths.current is not None and paths.current.name == gen_name
    assert _hashes(paths.current) == hashes
    study = load_study(root)
    for name in TABLES:  # every table of the current generation is complete and readable
        study._read(name)
    assert study.manifest["totals"]["contacts"] == len(study.contacts)


@pytest.fixture
def cleaned(tmp_path):
    root = small_project(tmp_path / "p")
    first = run_pipeline(root).generation
    # make the previous generation differ from what the next run writes
    (root / "data" / "raw" / WAVE_FILE).write_bytes(
        (root / "data" / "raw" / WAVE_FILE).read_bytes().replace(b"E07", b"E08", 3))
    return root, first.name, _hashes(first)


def test_write_steps_are_all_covered(tmp_path, monkeypatch):
    seen = []
    monkeypatch.setattr(generation, "failpoint", seen.append)
    run_pipeline(small_project(tmp_path / "p"))
    assert seen == STEPS


@pytest.mark.parametrize("step", [pytest.param(s, marks=[] if s == "write:items.parquet"
                                               else [pytest.mark.slow]) for s in STEPS])
def test_sigkill_at_every_write_step_keeps_previous_generation(cleaned, step):
    root, gen, hashes = cleaned
    proc = _clean_subprocess(root, "--force", failpoint=step)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    processed = root / "data" / "processed"
    if step == "cleanup":  # killed after the switch: the new generation is current, complete
        assert get_paths(root).current.name == "gen-000002"
        assert _hashes(processed / gen) == hashes  # the previous one is kept as well
        load_study(root).items  # noqa: B018
    else:
        _assert_previous_intact(root, gen, hashes)
    run_pipeline(root)  # the next run (in this process) sees the change and tidies up
    assert not [p for p in processed.iterdir() if ".building-" in p.name or
                p.name.endswith(".tmp")]
    assert get_paths(root).current.name != gen
    assert _hashes(get_paths(root).current)["contacts.parquet"] != hashes["contacts.parquet"]


@pytest.mark.parametrize("err", [errno.ENOSPC, errno.EACCES, errno.EROFS, errno.EDQUOT])
def test_os_error_while_writing_is_one_message_and_keeps_previous(cleaned, err, monkeypatch,
                                                                  capsys):
    root, gen, hashes = cleaned
    real, calls = generation.write_file, []

    def failing(path, write):
        calls.append(path.name)
        if len(calls) == 3:  # the disk fills up (or turns read-only) in the middle
            raise OSError(err, os.strerror(err), str(path))
        return real(path, write)

    monkeypatch.setattr(generation, "write_file", failing)
    monkeypatch.chdir(root)
    code = cli.main(["--root", str(root), "clean", "--force", "--quiet"])
    out = capsys.readouterr()
    lines = [line for line in out.err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1, out.err
    assert lines[0].startswith("error: data/processed: ") and "Traceback" not in out.err
    assert "previous outputs are unchanged" in lines[0]
    assert {errno.ENOSPC: "no space left", errno.EACCES: "permission denied",
            errno.EROFS: "read-only", errno.EDQUOT: "quota"}[err] in lines[0]
    _assert_previous_intact(root, gen, hashes)
    assert not [p for p in (root / "data" / "processed").iterdir() if ".building-" in p.name]


def test_enospc_failpoint_in_subprocess(cleaned):
    root, gen, hashes = cleaned
    proc = _clean_subprocess(root, "--force", failpoint="write:quarantine.csv=enospc")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        "error: data/processed: no space left on the device; free some space, then run again "
        "(the previous outputs are unchanged)"]
    _assert_previous_intact(root, gen, hashes)


def test_a_run_past_its_timeout_is_killed_and_the_previous_generation_kept(cleaned):
    """What guards the subprocess cases against a hang: the process is killed at the
    timeout (and the test fails with TimeoutExpired), the test run goes on. The hang: this
    test holds the processed folder's write lock, so the clean waits for it forever."""
    import fcntl

    root, gen, hashes = cleaned
    with open(root / "data" / "processed" / generation.LOCK, "a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        with pytest.raises(subprocess.TimeoutExpired):
            run_cli_forked(root, "clean", "--quiet", "--force", timeout=1)
    _assert_previous_intact(root, gen, hashes)
    assert run_cli_forked(root, "clean", "--quiet", "--force").returncode == 0  # lock free


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs a non-root POSIX user (root may write a 0o555 folder)")
def test_read_only_processed_folder(cleaned):
    root, gen, hashes = cleaned
    processed = root / "data" / "processed"
    processed.chmod(0o555)
    try:
        proc = _clean_subprocess(root, "--force")
    finally:
        processed.chmod(0o755)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("error: data/processed: permission denied;")
    _assert_previous_intact(root, gen, hashes)


def test_ctrl_c_during_clean(cleaned):
    root, gen, hashes = cleaned
    proc = _clean_subprocess(root, "--force", failpoint="write:items.parquet=sigint")
    assert proc.returncode == 130
    assert proc.stderr == "error: interrupted\n"
    _assert_previous_intact(root, gen, hashes)
    assert not [p for p in (root / "data" / "processed").iterdir() if ".building-" in p.name]


def test_reader_keeps_its_generation_while_a_clean_switches(cleaned):
    root, gen, _ = cleaned
    study = load_study(root)
    before = study.contacts["evaluator"].copy()
    run_pipeline(root)  # a new generation becomes current
    assert study.processed.name == gen and study.processed.is_dir()  # kept: the one before
    assert study.items is not None and study.contacts["evaluator"].equals(before)
    assert not load_study(root).contacts["evaluator"].equals(before)


# --------------------------------------------------------------------------- staleness
def _reasons(root):
    return generation.stale_reasons(get_paths(root))


def test_staleness_by_content_add_remove_rename_backdate(tmp_path):
    root = small_project(tmp_path / "p")
    raw = root / "data" / "raw"
    assert _reasons(root) == ["no processed data yet"]
    run_pipeline(root)
    assert _reasons(root) == []
    # a file added with an old time stamp (copied from an archive)
    extra = raw / "2026-07" / "feldhaus_anrufe_2026-07.csv"
    extra.parent.mkdir()
    shutil.copy2(ROOT / "data" / "raw" / "2026-07" / "feldhaus_anrufe_2026-07.csv", extra)
    os.utime(extra, (0, 0))
    assert _reasons(root) == ["data/raw/2026-07/feldhaus_anrufe_2026-07.csv added"]
    run_pipeline(root)
    assert _reasons(root) == []
    # edited, then its time stamps set back to the old ones (touch -r)
    st = extra.stat()
    extra.write_bytes(extra.read_bytes().replace(b"E0", b"E1", 1))
    os.utime(extra, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert _reasons(root) == ["data/raw/2026-07/feldhaus_anrufe_2026-07.csv changed"]
    run_pipeline(root)
    # renamed (same bytes, another name)
    renamed = extra.with_name("feldhaus_anrufe_2026-07 (korrigiert).csv")
    extra.rename(renamed)
    assert _reasons(root) == ["data/raw/2026-07/feldhaus_anrufe_2026-07 (korrigiert).csv added",
                              "data/raw/2026-07/feldhaus_anrufe_2026-07.csv removed"]
    run_pipeline(root)
    # removed: its contacts leave the processed data
    n = len(load_study(root).contacts)
    renamed.unlink()
    assert _reasons(root) == ["data/raw/2026-07/feldhaus_anrufe_2026-07 (korrigiert).csv removed"]
    run_pipeline(root)
    assert len(load_study(root).contacts) < n
    assert set(load_study(root).contacts["wave"]) == {"2026-10"}
    # configuration and library
    study_yaml = root / "config" / "study.yaml"
    study_yaml.write_text(study_yaml.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert _reasons(root) == ["config/study.yaml changed"]


def test_library_change_makes_data_stale(tmp_path, monkeypatch):
    root = small_project(tmp_path / "p")
    run_pipeline(root)
    monkeypatch.setattr("benchlib.__version__", "999")
    assert _reasons(root) == ["benchlib changed (version or code)"]


def test_hash_cache_rehashes_only_changed_files(tmp_path):
    root = small_project(tmp_path / "p")
    paths = get_paths(root)
    run_pipeline(root)
    hasher = generation._Hasher(paths.processed / generation.HASH_CACHE)
    hasher(paths.raw / WAVE_FILE)
    assert hasher.hashed == 0  # size, mtime, ctime and inode unchanged: the cached hash
    (paths.raw / WAVE_FILE).write_bytes((paths.raw / WAVE_FILE).read_bytes() + b"\r\n")
    hasher(paths.raw / WAVE_FILE)
    assert hasher.hashed == 1


def test_clean_says_up_to_date_and_keeps_the_pointer(tmp_path, capsys):
    root = small_project(tmp_path / "p")
    assert cli.main(["--root", str(root), "clean", "--quiet"]) == 0
    pointer = get_paths(root).pointer
    stamp = pointer.stat().st_mtime_ns
    capsys.readouterr()
    assert cli.main(["--root", str(root), "clean"]) == 0
    assert capsys.readouterr().out.startswith("data/processed is up to date (gen-000001)")
    assert pointer.stat().st_mtime_ns == stamp  # make sees nothing new: reports stay built
    (get_paths(root).raw / "2026-10" / "README.md").write_text("Lieferschein", encoding="utf-8")
    assert cli.main(["--root", str(root), "clean"]) == 2  # not ignored, matches no source
    assert "data/raw/2026-10/README.md matches no source glob" in capsys.readouterr().err
    assert pointer.stat().st_mtime_ns == stamp


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")
def test_make_data_with_space_and_colon_in_a_file_name(tmp_path):
    root = small_project(tmp_path / "p")
    for name in ("Makefile", "pyproject.toml", "requirements.lock"):
        shutil.copy2(ROOT / name, root / name)
    # a stand-in .venv whose install stamp is newer than the lock: make never runs setup here
    # (a symlink to the real .venv would let it re-install the repository's venv)
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "benchlib").symlink_to(ROOT / ".venv" / "bin" / "benchlib")
    (root / ".venv" / "bin" / "python").symlink_to(ROOT / ".venv" / "bin" / "python")
    (root / ".venv" / ".installed").touch()
    env = {k: v for k, v in os.environ.items() if k not in ("BENCHLIB_ROOT", "MAKEFLAGS")}

    def make():
        return subprocess.run(["make", "--no-print-directory", "data"], cwd=root, env=env,
                              capture_output=True, text=True, timeout=300)

    first = make()
    assert first.returncode == 0, first.stderr
    raw = root / "data" / "raw" / WAVE_FILE
    raw.rename(raw.with_name("feldhaus_anrufe_2026-10 Nachlieferung 10:30.csv"))
    second = make()
    assert second.returncode == 0, second.stderr
    assert "re-cleaning: data/raw/2026-10/feldhaus_anrufe_2026-10 Nachlieferung 10:30.csv " \
        "added" in second.stdout
    assert get_paths(root).current.name == "gen-000002"
    manifest = load_study(root).manifest
    assert list(manifest["inputs"]) == [
        "data/raw/2026-10/feldhaus_anrufe_2026-10 Nachlieferung 10:30.csv"]
    third = make()
    assert third.returncode == 0 and "up to date" in third.stdout, third.stdout


# --------------------------------------------------------------------------- reports
KILL_ON_REPLACE = textwrap.dedent("""
    import os, signal, sys
    import benchlib.atomic as atomic
    target, count = sys.argv[1], int(sys.argv[2])
    real, seen = os.replace, [0]
    def replace(src, dst, *a, **k):
        if os.path.basename(str(dst)) == target:
            seen[0] += 1
            if seen[0] == count:
                os.kill(os.getpid(), signal.SIGKILL)   # die right before the rename
        return real(src, dst, *a, **k)
    atomic.os.replace = replace
    real_ex = atomic._renameat2_exchange
    def exchange(a, b):
        if os.path.basename(str(b)) == target:
            os.kill(os.getpid(), signal.SIGKILL)       # die right before the swap
        return real_ex(a, b)
    atomic._renameat2_exchange = exchange
    {call}
""")


def _run_killed(root, target, call, count=1):
    code = KILL_ON_REPLACE.replace("{call}", call)
    proc = subprocess.run([sys.executable, "-c", code, target, str(count)],
                          env={**os.environ, "BENCHLIB_ROOT": str(root)}, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr


@pytest.mark.slow
def test_killed_report_build_keeps_previous_report(tmp_path, example_project):
    root = copy_project(tmp_path, with_raw=False)  # the session's cleaned data
    shutil.copytree(example_project / "data" / "processed", root / "data" / "processed",
                    dirs_exist_ok=True)
    # the first wave: its results are the quickest to compute (the killed run computes them)
    build_wave_reports("2025-07", root=root, only=["00_data_quality"])
    report = root / "reports" / "2025-07" / "de"
    marker = report / "data_quality.html"
    marker.write_text("previous report", encoding="utf-8")
    _run_killed(root, "de", "from benchlib.report import build_wave_reports; "
                "build_wave_reports('2025-07', only=['00_data_quality'])")
    assert marker.read_text(encoding="utf-8") == "previous report"
    build_wave_reports("2025-07", root=root, only=["00_data_quality"])
    assert "previous report" not in marker.read_text(encoding="utf-8")
    assert not [p for p in (root / "reports" / "2025-07").iterdir() if p.name.startswith(".")]


def test_replace_dir_swaps_complete_folders(tmp_path):
    final, new = tmp_path / "final", tmp_path / "new"
    final.mkdir()
    (final / "a.txt").write_text("old")
    new.mkdir()
    (new / "a.txt").write_text("new")
    (new / "b.txt").write_text("new")
    replace_dir(new, final)
    assert sorted(p.name for p in final.iterdir()) == ["a.txt", "b.txt"]
    assert (final / "a.txt").read_text() == "new" and not new.exists()


def test_legacy_flat_tables_are_removed_after_the_first_generation(tmp_path):
    root = small_project(tmp_path / "p")
    processed = root / "data" / "processed"
    pd.DataFrame({"x": [1]}).to_parquet(processed / "contacts.parquet")
    (processed / "manifest.json").write_text("{}", encoding="utf-8")
    run_pipeline(root)
    assert not (processed / "contacts.parquet").exists()
    assert not (processed / "manifest.json").exists()


@pytest.mark.parametrize("err", [errno.EACCES, errno.EROFS, errno.ENOSPC])
def test_os_error_in_a_report_build_is_one_message(tmp_path, monkeypatch, capsys, err):
    """The CLI turns any OS error (here from the report writer) into one line naming the
    path and what to do, exit 2 — never "internal error … a bug in benchlib"."""
    import benchlib.report

    root = small_project(tmp_path / "p")
    target = root / "reports" / "2026-10"

    def refuse(*args, **kwargs):
        raise OSError(err, os.strerror(err), str(target))

    monkeypatch.setattr(benchlib.report, "build_reports", refuse)
    monkeypatch.chdir(root)
    code = cli.main(["--root", str(root), "report", "--wave", "2026-10"])
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and "internal error" not in lines[0]
    assert lines[0].startswith("error: reports/2026-10: ") and "then run again" in lines[0]
