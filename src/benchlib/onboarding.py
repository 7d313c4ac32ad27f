"""Onboarding assistant: ``benchlib init --from <export>`` drafts ``config/`` for a new study.

It reads an export it has never seen (CSV, TSV, TXT or XLSX), detects encoding, delimiter,
decimal and thousands separators, title rows and the header row, lists each column's
distinct values and writes draft configuration files into ``config/`` — never overwriting an
existing file: the export mapping (column → meta field or item, tokens, grade words, date
formats, value maps) and skeletons of the grid, companies, waves and study. Where a human
must decide (weights, dimensions, knockouts, labels, field periods) the value is a ``TODO``
marker; ``benchlib validate`` lists every marker left, file and key by key
(:func:`find_todos`), before it checks anything else.

>>> guess_scale(["ja", "nein", "k.A."], {"ja"}, {"nein"}, set(), {"k.a."}, {})
'yes_no'
>>> guess_scale(["1:05", "0:40"], set(), set(), set(), set(), {})
'seconds'
"""

from __future__ import annotations

import csv
import io
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from benchlib.config import normalise_token
from benchlib.errors import InputError
from benchlib.paths import get_paths
from benchlib.yamlio import safe_load

TODO = "TODO"
MAX_SHOWN = 8  # distinct values listed per column
HEADER_SEARCH_ROWS = 10

# known spellings (normalised) of tokens and meta headers across agencies
YES = {"ja", "j", "yes", "y", "x", "jawohl", "wahr", "true"}
NO = {"nein", "n", "no", "falsch", "false"}
PARTLY = {"teilweise", "teilw.", "tw", "t", "teils", "partly", "partial", "zum teil"}
NA = {"k.a.", "k. a.", "n.v.", "n/a", "na", "entfällt", "entf.", "-", "--", "./.", "n.a.",
      "nicht zutreffend", "not applicable"}
GRADE_WORDS = {"sehr gut": 1, "gut": 2, "befriedigend": 3, "ausreichend": 4, "mangelhaft": 5,
               "ungenügend": 6, "eins": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5,
               "sechs": 6}
META_WORDS = {
    "contact_id": ("kontakt-id", "kontaktid", "contact id", "lfdnr", "lfd. nr", "id", "nr",
                   "fallnummer", "case id"),
    "wave": ("welle", "wave", "erhebungswelle", "messwelle", "runde"),
    "contact_date": ("datum", "date", "zeitpunkt", "kontaktdatum", "timestamp", "zeit"),
    "channel": ("kanal", "channel", "medium", "kontaktweg"),
    "scenario": ("szenario", "scenario", "fall", "geschäftsvorfall", "anliegen", "case"),
    "company": ("unternehmen", "firma", "company", "anbieter", "marke", "shop"),
    "evaluator": ("tester", "prüfer", "evaluator", "shopper", "tester-code", "interviewer"),
    "agent_name": ("mitarbeiter", "agent", "ma-name", "ma", "berater"),
    "comment": ("kommentar", "comment", "notiz", "bemerkung", "anmerkung"),
    "recording_id": ("aufnahme", "aufnahme-id", "recording", "recording id"),
}
DATE_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d",
                "%d.%m.%Y %H:%M", "%d.%m.%Y", "%d.%m.%y", "%d/%m/%Y", "%m/%d/%Y")
_DUR = re.compile(r"^\d{1,3}:\d{2}(:\d{2})?$|^\d+\s*(s|sek|sec)\.?$")
_NUM = re.compile(r"^[+-]?\d+([.,]\d+)?$")


@dataclass
class Detected:
    """What :func:`detect` found in an export."""

    path: Path
    format: str
    encoding: str
    delimiter: str
    title_rows: int
    header: list[str]
    rows: list[list[str]]
    decimal: str = "."
    thousands: str | None = None
    notes: list[str] = field(default_factory=list)


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _header_index(grid: list[list[str]]) -> int:
    """The first row that looks like a header: (nearly) full width, distinct texts."""
    width = max((len([c for c in r if c.strip()]) for r in grid[:50]), default=0)
    for i, r in enumerate(grid[:HEADER_SEARCH_ROWS]):
        cells = [c.strip() for c in r if c.strip()]
        texts = [c for c in cells if not _NUM.match(c)]
        if cells and len(cells) >= 0.8 * width and len(set(cells)) == len(cells) \
                and len(texts) >= 0.8 * len(cells):
            return i
    return 0


