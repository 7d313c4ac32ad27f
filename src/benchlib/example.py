"""The fictional example study: a deterministic generator of raw exports with planted effects.

``benchlib example`` writes, from a fixed seed, what two field agencies would deliver for six
waves (calls: Feldhaus CSV; mails: QualiServ XLSX), a calibration set, and
``data/raw/example_truth.json`` with the planted effects. Regenerating gives byte-identical
files. The model (all on the logit scale of an item's "good" probability):

* company quality: the shop starts below the market;
* the training before wave 2025-10 lifts the shop's closing and complaint items (and, less,
  every other judged item);
* wave 2026-07 has a market-wide drop that hits every company (so the shop's naive
  before/after change and the difference-in-differences disagree there);
* evaluator E05 rates subjective items more leniently;
* grid changes: ``callback_offered`` is new from 2026-01 (the shop rarely offers call-backs,
  an artificial drop of its full-grid score) and ``needs_questions`` changes from yes/no to
  yes/partly/no; competitor Kabelkraft is replaced by Nordlicht from 2026-04.

Each item value is drawn so that its expected points equal ``sigmoid(eta)``: yes/no
Bernoulli, yes/partly/no Binomial(2)/2, Likert 1 + Binomial(4), grade 6 − Binomial(5),
0–10 Binomial(10). The truth file states the *population* values of the quantities the
statistics estimate, computed from 100× as many contacts drawn from the same model and
scored by :mod:`benchlib.scoring`.

>>> design = example_design()
>>> design.n_per_cell, len(design.evaluators)
(40, 8)
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from benchlib.atomic import save_workbook, sha256_file, write_bytes, write_json
from benchlib.comparable import comparable_contacts
from benchlib.config import Item, StudyConfig, load_config
from benchlib.paths import get_paths
from benchlib.scales import SCALES
from benchlib.scoring import ANSWERED, MISSING, NOT_APPLICABLE, in_scope, score_contacts

SEED = 20260426
SUBJECTIVE = ("yes_partly_no", "likert5", "grade6", "scale10")


@dataclass(frozen=True)
class ExampleDesign:
    """Planted parameters of the example study (logit scale unless noted)."""

    n_per_cell: int = 40  # contacts per company × wave × channel
    company_quality: dict[str, float] = field(default_factory=lambda: {
        "voltera": -0.35, "brandt": 0.25, "elektroland": 0.15, "funkturm": 0.0,
        "kabelkraft": 0.2, "nordlicht": 0.1})
    contact_sd: float = 0.45
    training_wave: str = "2025-10"  # first wave after the effective training
    training_dimensions: tuple[str, ...] = ("closing", "complaint")
    training_effect: float = 1.8
    training_general: float = 0.4  # the same training also lifts every other judged item
    market_shift_wave: str = "2026-07"
    market_shift: float = -0.5
    evaluators: dict[str, float] = field(default_factory=lambda: {
        "E01": 0.0, "E02": 0.1, "E03": -0.1, "E04": 0.05, "E05": 0.7, "E06": -0.15,
        "E07": 0.0, "E08": -0.05})
    lenient_evaluator: str = "E05"
    callback_quality: dict[str, float] = field(default_factory=lambda: {"voltera": -2.5})
    callback_default: float = 1.0
    p_unreached_call: float = 0.04
    p_harm: float = 0.015
    p_missing: float = 0.015
    p_na: float = 0.02
    mail_median_h: float = 9.0
    calibration_recordings: int = 12
    calibration_wave: str = "2026-10"


def example_design() -> ExampleDesign:
    """The design the shipped example study is generated with."""
    return ExampleDesign()


ITEM_INTERCEPT = {
    "reach_answered": 2.5, "greet_company": 1.8, "greet_name": 1.0, "politeness": 1.2,
    "interrupted": 1.6, "needs_questions": 0.2, "needs_understood": 0.9, "knowledge_grade": 0.8,
    "several_options": -0.2, "answer_correct": 1.0, "answer_complete": 0.7, "info_no_harm": 3.5,
    "buying_signal": 0.0, "closing_attempt": -0.4, "closing_quality": -0.1,
    "callback_offered": 0.0, "complaint_apology": 0.8, "complaint_empathy": 0.4,
    "complaint_ownership": 0.3, "complaint_solution": 0.6, "complaint_compensation": -0.5,
    "farewell_summary": -0.2, "farewell_thanks": 1.5, "mail_salutation": 1.6,
    "mail_structure": 0.8, "mail_spelling": 1.2, "mail_signature": 1.3,
}

AGENTS = ["Sabine Schneider", "Jonas Becker", "Ayşe Yılmaz", "Peter Müller", "Lena Wolff",
          "Mehmet Kaya", "Julia Hoffmann", "Tobias Krämer", "Svenja Groß", "Dimitri Petrov"]

COMMENTS = [
    "Sehr freundlich, alles verständlich erklärt.",
    "Wartezeit lang & Musik in der Warteschleife zu laut.",
    "Mitarbeiter wirkte gestresst, sagte \"das geht so nicht\".",
    "Größe/Maße des Kühlschranks korrekt genannt – gute Beratung.",
    "Angebot: Rückruf unter 0171 2345678 (Durchwahl Service).",
    "Antwort kam von kundenservice@beispiel-shop.de, ohne Signatur.",
    "Preis < 500 € genannt, Zubehör > 50 € nicht erwähnt.",
    "Reklamation: Ersatzgerät angeboten, Entschuldigung fehlte.",
    "Kein Abschlussversuch, obwohl ich \"kaufbereit\" war.",
    "Bitte <b>fett</b> markierte Stelle prüfen & 'Zitat' beachten.",
    "Übertragung gut, Lösung für Rücksendung per Mail bestätigt.",
    "",
    "",
    "",
]
SCRIPT_COMMENT = "Betreff der Antwort enthielt <script>alert('xss')</script> – Test der Filter."
INJECTION_COMMENT = '<img src=x onerror="alert(1)"> und Link javascript:alert(2) im Text'

COMPANY_SPELLINGS = {
    "voltera": ["Voltera GmbH", "Voltera GmbH", "voltera ", "VOLTERA Service", " Voltera GmbH"],
    "brandt": ["Technikhaus Brandt", "TH Brandt", "technikhaus brandt "],
    "elektroland": ["Elektroland Nord", "Elektroland", "ELEKTROLAND NORD AG"],
    "funkturm": ["Funkturm Direkt", "Funkturm-Direkt", "funkturm"],
    "kabelkraft": ["Kabelkraft", "Kabelkraft KG", "Kabel Kraft "],
    "nordlicht": ["Nordlicht Elektro", "Nordlicht", "Nordlicht Elektro GmbH"],
}


# --------------------------------------------------------------------------- the model
def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _design_frame(cfg: StudyConfig, d: ExampleDesign, scale: int = 1) -> pd.DataFrame:
    """One row per planned contact: wave, company, channel, scenario (balanced)."""
    scen = list(cfg.scenarios)
    rows = []
    for w in cfg.wave_ids:
        for c in cfg.companies:
            if not c.active_in(w):
                continue
            for ch in cfg.channels:
                n = d.n_per_cell * scale
                for k in range(n):
                    rows.append((w, c.id, c.role, ch, scen[k % len(scen)]))
    return pd.DataFrame(rows, columns=["wave", "company", "role", "channel", "scenario"])


def _latent(frame: pd.DataFrame, d: ExampleDesign, rng: np.random.Generator) -> np.ndarray:
    q = frame["company"].map(d.company_quality).to_numpy(dtype=float)
    q = q + np.where(frame["wave"].to_numpy() == d.market_shift_wave, d.market_shift, 0.0)
    return q + rng.normal(0.0, d.contact_sd, len(frame))


def _draw_item(item: Item, eta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A value per contact from the item's scale (:meth:`benchlib.scales.Scale.draw`): good
    service (high ``eta``) gives good values, also on a lower-is-better yes/no item."""
    scale = SCALES[item.scale]
    v = scale.draw(_sigmoid(eta), rng)
    if item.direction == "lower_is_better" and not scale.lower_is_better:
        return scale.low + scale.high - v
    return v


