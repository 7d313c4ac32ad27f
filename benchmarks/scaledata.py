"""Scaled copies of the example study for the benchmark (fast: no generator run).

Every contact export of the shipped example study (Feldhaus CSV and QualiServ XLSX) is read
as raw strings through the project's own reader, and all rows are written again as
Feldhaus-style CSV (``;``, one file per wave, cp1252 for the early waves and UTF-8 with BOM
for the later ones, as the shipped exports are). Rows are replicated with new contact ids
(``<id>-r<k>``) and permuted with a fixed seed, so every quirk of the example (N/A tokens,
exact and conflicting duplicates, out-of-range values, ``#WERT!``, typos in company names,
two date and duration formats, a ``<script>`` in a comment) recurs at the same rate.

Because call and mail rows now share one CSV format, the benchmark project's
``config/exports/feldhaus.yaml`` is the union of both agencies' mappings (``channels: [call,
mail]``, both sets of tokens, the mail-only items under German headers) and
``config/study.yaml``'s sources point at CSV files only. See docs/performance.md.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]
MAIL_ONLY_HEADERS = {  # mail-only grid items get German headers in the unified CSV
    "mail_response_h": "Antwortzeit (h)",
    "mail_salutation": "Anrede",
    "mail_structure": "Struktur (Note)",
    "mail_spelling": "Rechtschreibung (0-10)",
    "mail_signature": "Signatur",
}
CP1252_WAVES = {"2025-07", "2025-10", "2026-01"}  # as in the shipped exports


def _union_mapping() -> dict:
    fh = yaml.safe_load((REPO / "config/exports/feldhaus.yaml").read_text(encoding="utf-8"))
    qs = yaml.safe_load((REPO / "config/exports/qualiserv.yaml").read_text(encoding="utf-8"))
    m = dict(fh)
    m["name"] = "Feldhaus + QualiServ rows as Feldhaus CSV (benchmark)"
    m["channels"] = ["call", "mail"]
    for key in ("na_tokens", "yes_tokens", "no_tokens", "partly_tokens", "date_formats"):
        m[key] = list(dict.fromkeys([*fh[key], *qs[key]]))
    m["channel_values"] = {**fh["channel_values"], **qs["channel_values"]}
    m["scenario_values"] = {**fh["scenario_values"], **qs["scenario_values"]}
    m["items"] = dict(fh["items"])
    for iid in qs["items"]:
        if iid not in m["items"]:
            m["items"][iid] = [MAIL_ONLY_HEADERS[iid]]
    return m


def _header_of(m: dict) -> dict[str, str]:
    out = {c: aliases[0] for c, aliases in m["columns"].items()}
    out.update({i: aliases[0] for i, aliases in m["items"].items()})
    return out


def _base_rows():
    """(canonical columns, rows of raw strings, kind per row) of the shipped exports."""
    import pandas as pd

    from benchlib.config import load_config
    from benchlib.pipeline import discover_sources
    from benchlib.reader import read_export

    cfg = load_config(REPO)
    frames, cal = [], []
    for path, agency, kind in discover_sources(cfg):
        t = read_export(path, cfg.exports[agency]).frame.drop(columns="_row")
        (cal if kind == "calibration" else frames).append(t)
    return pd.concat(frames, ignore_index=True).fillna(""), pd.concat(cal, ignore_index=True)


def _quote(cell: str) -> str:
    if any(ch in cell for ch in ';"\n\r'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _lines(df, columns: list[str]) -> list[str]:
    """``;``-joined CSV lines of ``df[columns]`` (missing columns empty), quoted as needed."""
    cols = [df[c].astype(str).to_numpy() if c in df.columns else np.full(len(df), "", object)
            for c in columns]
    return [";".join(_quote(c) for c in row) for row in zip(*cols, strict=True)]


def make_project(dest: Path, contacts: int, seed: int = 0) -> dict:
    """Create a benchmark project at ``dest`` with about ``contacts`` scored contacts.

    Returns ``{"raw_rows": …, "files": [...]}``. ``contacts`` counts raw contact rows
    scaled by the example's clean share (2390 scored of 2407 raw rows).
    """
    dest = Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "config" / "exports").mkdir(parents=True)
    for name in ("companies.yaml", "waves.yaml", "grid.yaml", "corrections.csv"):
        if (REPO / "config" / name).exists():
            shutil.copy2(REPO / "config" / name, dest / "config" / name)
    study = yaml.safe_load((REPO / "config/study.yaml").read_text(encoding="utf-8"))
    study["sources"] = [{"glob": "*/bench_*.csv", "agency": "feldhaus"},
                        {"glob": "calibration/*.csv", "agency": "feldhaus",
                         "kind": "calibration"}]
    (dest / "config/study.yaml").write_text(yaml.safe_dump(study, allow_unicode=True,
                                                           sort_keys=False), encoding="utf-8")
    mapping = _union_mapping()
    (dest / "config/exports/feldhaus.yaml").write_text(
        yaml.safe_dump(mapping, allow_unicode=True, sort_keys=False), encoding="utf-8")
    header_of = _header_of(mapping)

    base, cal = _base_rows()
    canon = [c for c in header_of if c != "recording_id"]
    rest = _lines(base, [c for c in canon if c != "contact_id"])
    ids = base["contact_id"].astype(str).to_numpy()
    waves = base["wave"].astype(str).str.strip().to_numpy()
    clean_share = 2390 / len(base)
    n_rows = max(int(round(contacts / clean_share)), len(base))
    rng = np.random.default_rng(seed)
    src = np.arange(n_rows) % len(base)
    rep = np.arange(n_rows) // len(base)
    order = rng.permutation(n_rows)
    src, rep = src[order], rep[order]
    header = ";".join(_quote(header_of[c]) for c in canon)
    files = []
    for w in sorted(set(waves)):
        sel = np.flatnonzero(waves[src] == w)
        out = [header]
        for s, r in zip(src[sel].tolist(), rep[sel].tolist(), strict=True):
            cid = ids[s]
            out.append(_quote(f"{cid}-r{r}" if cid.strip() else cid) + ";" + rest[s])
        folder = dest / "data" / "raw" / (w if w[:2] == "20" else "misc")
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"bench_{w}.csv"
        text = "\r\n".join(out) + "\r\n"
        enc = "cp1252" if w in CP1252_WAVES else "utf-8-sig"
        try:
            data = text.encode(enc)
        except UnicodeEncodeError:
            enc, data = "utf-8-sig", text.encode("utf-8-sig")
        path.write_bytes(data)
        files.append({"path": str(path), "encoding": enc})
    cal_cols = ["recording_id", *canon]
    (dest / "data/raw/calibration").mkdir(parents=True)
    cal_path = dest / "data/raw/calibration/kalibrierung.csv"
    cal_text = "\r\n".join([";".join(_quote(header_of[c]) for c in cal_cols),
                            *_lines(cal, cal_cols)]) + "\r\n"
    cal_path.write_bytes(cal_text.encode("utf-8-sig"))
    files.append({"path": str(cal_path), "encoding": "utf-8-sig"})
    (dest / "data/processed").mkdir(parents=True)
    return {"raw_rows": n_rows + len(cal), "files": files}


if __name__ == "__main__":  # pragma: no cover - manual use: python benchmarks/scaledata.py DIR N
    import sys

    print(make_project(Path(sys.argv[1]), int(float(sys.argv[2]))))