def detect(path: Path | str) -> Detected:
    """Encoding, delimiter, separators, title rows and header of an unseen export."""
    path = Path(path)
    data = path.read_bytes()
    if data[:4] == b"PK\x03\x04":
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        ws = wb.worksheets[0]
        grid = [["" if v is None else (v.strftime("%Y-%m-%d %H:%M:%S") if isinstance(
                v, datetime) else str(v)) for v in row] for row in ws.iter_rows(values_only=True)]
        fmt, encoding, delim = "xlsx", "xlsx", ","
    else:
        text, encoding = _decode(data)
        sample = "\n".join(text.splitlines()[:30])
        counts = {d: min((line.count(d) for line in sample.splitlines()[-20:] if line),
                         default=0) for d in (";", "\t", ",", "|")}
        delim = max(counts, key=lambda d: (counts[d], d == ";"))
        grid = list(csv.reader(io.StringIO(text), delimiter=delim))
        fmt = "csv"
    grid = [r for r in grid if any(c.strip() for c in r)] if grid else []
    if not grid:
        raise InputError(str(path), "file", "the file is empty (expected a header row and data)")
    h = _header_index(grid)
    header = [c.strip() for c in grid[h]]
    rows = [r + [""] * (len(header) - len(r)) for r in grid[h + 1:]]
    det = Detected(path, fmt, encoding, delim, h, header, rows)
    values = [c.strip() for r in rows for c in r]
    comma = sum(bool(re.match(r"^-?\d+,\d+$", v)) for v in values)
    point = sum(bool(re.match(r"^-?\d+\.\d+$", v)) for v in values)
    det.decimal = "," if comma > point else "."
    grouped = {"," : r"^\d{1,3}(\.\d{3})+(,\d+)?$", ".": r"^\d{1,3}(,\d{3})+(\.\d+)?$"}
    if any(re.match(grouped[det.decimal], v) for v in values):
        det.thousands = "." if det.decimal == "," else ","
    return det


def _meta_field(header: str) -> str | None:
    n = normalise_token(header)
    for fld, words in META_WORDS.items():
        if n in words:
            return fld
    for fld, words in META_WORDS.items():
        if any(w in n.split() or n.startswith(w) for w in words if len(w) > 3):
            return fld
    return None


def guess_scale(values: list[str], yes: set, no: set, partly: set, na: set,
                grades: dict) -> str | None:
    """The scale an item column's distinct values suggest (None: a human must decide)."""
    vals = [normalise_token(v) for v in values if v.strip() and normalise_token(v) not in na]
    if not vals:
        return None
    if all(v in yes | no for v in vals):
        return "yes_no"
    if all(v in yes | no | partly for v in vals):
        return "yes_partly_no"
    if all(_DUR.match(v) for v in vals) and any(":" in v for v in vals):
        return "seconds"
    if all(v in grades or _NUM.match(v) for v in vals) and any(v in grades for v in vals):
        return "grade6"
    nums = [float(v.replace(",", ".")) for v in vals if _NUM.match(v)]
    if len(nums) == len(vals):
        if all(x == int(x) and 1 <= x <= 5 for x in nums):
            return "likert5"
        if all(0 <= x <= 10 for x in nums):
            return "scale10"
        return "hours"
    return None


def _date_formats(values: list[str]) -> list[str]:
    found = []
    for fmt in DATE_FORMATS:
        ok = 0
        for v in values:
            try:
                datetime.strptime(v.strip(), fmt)
                ok += 1
            except ValueError:
                pass
        if values and ok == len(values):
            found.append(fmt)
    return found[:2] or [TODO + ": strptime format of the date column"]


def _slug(text: str) -> str:
    s = normalise_token(text)
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        s = s.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_") or "x"


def _write_new(path: Path, data: dict, header: str, out: list[str], root: Path) -> None:
    rel = path.relative_to(root).as_posix()
    if path.exists():
        out.append(f"kept     {rel} (exists; not overwritten)")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    text = header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(text, encoding="utf-8")
    out.append(f"wrote    {rel}")


