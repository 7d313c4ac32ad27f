"""No example name in the library (#11): the code knows a study only through its configuration.

The names are read from the example's own configuration and truth file: company ids and
names, item ids, dimension ids, scenario ids and evaluator codes. They may occur only in the
example generator (``example.py``), never in other modules, text resources, templates or
notebooks. Common words among the ids (``closing``, ``returns``) count only where they are
used as ids: quoted (``"closing"``) or inside an identifier (``dim_closing``, ``wr_dim_closing``).

Not counted: doctest examples (they document behaviour on the shipped example study, which
is what a reader has), and benchlib's own vocabulary that an example id happens to share (the
item role ``reachability``, the contact column ``wait_s``).

There are no exceptions: every occurrence fails the test.
"""

from __future__ import annotations

import ast
import doctest
import json
import re

import yaml

from projects import ROOT

SRC = ROOT / "src" / "benchlib"
ALLOWED_FILES = {SRC / "example.py"}


VOCABULARY = {"reachability", "wait_s"}  # benchlib's own names, shared by two example ids
def example_names() -> dict[str, str]:
    """name -> what it is, from config/*.yaml and data/raw/example_truth.json."""
    cfg = ROOT / "config"
    names: dict[str, str] = {}
    for c in yaml.safe_load((cfg / "companies.yaml").read_text("utf-8"))["companies"]:
        names[c["id"]] = "company"
        names[c["name"]] = "company"
    grid = yaml.safe_load((cfg / "grid.yaml").read_text("utf-8"))
    for i in grid["items"]:
        names[i["id"]] = "item"
    for d in grid["dimensions"]:
        names[d["id"] if isinstance(d, dict) else d] = "dimension"
    for s in grid["scenarios"]:
        names[s["id"] if isinstance(s, dict) else s] = "scenario"
    truth = json.loads((ROOT / "data" / "raw" / "example_truth.json").read_text("utf-8"))
    for e in truth["design"]["evaluators"]:
        names[e] = "evaluator"
    return {n: k for n, k in names.items() if n not in VOCABULARY}


def _doctest_lines(path) -> set[int]:
    """Line numbers of doctest examples and their expected output in a module."""
    text = path.read_text(encoding="utf-8")
    lines: set[int] = set()
    for node in ast.walk(ast.parse(text)):
        body = getattr(node, "body", None)
        if not (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            continue
        doc, start = body[0].value.value, body[0].lineno
        for ex in doctest.DocTestParser().get_examples(doc):
            n = ex.source.count("\n") + ex.want.count("\n")
            lines.update(range(start + ex.lineno, start + ex.lineno + n + 1))
    return lines


def _pattern(name: str) -> re.Pattern:
    esc = re.escape(name)
    if re.fullmatch(r"[a-z]+", name):  # a common word: only where it is used as an id
        return re.compile(rf"""["']{esc}["']|[A-Za-z0-9]_{esc}\b|\b{esc}_[a-z]""")
    return re.compile(rf"(?<![A-Za-z0-9]){esc}(?![A-Za-z0-9])")


def _files():
    yield from (p for p in SRC.rglob("*.py") if p not in ALLOWED_FILES)
    yield from (SRC / "texts").glob("*.yaml")
    yield from (p for p in (SRC / "templates").rglob("*") if p.is_file())
    yield from (ROOT / "notebooks").glob("*.py")
    yield from (ROOT / "notebooks").glob("*.ipynb")


def occurrences() -> list[str]:
    pats = {n: _pattern(n) for n in example_names()}
    hits = []
    for p in sorted(set(_files())):
        if "__pycache__" in p.parts:
            continue
        skip = _doctest_lines(p) if p.suffix == ".py" and p.is_relative_to(SRC) else set()
        rel = p.relative_to(ROOT).as_posix()
        for no, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1):
            if no in skip or line.lstrip().startswith((">>>", "...")):
                continue
            for name, pat in pats.items():
                if name in line and pat.search(line):  # the regex only where the name occurs
                    hits.append(f"{rel}:{no}: {name}: {line.strip()[:100]}")
    return hits


def test_names_are_read_from_the_example():
    names = example_names()
    assert names["voltera"] == "company" and names["closing"] == "dimension"
    assert names["E05"] == "evaluator" and names["reach_answered"] == "item"


def test_no_example_name_outside_the_example_generator():
    hits = occurrences()
    assert hits == [], "example names outside example.py:\n" + "\n".join(hits)


def test_the_scan_finds_a_planted_name(tmp_path, monkeypatch):
    planted = SRC / "texts" / "zz_planted_by_test.yaml"
    monkeypatch.setattr("test_no_example_names._files", lambda: iter([planted]))
    try:
        planted.write_text('key:\n  de: "closing"\nwr_dim_mail_form: x\nok: closing words\n',
                           encoding="utf-8")
        hits = occurrences()
    finally:
        planted.unlink()
    assert [h.split(": ")[1] for h in hits] == ["closing", "mail_form"]
