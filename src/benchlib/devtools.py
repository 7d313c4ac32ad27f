"""Repository hygiene checks run by ``make lint`` / ``make check`` (and the pre-commit hook).

* ``check-notebooks``: committed notebooks carry no outputs or execution counts, have
  exactly one cell tagged ``parameters``, run on the project kernel "Python (benchlib)", and
  agree cell by cell with their jupytext ``py:percent`` pair (``notebooks/<name>.py``).
  Report notebooks (the ones ``benchlib report`` builds) also **compute nothing**
  (:func:`computation_problems`): no ``benchlib.stats`` call, no arithmetic on data, no
  pandas aggregation — every number they show comes from the wave's results.
* ``check-raw``: every file under ``data/raw`` that git tracks or has staged belongs to the
  fictional example study (listed with its SHA-256 in ``data/raw/example_truth.json``), so
  a real client's export is never committed by accident.

>>> notebook_problems({"cells": [{"cell_type": "code", "outputs": [1], "metadata": {},
...                                "execution_count": 3}]})
['cell 0 has outputs', 'cell 0 has an execution count', 'no cell tagged parameters', "kernel is None, not 'benchlib' (Python (benchlib))"]
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchlib.atomic import sha256_file
from benchlib.paths import get_paths

KERNEL = "benchlib"  # registered by `make setup` as "Python (benchlib)"


def notebook_problems(nb: dict) -> list[str]:
    """Problems of one notebook's JSON (empty list when clean)."""
    problems = []
    params = 0
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("outputs"):
            problems.append(f"cell {i} has outputs")
        if cell.get("execution_count") is not None:
            problems.append(f"cell {i} has an execution count")
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            params += 1
    if params != 1:
        problems.append("no cell tagged parameters" if params == 0
                        else f"{params} cells tagged parameters")
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    if nb.get("cells") and kernel != KERNEL:
        problems.append(f"kernel is {kernel!r}, not {KERNEL!r} (Python (benchlib))")
    return problems


FORMATTERS = frozenset({"format_number", "format_p"})
"""Names a report notebook may import from :mod:`benchlib.stats` (formatting, no statistics)."""

AGGREGATIONS = frozenset({
    "agg", "aggregate", "apply", "corr", "count", "cov", "crosstab", "cummax", "cummin",
    "cumprod", "cumsum", "describe", "diff", "groupby", "max", "mean", "median", "min",
    "mode", "nunique", "pct_change", "pivot_table", "prod", "quantile", "rank", "resample",
    "rolling", "round", "sem", "size", "std", "sum", "transform", "value_counts", "var"})
"""Method names whose call in a report notebook computes a number from data."""

_BUILTINS = frozenset({"abs", "max", "min", "round", "sum"})
_ARITHMETIC = ("Sub", "Mult", "Div", "FloorDiv", "Pow", "MatMult")


def computation_problems(source: str) -> list[str]:
    r"""Where the code of a report notebook computes instead of rendering (empty when clean).

    Flags: importing :mod:`benchlib.stats` (its formatters excepted) or calling into it;
    arithmetic (``- * / // ** @``, ``+`` or ``%`` on a number); pandas aggregations
    (:data:`AGGREGATIONS`); the builtins ``sum``, ``min``, ``max``, ``round``, ``abs``.
    String concatenation, paths (``folder / "file"``), comparisons, indexing and ``len`` stay
    allowed.

    >>> computation_problems("from benchlib.results import for_report\nx = 'a' + 'b'")
    []
    >>> computation_problems("from benchlib import stats\nd = stats.describe_scores(w)")
    ['line 1: imports benchlib.stats', 'line 2: calls benchlib.stats.describe_scores']
    >>> computation_problems("share = 100 * res.x\nm = df['a'].mean()")
    ['line 1: arithmetic (Mult)', 'line 2: pandas aggregation .mean()']
    """
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        return [f"line {err.lineno}: syntax error: {err.msg}"]
    problems: list[str] = []
    stats_names: set[str] = set()
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "benchlib.stats" or a.name.startswith("benchlib.stats."):
                    problems.append(f"line {line}: imports benchlib.stats")
                    stats_names.add((a.asname or a.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if mod == "benchlib" and any(a.name == "stats" for a in node.names):
                problems.append(f"line {line}: imports benchlib.stats")
                stats_names |= {a.asname or a.name for a in node.names if a.name == "stats"}
            elif mod == "benchlib.stats" or mod.startswith("benchlib.stats."):
                bad = [a.name for a in node.names if a.name not in FORMATTERS]
                if bad:
                    problems.append(f"line {line}: imports {', '.join(bad)} from benchlib.stats")
        elif isinstance(node, ast.BinOp):
            op = type(node.op).__name__
            numeric = any(isinstance(x, ast.Constant) and isinstance(x.value, (int, float))
                          and not isinstance(x.value, bool) for x in (node.left, node.right))
            text = isinstance(node.left, (ast.Constant, ast.JoinedStr)) and not numeric
            path = op == "Div" and isinstance(node.right, (ast.Constant, ast.JoinedStr)) \
                and isinstance(getattr(node.right, "value", ""), str)
            if (op in _ARITHMETIC and not path) or (op == "Add" and numeric) \
                    or (op == "Mod" and not text):
                problems.append(f"line {line}: arithmetic ({op})")
        elif isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Attribute):
                if isinstance(f.value, ast.Name) and f.value.id in stats_names:
                    problems.append(f"line {line}: calls benchlib.stats.{f.attr}")
                elif f.attr in AGGREGATIONS:
                    problems.append(f"line {line}: pandas aggregation .{f.attr}()")
            elif isinstance(f, ast.Name) and f.id in _BUILTINS:
                problems.append(f"line {line}: computes with {f.id}()")
    return problems


def report_notebook_problems(nb: dict) -> list[str]:
    """:func:`computation_problems` of every code cell, named by cell."""
    out = []
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        src = "".join(cell.get("source", ""))
        src = "\n".join(line for line in src.splitlines()
                         if not line.lstrip().startswith(("%", "!")))  # IPython magics
        out += [f"cell {i}: {p} (a report notebook only renders the wave's results)"
                for p in computation_problems(src)]
    return out


def _cells(nb) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(c["cell_type"], "".join(c["source"]).strip(),
             tuple(c.get("metadata", {}).get("tags", ()))) for c in nb["cells"]]