def init_from_export(source: Path | str, root: Path | str | None = None,
                     agency: str | None = None, echo=print) -> list[str]:
    """Detect the export's format, list its columns and write draft config files.

    Returns the lines printed. Existing files in ``config/`` are never overwritten.
    """
    src = Path(source).resolve()
    if not src.is_file():
        raise InputError(str(src), "file", "not found (give the export with --from FILE)")
    # the project is --root, else BENCHLIB_ROOT, else the working directory (a new project
    # has no config/ yet, so it cannot be searched for)
    paths = get_paths(Path(root or os.environ.get("BENCHLIB_ROOT") or Path.cwd()))
    det = detect(src)
    lines: list[str] = []

    def say(text: str = "") -> None:
        lines.append(text)
        echo(text)

    say(f"read {src.name}: {det.format}, encoding {det.encoding}"
        + (f", delimiter {det.delimiter!r}" if det.format == "csv" else "")
        + f", decimal {det.decimal!r}, thousands {det.thousands!r}")
    say(f"header in row {det.title_rows + 1} ({det.title_rows} title row(s) above), "
        f"{len(det.header)} columns, {len(det.rows)} data rows")
    cols = {h: [r[i].strip() for r in det.rows if i < len(r)] for i, h in enumerate(det.header)}
    distinct = {h: list(Counter(v).keys()) for h, v in cols.items()}
    meta: dict[str, str] = {}
    for h in det.header:
        f = _meta_field(h)
        if f and f not in meta:
            meta[f] = h
    tokens = Counter(normalise_token(v) for h, vs in distinct.items() if h not in meta.values()
                     for v in vs if v and not _NUM.match(v) and not _DUR.match(v))
    yes = {t for t in tokens if t in YES}
    no = {t for t in tokens if t in NO}
    partly = {t for t in tokens if t in PARTLY}
    na = {t for t in tokens if t in NA}
    grades = {t: g for t, g in GRADE_WORDS.items() if t in tokens}
    unknown = sorted(t for t in tokens if t not in yes | no | partly | na | set(grades))
    say("")
    say("columns (distinct values):")
    items: list[dict] = []
    for h in det.header:
        shown = ", ".join(repr(v) for v in distinct[h][:MAX_SHOWN])
        more = f" … ({len(distinct[h])} distinct)" if len(distinct[h]) > MAX_SHOWN else ""
        f = next((k for k, v in meta.items() if v == h), None)
        if f:
            say(f"  {h!r}: meta field {f}: {shown}{more}")
            continue
        scale = guess_scale(distinct[h], yes, no, partly, na, grades)
        iid = _slug(h.split()[0]) if h.split() else _slug(h)
        if any(i["id"] == iid for i in items):
            iid = _slug(h)
        say(f"  {h!r}: item {iid}, scale {scale or TODO}: {shown}{more}")
        items.append({"id": iid, "header": h, "scale": scale})
    if unknown:
        say(f"tokens not recognised (decide yes/no/partly/N/A): {', '.join(map(repr, unknown))}")
    agency = agency or _slug(src.stem.split("_")[0])
    company_vals = distinct.get(meta.get("company", ""), [])
    channel_vals = distinct.get(meta.get("channel", ""), [])
    scenario_vals = distinct.get(meta.get("scenario", ""), [])
    wave_vals = distinct.get(meta.get("wave", ""), [])
    date_vals = [v for v in distinct.get(meta.get("contact_date", ""), []) if v]
    formats = _date_formats(date_vals[:200])
    cdir = paths.config
    written: list[str] = []
    mapping = {
        "id": agency, "name": f"{TODO}: agency name ({src.name})", "format": det.format,
        "encoding": [det.encoding] if det.format == "csv" else ["utf-8-sig"],
        "delimiter": det.delimiter, "decimal": det.decimal, "thousands": det.thousands,
        "title_rows": det.title_rows, "date_formats": formats,
        "na_tokens": sorted(na), "yes_tokens": sorted(yes), "no_tokens": sorted(no),
        "partly_tokens": sorted(partly), "grade_words": grades,
        "wave_values": {v: f"{TODO}: wave id YYYY-MM" for v in wave_vals if v},
        "channel_values": {v: _slug(v) for v in channel_vals if v},
        "scenario_values": {v: _slug(v) for v in scenario_vals if v},
        "columns": {f: [h] for f, h in meta.items()},
        "items": {i["id"]: [i["header"]] for i in items},
    }
    if not wave_vals:
        del mapping["wave_values"]
    if "wave" not in meta:
        mapping["wave_from"] = ["date"]
    for f in ("contact_id", "contact_date", "channel", "scenario", "company", "evaluator"):
        if f not in meta:
            mapping["columns"][f] = [f"{TODO}: header of the {f} column"]
    def declared(values: list[str], what: str) -> list[dict]:
        out = [{"id": _slug(v), "de": v, "en": f"{TODO}: English label"} for v in values if v]
        return out or [{"id": f"{TODO}: {what} id", "de": f"{TODO}: label",
                        "en": f"{TODO}: label"}]

    roles = {"seconds": "wait_time", "hours": "mail_response_time"}
    for i in items:
        n = normalise_token(i["header"])
        if i["scale"] == "yes_no" and any(w in n for w in ("erreicht", "reached", "answered",
                                                            "angenommen", "beantwortet")):
            i["role"] = "reachability"
        elif i["scale"] in roles:
            i["role"] = roles[i["scale"]]
    for role in ("reachability", "wait_time", "mail_response_time"):  # each role once
        for extra in [i for i in items if i.get("role") == role][1:]:
            extra.pop("role")
    grid = {
        "channels": declared(channel_vals, "channel"),
        "scenarios": declared(scenario_vals, "scenario"),
        "dimensions": [{"id": f"{TODO}: dimension id", "de": f"{TODO}: label",
                        "en": f"{TODO}: label"}],
        "knockouts": [f"{TODO}: knockout item ids, or remove this line"],
        "items": [{"id": i["id"], "dimension": f"{TODO}: dimension id",
                   "scale": i["scale"] or f"{TODO}: scale",
                   **({"direction": "lower_is_better"}
                      if i["scale"] in ("grade6", "seconds", "hours") else {}),
                   **({"thresholds": f"{TODO}: [[limit, points], ...]"}
                      if i["scale"] in ("seconds", "hours") else {}),
                   **({"role": i["role"]} if i.get("role") else {}),
                   "weight": f"{TODO}: weight", "channels": "all",
                   "label_de": i["header"], "label_en": f"{TODO}: English label"}
                  for i in items],
    }
    _write_new(cdir / "grid.yaml", grid, "# yaml-language-server: $schema=schema/grid.schema"
               ".json\n# Grid skeleton by `benchlib init`: decide every TODO (dimensions, "
               "weights, knockouts, roles: reachability / wait_time / mail_response_time).\n",
               written, paths.root)
    groups: dict[str, list[str]] = {}  # spellings grouped by their first word
    for v in company_vals:
        if v:
            groups.setdefault(_slug(v.split()[0]), []).append(v)
    _write_new(cdir / "companies.yaml", {"companies": [
        {"id": cid, "name": max(vs, key=len), "role": f"{TODO}: shop or competitor",
         "aliases": vs} for cid, vs in groups.items()]},
        "# yaml-language-server: $schema=schema/companies.schema.json\n# Spellings grouped "
        "by their first word: check the grouping; exactly one company is the shop.\n",
        written, paths.root)
    periods = _periods(det, meta, formats)
    label_of = {p["id"]: p.pop("_label") for p in periods}
    _write_new(cdir / "waves.yaml", {"topics": [], "waves": periods or [
        {"id": f"{TODO}: wave id YYYY-MM", "start": f"{TODO}: first day",
         "end": f"{TODO}: last day"}]},
        "# yaml-language-server: $schema=schema/waves.schema.json\n# Field periods drafted "
        "from the dates of each wave label: check them; trainings go under trainings_before."
        "\n", written, paths.root)
    if "wave_values" in mapping and periods:
        mapping["wave_values"] = {lab: wid for wid, lab in label_of.items()} | {
            v: f"{TODO}: wave id YYYY-MM, or fix the rows" for v in wave_vals
            if v and v not in label_of.values()}
    schema_line = "# yaml-language-server: $schema=../schema/export.schema.json\n"
    _write_new(cdir / "exports" / f"{agency}.yaml", mapping,
               schema_line + f"# Draft by `benchlib init --from {src.name}`: check every value; "
               "replace each TODO.\n", written, paths.root)
    _write_new(cdir / "study.yaml", {
        "name": f"{TODO}: study name",
        "settings": {"languages": ["de", "en"],
                     "evaluator_pattern": _evaluator_pattern(
                         distinct.get(meta.get("evaluator", ""), []))},
        "sources": [{"glob": src.relative_to(paths.raw).as_posix()
                     if src.is_relative_to(paths.raw) else f"{TODO}: glob of {src.name} "
                     "relative to data/raw (copy the file there)", "agency": agency}]},
        "# yaml-language-server: $schema=schema/study.schema.json\n", written, paths.root)
    from benchlib.config_models import write_schemas

    write_schemas(cdir)
    say("")
    for w in written:
        say(w)
    say("next: replace every TODO in config/, then run `benchlib validate`")
    return lines


