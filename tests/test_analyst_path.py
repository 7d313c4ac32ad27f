"""The analyst's path: `make lab` as root and as a user, the conda route's kernel, `make pdf`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from projects import ROOT


def _make_n(*args: str) -> str:
    return subprocess.run(["make", "-n", "--no-print-directory", *args], cwd=ROOT,
                          capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="make missing")
def test_make_lab_allows_root_only_for_root():
    def lab_line(uid: str) -> str:
        return next(x for x in _make_n("lab", f"LAB_UID={uid}").splitlines()
                    if "jupyter lab" in x)

    assert lab_line("0").split()[-1] == "--allow-root"
    assert "--allow-root" not in lab_line("1000")
    import os

    default = next(x for x in _make_n("lab").splitlines() if "jupyter lab" in x)
    assert ("--allow-root" in default) == (os.getuid() == 0)


def test_conda_route_installs_the_kernel_of_the_notebooks():
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "./kernel" in pip and "-e ." in pip
    project = tomllib.loads((ROOT / "kernel" / "pyproject.toml").read_text(encoding="utf-8"))
    files = project["tool"]["setuptools"]["data-files"]
    assert files == {"share/jupyter/kernels/benchlib": ["kernel.json"]}
    spec = json.loads((ROOT / "kernel" / "kernel.json").read_text(encoding="utf-8"))
    assert spec["display_name"] == "Python (benchlib)"
    assert spec["argv"][:3] == ["python", "-m", "ipykernel_launcher"]  # the env's python
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        meta = json.loads(nb.read_text(encoding="utf-8"))["metadata"]["kernelspec"]
        assert (meta["name"], meta["display_name"]) == ("benchlib", spec["display_name"]), nb


@pytest.mark.slow
def test_kernel_package_installs_a_kernel_jupyter_finds(tmp_path):
    from jupyter_client.kernelspec import KernelSpecManager

    uv = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    if not Path(uv).is_file():
        pytest.skip("uv missing (make setup installs it)")
    src = tmp_path / "kernel"
    shutil.copytree(ROOT / "kernel", src)
    # what conda's `pip: ./kernel` does: build the package, install it into the prefix
    subprocess.run([uv, "pip", "install", "-q", "--python", sys.executable, "--no-deps",
                    "--prefix", str(tmp_path / "env"), str(src)], check=True,
                   capture_output=True)
    ksm = KernelSpecManager(kernel_dirs=[str(tmp_path / "env" / "share" / "jupyter" /
                                             "kernels")])
    assert "benchlib" in ksm.find_kernel_specs()
    assert ksm.get_kernel_spec("benchlib").display_name == "Python (benchlib)"


def test_pdf_without_chromium_is_skipped_with_one_line(monkeypatch, capsys, tmp_path):
    from benchlib import pdf

    monkeypatch.setenv("BENCHLIB_CHROMIUM", str(tmp_path / "no-chromium"))
    assert pdf.main(["--wave", "2026-10", "--reports", str(tmp_path)]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("pdf: skipped") and "Chromium" in err[0]