def simulate_values(cfg: StudyConfig, d: ExampleDesign, frame: pd.DataFrame,
                    rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Draw item values and statuses for the contacts of ``frame`` (adds evaluator, latent)."""
    n = len(frame)
    evals = np.array(list(d.evaluators))
    frame["evaluator"] = evals[rng.integers(0, len(evals), n)]
    lenient = frame["evaluator"].map(d.evaluators).to_numpy(dtype=float)
    u = _latent(frame, d, rng)
    shop_after = ((frame["role"] == "shop") & (frame["wave"] >= d.training_wave)).to_numpy()
    wave, chan, scen = (frame[c].to_numpy(dtype=object) for c in ("wave", "channel", "scenario"))
    ids = list(dict.fromkeys(i.id for i in cfg.grid.items))
    values = pd.DataFrame(np.nan, index=frame.index, columns=ids)
    status = pd.DataFrame(MISSING, index=frame.index, columns=ids, dtype="int8")
    for item in cfg.grid.items:
        scope = in_scope(item, wave, chan, scen)
        if not scope.any() or item.scale in ("seconds", "hours"):
            continue
        eta = ITEM_INTERCEPT[item.id] + u
        if item.scale in SUBJECTIVE:
            eta = eta + lenient
        if item.dimension in d.training_dimensions:
            eta = eta + np.where(shop_after, d.training_effect, 0.0)
        elif item.scale in SUBJECTIVE:
            eta = eta + np.where(shop_after, d.training_general, 0.0)
        if item.id == "callback_offered":
            eta = eta + frame["company"].map(d.callback_quality).fillna(d.callback_default).to_numpy()
        if item.id == "info_no_harm":
            eta = np.full(n, np.log((1 - d.p_harm) / d.p_harm))
        if item.id == "reach_answered":
            eta = np.where(chan == "call", np.log((1 - d.p_unreached_call) / d.p_unreached_call)
                           + 0.5 * (u - u.mean()), 50.0)
        vals = _draw_item(item, eta, rng)
        values.loc[scope, item.id] = vals[scope]
        status.loc[scope, item.id] = ANSWERED
    _draw_times(frame, d, u, values, status, rng, cfg.settings.mail_window_h)
    _draw_gaps(cfg, d, frame, values, status, rng)
    frame["latent"] = u
    return values, status


def _draw_times(frame, d, u, values, status, rng, window_h) -> None:
    call = (frame["channel"] == "call").to_numpy()
    wait = np.exp(rng.normal(np.log(28.0) - 0.7 * u, 0.6))
    values.loc[call, "wait_s"] = np.round(wait[call])
    status.loc[call, "wait_s"] = ANSWERED
    mail = ~call
    hours = np.exp(rng.normal(np.log(d.mail_median_h) - 1.0 * u, 1.1))
    answered = hours <= window_h
    values.loc[mail, "mail_response_h"] = np.where(answered, np.round(hours, 1), np.nan)[mail]
    status.loc[mail, "mail_response_h"] = ANSWERED
    values.loc[mail, "reach_answered"] = answered[mail].astype(float)
    unreached = (values["reach_answered"] == 0).to_numpy()
    for col in values.columns:
        if col not in ("reach_answered", "mail_response_h"):
            values.loc[unreached, col] = np.nan
            status.loc[unreached, col] = MISSING


def _draw_gaps(cfg, d, frame, values, status, rng) -> None:
    """Random missing cells and N/A tokens on items that are not structural."""
    for col in values.columns:
        if col in ("reach_answered", "mail_response_h", "wait_s", "info_no_harm"):
            continue
        r = rng.random(len(frame))
        ans = (status[col] == ANSWERED).to_numpy()
        miss = ans & (r < d.p_missing)
        na = ans & (r >= d.p_missing) & (r < d.p_missing + d.p_na)
        values.loc[miss | na, col] = np.nan
        status.loc[miss, col] = MISSING
        status.loc[na, col] = NOT_APPLICABLE


def population_scores(cfg: StudyConfig, d: ExampleDesign, scale: int = 100,
                      seed: int = SEED + 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A large population from the same model, scored: the 'truth' the statistics estimate.

    Returns the contacts with full-grid scores and the long item table (for core scores).
    """
    rng = np.random.default_rng(seed)
    frame = _design_frame(cfg, d, scale)
    values, status = simulate_values(cfg, d, frame, rng)
    scores, points, final = score_contacts(values, status, frame, cfg.grid.items,
                                           cfg.grid.dimensions, cfg.settings.min_coverage)
    frame["contact_id"] = np.arange(len(frame))
    labels = np.array(["answered", "not_applicable", "missing", "out_of_scope"])
    waves, wave_labels = pd.factorize(frame["wave"])
    k = values.shape[1]
    long = pd.DataFrame({
        "contact_id": np.repeat(frame["contact_id"].to_numpy(), k),
        "wave": _categorical(np.repeat(waves, k), wave_labels.to_numpy()),
        "item": _categorical(np.tile(np.arange(k), len(frame)), values.columns.to_numpy()),
        "value": values.to_numpy(dtype=float).ravel(),
        "points": points.to_numpy(dtype=float).ravel(),
        "status": _categorical(final.to_numpy().ravel(), labels),
    })
    return pd.concat([frame, scores], axis=1), long


def _categorical(codes: np.ndarray, labels: np.ndarray) -> pd.Categorical:
    """``pd.Categorical(labels[codes])`` — the categories the labels present, sorted — built
    from the codes: the population's long table has millions of cells, and inferring the
    categories from as many strings took seconds.

    >>> _categorical(np.array([2, 0, 2]), np.array(["b", "x", "a"])).tolist()
    ['a', 'b', 'a']
    """
    present = np.unique(codes)
    order = np.argsort(labels[present], kind="stable")
    remap = np.empty(len(labels), dtype=np.int64)
    remap[present[order]] = np.arange(len(present))
    return pd.Categorical.from_codes(remap[codes], categories=pd.Index(labels[present][order]))


# --------------------------------------------------------------------------- raw formatting
_FH_CHANNEL = {"call": "Anruf"}
_FH_SCEN = {"product_info": "Produktberatung", "order_payment": "Bestellung/Zahlung",
            "returns": "Retoure/Widerruf", "complaint": "Reklamation"}
_QS_CHANNEL = {"mail": "E-Mail"}
_QS_SCEN = {"product_info": "Product information", "order_payment": "Ordering & payment",
            "returns": "Returns", "complaint": "Complaint"}
_GRADE_WORDS = {1: "sehr gut", 2: "gut", 3: "befriedigend", 4: "ausreichend", 5: "mangelhaft",
                6: "ungenügend"}
_NA = ["k.A.", "n.v.", "entfällt", "-"]


def _fmt_num(x: float, decimal: str) -> str:
    s = f"{x:.1f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))
    return s.replace(".", decimal)


def _fmt_cell(item: Item, value: float, status: int, rng: np.random.Generator, agency: str):
    """Render one cell as the agency exports it (str for CSV; str/number for XLSX)."""
    if status == NOT_APPLICABLE:
        return _NA[int(rng.integers(0, len(_NA)))]
    if status != ANSWERED or (np.isnan(value) and item.scale != "hours"):
        return ""
    s = item.scale
    if s in ("yes_no", "yes_partly_no"):
        word = {1.0: "ja", 0.5: "teilweise", 0.0: "nein"}[value]
        r = rng.random()
        return word.capitalize() if r < 0.15 else (word.upper() + " " if r < 0.2 else word)
    if s == "grade6" and rng.random() < 0.1:
        return _GRADE_WORDS[int(value)]
    if s == "hours":
        return "" if np.isnan(value) else (value if agency == "qualiserv" else _fmt_num(value, ","))
    if s == "seconds":
        r = rng.random()
        if r < 0.6:
            return f"{int(value) // 60}:{int(value) % 60:02d}"
        return f"{int(value)} s" if r < 0.85 else str(int(value))
    if agency == "qualiserv":
        return float(value) if value != int(value) else int(value)
    return _fmt_num(value, ",")


def _dates(frame: pd.DataFrame, cfg: StudyConfig, rng: np.random.Generator) -> list[date]:
    out = []
    for w in frame["wave"]:
        wave = cfg.wave(w)
        days = (wave.end - wave.start).days
        out.append(wave.start + timedelta(days=int(rng.integers(0, days + 1))))
    return out


def _export_rows(cfg, frame, values, status, rng, agency: str) -> tuple[list[str], list[list]]:
    m = cfg.exports[agency]
    header_of = {k: v[0] for k, v in m.columns.items()}
    item_ids = [k[5:] for k in m.columns if k.startswith("item:")]
    meta_cols = ["contact_id", "wave", "contact_date", "channel", "scenario", "company",
                 "evaluator", "agent_name", "comment"]
    header = [header_of[c] for c in meta_cols] + [header_of[f"item:{i}"] for i in item_ids]
    items_by_id = {}
    rows = []
    # the cells as numpy arrays, row for row with ``frame`` (a missing label raises, as the
    # lookups did): 120,000 DataFrame.at lookups were most of the generator
    col = {c: j for j, c in enumerate(values.columns)}
    vals = values.loc[frame.index].to_numpy(dtype=float)
    stat = status.loc[frame.index, values.columns].to_numpy()
    for pos, (_, r) in enumerate(frame.iterrows()):
        wave = r["wave"]
        for it in cfg.grid.items_for_wave(wave):
            items_by_id[it.id] = it
        is_shop = r["company"] == cfg.shop.id
        agent = AGENTS[int(rng.integers(0, len(AGENTS)))] if is_shop else ""
        comment = COMMENTS[int(rng.integers(0, len(COMMENTS)))]
        if is_shop and agent and rng.random() < 0.15:
            comment = f"{agent.split()[0]} war sehr hilfsbereit und nannte die Lieferzeit."
        d = r["contact_date"]
        if agency == "feldhaus":
            date_cell = d.isoformat() if pos % 17 == 3 else d.strftime("%d.%m.%Y")
            chan, scen = _FH_CHANNEL[r["channel"]], _FH_SCEN[r["scenario"]]
        else:
            date_cell = d.strftime("%d.%m.%Y") if pos % 23 == 5 else datetime(d.year, d.month, d.day)
            chan, scen = _QS_CHANNEL[r["channel"]], _QS_SCEN[r["scenario"]]
        spellings = COMPANY_SPELLINGS[r["company"]]
        company = spellings[int(rng.integers(0, len(spellings)))]
        row = [r["contact_id"], wave, date_cell, chan, scen, company, r["evaluator"], agent, comment]
        for iid in item_ids:
            it = items_by_id.get(iid)
            if it is None or not it.valid_in(wave):
                row.append("")
                continue
            j = col[iid]
            row.append(_fmt_cell(it, vals[pos, j], int(stat[pos, j]), rng, agency))
        rows.append(row)
    return header, rows


def _csv_bytes(header: list[str], rows: list[list], encoding: str) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode(encoding, errors="replace")  # as cp1252 exports do: "?"


def _xlsx_save(path: Path, title: str, header: list[str], rows: list[list],
               error_cell: tuple[int, int] | None = None) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Export"
    ws.append([title])
    ws.append(header)
    for row in rows:
        ws.append(row)
    for r in range(3, ws.max_row + 1):
        c = ws.cell(row=r, column=3)
        if isinstance(c.value, datetime):
            c.number_format = "yyyy-mm-dd"
    if error_cell is not None:
        cell = ws.cell(row=error_cell[0], column=error_cell[1])
        cell.value = "#DIV/0!"
        cell.data_type = "e"
    save_workbook(wb, path)


# --------------------------------------------------------------------------- quirks
def _inject_feldhaus(wave: str, header: list[str], rows: list[list]) -> list[list]:
    """Put every raw quirk of the brief into the call exports (deterministic positions)."""
    col = {h: i for i, h in enumerate(header)}
    rows = [list(r) for r in rows]
    if wave == "2025-07":
        rows += [list(rows[5]), list(rows[40])]          # exact duplicate rows
    if wave == "2025-10":
        rows[7][col["Freundlichkeit (1-5)"]] = "7"       # out of range (rescued by corrections)
        rows[12][col["Unternehmen"]] = "Voltra GmbH"     # unknown company (typo)
        rows += [list(rows[30])]
    if wave == "2026-01":
        rows[9][col["Vollständigkeit (0-10)"]] = "#WERT!"  # Excel error value
        rows[10][col["Anliegen verstanden (1-5)"]] = "0"   # Likert 0: out of range
    if wave == "2026-04":
        dup = list(rows[15])
        dup[col["Kommentar"]] = "Zweiter Eintrag zum selben Kontakt, abweichend."
        dup[col["Freundlichkeit (1-5)"]] = "2"
        rows.insert(16, dup)                              # conflicting duplicate contact id
        rows[20][col["Produktwissen (Note)"]] = "#NV"
    if wave == "2026-07":
        rows[4][col["Wartezeit"]] = "2:75"                # impossible duration
        rows[6][col["Datum"]] = "31.02.2026"              # impossible date
        rows += [list(rows[50]), list(rows[51])]
    if wave == "2026-10":
        rows[3][col["Kommentar"]] = SCRIPT_COMMENT
        rows[8][col["Wartezeit"]] = "-0:30"               # negative duration
    return rows


def _inject_qualiserv(wave: str, header: list[str], rows: list[list]) -> tuple[list, tuple | None]:
    col = {h: i for i, h in enumerate(header)}
    rows = [list(r) for r in rows]
    error_cell = None
    if wave == "2025-10":
        rows += [list(rows[11])]                          # exact duplicate row
    if wave == "2026-04":
        error_cell = (3 + 14, col["Completeness (0-10)"] + 1)  # real Excel error cell
    if wave == "2026-07":
        rows[21][col["Structure (grade)"]] = 7            # grade 7: out of range
    if wave == "2026-10":
        rows[2][col["Comment"]] = INJECTION_COMMENT
        rows[5][col["Comment"]] = SCRIPT_COMMENT
    return rows, error_cell


# --------------------------------------------------------------------------- study
def _sample(cfg: StudyConfig, d: ExampleDesign, rng: np.random.Generator):
    frame = _design_frame(cfg, d)
    values, status = simulate_values(cfg, d, frame, rng)
    frame["contact_date"] = _dates(frame, cfg, rng)
    order = rng.permutation(len(frame))  # exports are not sorted by company
    frame, values, status = (t.iloc[order].reset_index(drop=True) for t in (frame, values, status))
    prefix = np.where(frame["channel"] == "call", "FH", "QS")
    seq = frame.groupby(["wave", "channel"]).cumcount() + 1
    frame["contact_id"] = [f"{p}-{w.replace('-', '')}-{s:04d}"
                           for p, w, s in zip(prefix, frame["wave"], seq, strict=True)]
    return frame, values, status


def _calibration(cfg: StudyConfig, d: ExampleDesign, rng: np.random.Generator):
    """Recorded calls, each rated by every evaluator (facts shared, judgement per evaluator)."""
    k = d.calibration_recordings
    scen = list(cfg.scenarios)
    comps = [c.id for c in cfg.companies if c.active_in(d.calibration_wave)]
    rec = pd.DataFrame({"wave": d.calibration_wave, "company": [comps[i % len(comps)] for i in range(k)],
                        "channel": "call", "scenario": [scen[i % len(scen)] for i in range(k)]})
    rec["role"] = rec["company"].map({c.id: c.role for c in cfg.companies})
    base_vals, base_status = simulate_values(cfg, d, rec.copy(), rng)
    base_vals["reach_answered"] = 1.0  # recordings exist only of answered calls
    rec_latent = rng.normal(0, 0.8, k)
    frames, vals, stats = [], [], []
    for e, len_e in d.evaluators.items():
        f = rec.copy()
        f["evaluator"] = e
        f["recording_id"] = [f"REC-{i + 1:02d}" for i in range(k)]
        v = base_vals.copy()
        s = base_status.copy()
        s.loc[:, :] = np.where(base_status == MISSING, ANSWERED, base_status)
        for item in cfg.grid.items_for_wave(d.calibration_wave):
            if item.scale in SUBJECTIVE and item.id in v:
                eta = ITEM_INTERCEPT[item.id] + rec_latent + len_e + rng.normal(0, 0.35, k)
                v[item.id] = np.where(base_status[item.id] == NOT_APPLICABLE, np.nan,
                                      _draw_item(item, eta, rng))
        frames.append(f)
        vals.append(v)
        stats.append(s)
    frame = pd.concat(frames, ignore_index=True)
    frame["contact_date"] = cfg.wave(d.calibration_wave).end
    frame["contact_id"] = [f"KAL-{r[4:]}-{e}" for r, e in zip(frame["recording_id"],
                                                               frame["evaluator"], strict=True)]
    return frame, pd.concat(vals, ignore_index=True), pd.concat(stats, ignore_index=True)


def generate_example(root: Path | str | None = None, seed: int = SEED,
                     truth_scale: int = 100) -> list[Path]:
    """Write the example study's raw exports and truth file under ``<root>/data/raw``.

    Returns the written paths. Deterministic: the same seed gives byte-identical files.
    """
    cfg = load_config(root)
    d = example_design()
    rng = np.random.default_rng(seed)
    raw = get_paths(cfg.root).raw
    frame, values, status = _sample(cfg, d, rng)
    written: list[Path] = []
    for wave in cfg.wave_ids:
        for agency, channel in (("feldhaus", "call"), ("qualiserv", "mail")):
            sel = ((frame["wave"] == wave) & (frame["channel"] == channel)).to_numpy()
            header, rows = _export_rows(cfg, frame[sel], values[sel], status[sel], rng, agency)
            if agency == "feldhaus":
                rows = _inject_feldhaus(wave, header, rows)
                enc = "cp1252" if wave < "2026-04" else "utf-8-sig"
                path = raw / wave / f"feldhaus_anrufe_{wave}.csv"
                write_bytes(path, _csv_bytes(header, rows, enc))
            else:
                rows, err = _inject_qualiserv(wave, header, rows)
                path = raw / wave / f"qualiserv_mails_{wave}.xlsx"
                _xlsx_save(path, f"QualiServ International – Mystery-Mail-Export – Welle {wave}",
                           header, rows, err)
            written.append(path)
    cal, cal_v, cal_s = _calibration(cfg, d, rng)
    header, rows = _export_rows(cfg, cal, cal_v, cal_s, rng, "feldhaus")
    header.append(cfg.exports["feldhaus"].columns["recording_id"][0])
    rows = [r + [rid] for r, rid in zip(rows, cal["recording_id"], strict=True)]
    path = raw / "calibration" / f"feldhaus_kalibrierung_{d.calibration_wave}.csv"
    write_bytes(path, _csv_bytes(header, rows, "utf-8-sig"))
    written.append(path)
    truth = compute_truth(cfg, d, seed=seed, scale=truth_scale)
    truth["files"] = {p.relative_to(raw).as_posix(): sha256_file(p) for p in written}
    truth_path = raw / "example_truth.json"
    write_json(truth_path, truth)
    written.append(truth_path)
    return written


# --------------------------------------------------------------------------- truth
def _did(pop: pd.DataFrame, before: str, after: str, col: str) -> dict[str, float]:
    sub = pop[pop["wave"].isin([before, after]) & pop["scored"] & pop[col].notna()]
    present = [set(sub.loc[sub["wave"] == w, "company"].unique()) for w in (before, after)]
    panel = present[0] & present[1]
    sub = sub[sub["company"].isin(panel)]
    m = sub.groupby(["role", "wave"])[col].mean()
    shop = m[("shop", after)] - m[("shop", before)]
    comp = m[("competitor", after)] - m[("competitor", before)]
    return {"naive_change_shop": float(shop), "market_change": float(comp),
            "did": float(shop - comp)}


def compute_truth(cfg: StudyConfig, d: ExampleDesign, seed: int = SEED,
                  scale: int = 100) -> dict:
    """Population values of the planted effects (see module docstring)."""
    pop, long = population_scores(cfg, d, scale=scale, seed=seed + 1)
    scored = pop[pop["scored"]]
    dims = [f"dim_{x}" for x in cfg.grid.dimensions]
    cells = scored.groupby(["wave", "company"])[["total", *dims]].mean().reset_index()
    waves = cfg.wave_ids
    means = scored.groupby(["wave", "role"])["total"].mean().unstack()
    comp_means = scored[scored["role"] == "competitor"].groupby(["wave", "company"])["total"].mean()
    gap = {w: float(means.loc[w, "shop"] - comp_means.loc[w].mean()) for w in waves}
    trainings = []
    for before, after in zip(waves, waves[1:], strict=False):
        entry = {"before": before, "after": after,
                 "effective": after == d.training_wave,
                 "market_shift": after == d.market_shift_wave}
        for col in ("total", "dim_closing", "dim_complaint"):
            entry[col] = _did(pop, before, after, col)
        core_pop, core = comparable_contacts(pop, long, cfg, [before, after])
        entry["core_items_excluded"] = core.excluded["item"].tolist()
        entry["core_items_mapped"] = list(core.mapped)
        for col in ("total", "dim_closing"):
            entry[f"{col}_core"] = _did(core_pop, before, after, col)
        trainings.append(entry)
    ev = scored.groupby("evaluator")["total"].mean()
    lenient = d.lenient_evaluator
    return {
        "description": "Population values of the example study's planted effects: each is the "
                       "value the estimator targets, computed from a population "
                       f"{scale}x the shipped sample, drawn from the same model and scored by "
                       "benchlib.scoring. Logit-scale parameters are under 'design'. Per "
                       "training, '<score>' is on the full grid and '<score>_core' on the "
                       "comparable core of the two waves (balanced panel of competitors).",
        "seed": seed,
        "population_scale": scale,
        "design": {k: v for k, v in d.__dict__.items()},
        "shop": cfg.shop.id,
        "shop_gap_to_market": gap,
        "cell_means": json.loads(cells.round(6).to_json(orient="records")),
        "trainings": trainings,
        "effective_training": {"before": waves[waves.index(d.training_wave) - 1],
                               "after": d.training_wave},
        "market_shift": {"before": waves[waves.index(d.market_shift_wave) - 1],
                         "after": d.market_shift_wave},
        "evaluator_leniency": {
            "evaluator": lenient,
            "total_points_vs_others": float(ev[lenient] - ev.drop(lenient).mean()),
            "by_evaluator": {k: float(v - ev.mean()) for k, v in ev.items()},
        },
    }