def _periods(det: Detected, meta: dict[str, str], formats: list[str]) -> list[dict]:
    """Draft waves: per wave label, the month of its first date and its date range. A label
    used by only a few rows (< 5 % of them) is left for a human (likely a typo)."""
    if "wave" not in meta or "contact_date" not in meta or formats[0].startswith(TODO):
        return []
    wi, di = det.header.index(meta["wave"]), det.header.index(meta["contact_date"])
    dates: dict[str, list] = {}
    for r in det.rows:
        for fmt in formats:
            try:
                d = datetime.strptime(r[di].strip(), fmt).date()
            except ValueError:
                continue
            dates.setdefault(r[wi].strip(), []).append(d)
            break
    out, seen = [], set()
    for label, ds in dates.items():
        if not label or len(ds) < 0.05 * len(det.rows):
            continue
        ds.sort()
        wid = ds[len(ds) // 10].strftime("%Y-%m")  # robust to a few misdated rows
        if wid in seen:
            continue
        seen.add(wid)
        out.append({"id": wid, "start": ds[len(ds) // 50].isoformat(),
                    "end": ds[-1 - len(ds) // 50].isoformat(), "_label": label})
    return sorted(out, key=lambda w: w["id"])


def _evaluator_pattern(codes: list[str]) -> str:
    """A pattern for the evaluator codes seen: letters kept, digits generalised."""
    shapes = {re.sub(r"\d+", lambda m: rf"\d{{{len(m.group())}}}", re.escape(c.strip()))
              for c in codes if c.strip() and len(c.split()) == 1}
    if not shapes or len(shapes) > 3:
        return r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,23}$"
    return "^(" + "|".join(sorted(shapes)) + ")$" if len(shapes) > 1 else f"^{shapes.pop()}$"


# --------------------------------------------------------------------------- TODO markers
def _todos(data: Any, path: str) -> list[tuple[str, str]]:
    out = []
    if isinstance(data, dict):
        for k, v in data.items():
            key = f"{path}.{k}" if path else str(k)
            if isinstance(k, str) and k.startswith(TODO):
                out.append((path or "(top)", k))
            out += _todos(v, key)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out += _todos(v, f"{path}[{i}]")
    elif isinstance(data, str) and data.strip().startswith(TODO):
        out.append((path, data.strip()))
    return out


def find_todos(root: Path | str | None = None) -> list[tuple[str, str, str]]:
    """Every ``TODO`` marker left in config/*.yaml: (file, key path, what to decide)."""
    paths = get_paths(Path(root) if root else None)
    found = []
    files = sorted(paths.config.glob("*.yaml")) + sorted((paths.config / "exports").glob("*.yaml"))
    for p in files:
        try:
            data = safe_load(p.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue  # load_config reports it with the line
        rel = p.relative_to(paths.root).as_posix()
        found += [(rel, key, text) for key, text in _todos(data, "")]
    return found


def report_todos(root: Path | str | None = None, stream=None) -> int:
    """Print every TODO left (one line each) and a closing error line; return how many."""
    stream = stream or sys.stderr
    todos = find_todos(root)
    for file, key, text in todos:
        print(f"todo: {file}: {key}: {text}", file=stream)
    if todos:
        files = len({t[0] for t in todos})
        print(f"error: {len(todos)} decision(s) left in {files} config file(s) (TODO markers "
              "above); replace them and run `benchlib validate` again", file=stream)
    return len(todos)