def pair_problems(ipynb: Path) -> list[str]:
    """Differences between a notebook and its jupytext ``py:percent`` pair (empty when in sync).

    The ``.py`` file is what reviewers read in a diff; the ``.ipynb`` is what JupyterLab and
    papermill open. After editing either, ``jupytext --sync notebooks/<name>.py`` updates
    the other (the pre-commit hook and ``make lint`` run this check).
    """
    import jupytext

    py = ipynb.with_suffix(".py")
    if not py.is_file():
        return [f"no jupytext pair {py.name} (run: jupytext --set-formats ipynb,py:percent "
                f"{ipynb})"]
    a = _cells(json.loads(ipynb.read_text(encoding="utf-8")))
    b = _cells(jupytext.read(py))
    if a == b:
        return []
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return [f"cell {i} differs from {py.name} (run: jupytext --sync {py})"]
    return [f"{len(a)} cells but {len(b)} in {py.name} (run: jupytext --sync {py})"]


def check_notebooks(folder: Path) -> int:
    from benchlib.report import NOTEBOOKS

    bad = 0
    for path in sorted(folder.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        report = report_notebook_problems(nb) if path.stem in NOTEBOOKS else []
        for p in notebook_problems(nb) + pair_problems(path) + report:
            print(f"{path}: {p}", file=sys.stderr)
            bad += 1
    if bad:
        print("fix the problems above (outputs: jupyter nbconvert --clear-output --inplace; "
              "numbers: compute them in benchlib.results)", file=sys.stderr)
    return 1 if bad else 0


def _git(*args: str) -> list[str]:
    out = subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if line]


def check_raw(root: Path) -> int:
    truth = get_paths(root).raw / "example_truth.json"
    known = json.loads(truth.read_text(encoding="utf-8")).get("files", {}) if truth.is_file() else {}
    tracked = set(_git("ls-files", "data/raw")) | set(
        _git("diff", "--cached", "--name-only", "--diff-filter=AMR", "--", "data/raw"))
    bad = []
    for rel in sorted(tracked):
        path = root / rel
        inner = Path(rel).relative_to("data/raw").as_posix()
        if inner in ("example_truth.json", "README.md") or not path.is_file():
            continue
        digest = sha256_file(path)
        if known.get(inner) != digest:
            bad.append(rel)
    for rel in bad:
        print(f"refusing: {rel} is not a file of the fictional example study; real exports "
              "stay out of git (data/raw is ignored for them)", file=sys.stderr)
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if args[:1] == ["check-notebooks"]:
        from benchlib.report import without_iri_grammar

        without_iri_grammar()  # jupytext's nbformat: no IRI grammar (a second) for `make lint`
        return check_notebooks(Path(args[1] if len(args) > 1 else "notebooks"))
    if args[:1] == ["check-raw"]:
        return check_raw(Path.cwd())
    print("usage: python -m benchlib.devtools check-notebooks [folder] | check-raw",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
