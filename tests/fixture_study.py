"""A second study, generated for tests: unlike the example on every axis the code must not assume.

Another field agency ("Prüfwerk": tab-separated ``.txt``, UTF-8, ISO date-times, ``J/N/T``
tokens, ``./.`` for not applicable, grade words ``eins … sechs``, decimal comma with ``.`` as
thousands separator), another id scheme (items ``F01…``, dimensions ``zugang, gespraech,
loesung, verkauf``, scenarios ``beratung, kauf, beschwerde``, channels ``phone, email, chat``),
wave labels to map (``1. Welle``), evaluator codes ``SH-07``, a flat folder layout (every file
directly in ``data/raw``, one file holding several waves), no calibration set and no mail
response item by default, two waves, two competitors and a shop that is not the first company.

Each axis can be switched (:class:`Axes`) so that the report tests can build a matrix of
studies from it. The first rows of wave 1 are fixed contacts whose scores the tests compute by
hand (see ``HAND_CONTACTS``); the rest is drawn from a seeded generator.

>>> from pathlib import Path; import tempfile
>>> fx = write_fixture_study(Path(tempfile.mkdtemp()), Axes(waves=3, chat=False))
>>> fx.channels, fx.waves, fx.shop
(('phone', 'email'), ('2026-03', '2026-06', '2026-09'), 'nordwind')
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
AGENCY = "pruefwerk"
EVALUATOR_PATTERN = r"^SH-\d{2}$"
DELIM = "\t"

# id, display name, aliases as the agency writes them
COMPANY_POOL = [
    ("kestrel", "Kestrel Elektronik", ["Kestrel Elektronik AG", "KESTREL"]),
    ("nordwind", "Nordwind Technik", ["Nordwind Technik GmbH", "Nordwind"]),
    ("orbis", "Orbis Versand", ["Orbis Versand KG", "Orbis"]),
    ("pallas", "Pallas Markt", ["Pallas Markt eG", "Pallas"]),
    ("quendel", "Quendel Digital", ["Quendel Digital SE", "Quendel"]),
    ("ravon", "Ravon Shop", ["Ravon Shop GmbH", "Ravon"]),
    ("sirius", "Sirius Handel", ["Sirius Handel AG", "Sirius"]),
]
SHOP = "nordwind"
WAVES = [("2026-03", "1. Welle", date(2026, 3, 2), date(2026, 3, 27)),
         ("2026-06", "2. Welle", date(2026, 6, 1), date(2026, 6, 26)),
         ("2026-09", "3. Welle", date(2026, 9, 1), date(2026, 9, 25))]
CHANNELS = {"phone": ("Telefon", "Telefon", "Phone"), "email": ("E-Mail", "E-Mail", "E-mail"),
            "chat": ("Chat", "Chat", "Chat")}  # id: (agency's word, de, en)
SCENARIOS = {"beratung": ("Beratungsgespräch", "Beratung", "Advice"),
             "kauf": ("Kaufabwicklung", "Kauf", "Purchase"),
             "beschwerde": ("Beschwerdefall", "Beschwerde", "Complaint")}
DIMENSIONS = {"zugang": ("Zugang", "Access"), "gespraech": ("Gesprächsführung", "Conversation"),
              "loesung": ("Lösungskompetenz", "Problem solving"),
              "verkauf": ("Verkaufsorientierung", "Sales orientation")}
GRADE_WORDS = {"eins": 1, "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6}
EVALUATORS = ["SH-03", "SH-07", "SH-11", "SH-14", "SH-21", "SH-26"]


@dataclass(frozen=True)
class Axes:
    """What the generated study has. The defaults are the issue's second study."""

    calibration: bool = False
    mail: bool = False  # an email channel with a mail response time item (role)
    chat: bool = True
    one_channel: bool = False  # phone only (overrides mail and chat)
    waves: int = 2
    training: bool = True
    competitors: int = 2
    one_scenario: bool = False
    knockouts: bool = True
    shop_first: bool = False
    wave_from: str = "column"  # column (checked against the date) | source | date
    quirks: bool = True  # a duplicate, a name as evaluator, a wave conflict, an unknown label
    n_per_cell: int = 4  # contacts per company × wave × channel × scenario
    nested_evaluators: bool = False  # each company rated by its own two evaluators only


@dataclass(frozen=True)
class FixtureStudy:
    root: Path
    axes: Axes
    companies: tuple[str, ...]
    shop: str
    waves: tuple[str, ...]
    channels: tuple[str, ...]
    scenarios: tuple[str, ...]
    dimensions: tuple[str, ...]
    items: tuple[str, ...]
    rows_written: int  # data rows of every contacts file (calibration excluded)
    duplicates: int
    quarantined: int  # rows the quirks are expected to quarantine
    calibration_rows: int = 0
    files: tuple[str, ...] = field(default_factory=tuple)


def _items(ax: Axes, channels: tuple[str, ...], scenarios: tuple[str, ...]) -> list[dict]:
    sales = [s for s in scenarios if s in ("beratung", "kauf")] or list(scenarios)
    items = [
        {"id": "F01", "dimension": "zugang", "scale": "yes_no", "weight": 2, "channels": "all",
         "role": "reachability", "label_de": "Kontakt zustande gekommen",
         "label_en": "Contact established", "header": "F01 Erreicht"},
        {"id": "F02", "dimension": "zugang", "scale": "seconds", "direction": "lower_is_better",
         "weight": 1, "channels": ["phone"], "thresholds": [[30, 1.0], [90, 0.5]],
         "role": "wait_time", "label_de": "Wartezeit in der Leitung",
         "label_en": "Time on hold", "header": "F02 Wartezeit (m:ss)"},
        {"id": "F03", "dimension": "gespraech", "scale": "yes_no", "weight": 1, "channels": "all",
         "label_de": "Persönliche Begrüßung", "label_en": "Personal greeting",
         "header": "F03 Begrüßung"},
        {"id": "F04", "dimension": "gespraech", "scale": "likert5", "weight": 1,
         "channels": "all", "label_de": "Freundlichkeit", "label_en": "Friendliness",
         "header": "F04 Freundlichkeit 1-5"},
        {"id": "F05", "dimension": "loesung", "scale": "grade6", "direction": "lower_is_better",
         "weight": 2, "channels": "all", "label_de": "Fachwissen (Note)",
         "label_en": "Expertise (grade)", "header": "F05 Fachwissen Note"},
        {"id": "F06", "dimension": "loesung", "scale": "yes_partly_no", "weight": 3,
         "channels": "all", "label_de": "Antwort richtig", "label_en": "Answer right",
         "header": "F06 Richtig"},
        {"id": "F07", "dimension": "loesung", "scale": "scale10", "weight": 1, "channels": "all",
         "label_de": "Vollständigkeit 0-10", "label_en": "Completeness 0-10",
         "header": "F07 Vollständigkeit"},
        {"id": "F08", "dimension": "loesung", "scale": "yes_no", "weight": 1, "channels": "all",
         "label_de": "Keine irreführende Auskunft", "label_en": "No misleading information",
         "header": "F08 Nicht irreführend"},
        {"id": "F09", "dimension": "verkauf", "scale": "yes_no", "weight": 2, "channels": "all",
         "scenarios": sales, "label_de": "Kaufimpuls gesetzt", "label_en": "Purchase prompted",
         "header": "F09 Kaufimpuls"},
    ]
    if "chat" in channels:
        items.append({"id": "F10", "dimension": "gespraech", "scale": "yes_no", "weight": 1,
                      "channels": ["chat"], "label_de": "Chatverlauf übersichtlich",
                      "label_en": "Chat transcript clear", "header": "F10 Chat übersichtlich"})
    if "email" in channels and ax.mail:
        items.append({"id": "F11", "dimension": "zugang", "scale": "hours",
                      "direction": "lower_is_better", "weight": 1, "channels": ["email"],
                      "thresholds": [[8, 1.0], [24, 0.5]], "role": "mail_response_time",
                      "label_de": "Antwortzeit E-Mail", "label_en": "E-mail reply time",
                      "header": "F11 Antwortzeit Std"})
    return [i for i in items if i["id"] != "F02" or "phone" in channels]


META_HEADERS = {"contact_id": "LfdNr", "wave": "Erhebungswelle", "contact_date": "Zeitpunkt",
                "channel": "Medium", "scenario": "Fall", "company": "Anbieter",
                "evaluator": "Prüfer", "agent_name": "MA-Name", "comment": "Notiz",
                "recording_id": "Aufnahme"}

# fixed contacts of wave 1 at the shop (cells by item id; absent = out of scope / empty)
HAND_CONTACTS = [
    ("K-0001", "phone", "beratung", {"F01": "J", "F02": "0:25", "F03": "J", "F04": "4",
                                      "F05": "zwei", "F06": "T", "F07": "7,5", "F08": "J",
                                      "F09": "N"}),
    ("K-0002", "phone", "beschwerde", {"F01": "J", "F02": "1:10", "F03": "N", "F04": "./.",
                                        "F05": "1", "F06": "J", "F07": "10", "F08": "N"}),
    ("K-0003", "chat", "kauf", {"F01": "j", "F03": "J", "F04": "5", "F05": "sechs",
                                 "F06": "N", "F07": "2,5", "F08": "J", "F09": "J", "F10": "J"}),
    ("K-0004", "email", "beratung", {"F01": "N", "F03": "./.", "F04": "./.", "F05": "./.",
                                      "F06": "./.", "F07": "./.", "F08": "./.", "F09": "./."}),
]


def _cell(item: dict, q: float, rng: np.random.Generator) -> str:
    """An agency-formatted cell for an item, drawn around quality ``q`` in [0, 1]."""
    u = float(np.clip(q + rng.normal(0, 0.25), 0, 1))
    s = item["scale"]
    if s == "yes_no":
        return "J" if rng.random() < u else "N"
    if s == "yes_partly_no":
        return "J" if u > 0.66 else ("T" if u > 0.33 else "N")
    if s == "likert5":
        return str(1 + int(round(u * 4)))
    if s == "grade6":
        g = 6 - int(round(u * 5))
        return next(w for w, v in GRADE_WORDS.items() if v == g) if rng.random() < 0.5 else str(g)
    if s == "scale10":
        v = round(u * 20) / 2
        return f"{v:g}".replace(".", ",")
    if s == "seconds":
        sec = int(rng.gamma(2.0, 20 * (1.5 - u)))
        return f"{sec // 60}:{sec % 60:02d}"
    if s == "hours":
        h = round(float(rng.gamma(2.0, 8 * (1.5 - u))), 1)
        return f"{h:g}".replace(".", ",")
    raise ValueError(s)


def _in_scope(item: dict, channel: str, scenario: str) -> bool:
    ch = item["channels"]
    sc = item.get("scenarios", "all")
    return (ch == "all" or channel in ch) and (sc == "all" or scenario in sc)


def write_fixture_study(root: Path, axes: Axes = Axes(), seed: int = 20261201,
                        notebooks: bool = True) -> FixtureStudy:
    """Write ``config/`` and ``data/raw/`` of the fixture study under ``root``."""
    ax = axes
    rng = np.random.default_rng(seed)
    root = Path(root)
    n_comp = ax.competitors + 1
    pool = COMPANY_POOL[:max(n_comp, 2)]
    comps = [c for c in pool if c[0] != SHOP][:ax.competitors]
    shop = next(c for c in COMPANY_POOL if c[0] == SHOP)
    companies = [shop, *comps] if ax.shop_first else [comps[0], shop, *comps[1:]]
    waves = WAVES[:ax.waves]
    channels = ("phone",) if ax.one_channel else tuple(
        c for c in CHANNELS if c == "phone" or c == "email" or (c == "chat" and ax.chat))
    scenarios = ("beratung",) if ax.one_scenario else tuple(SCENARIOS)
    items = _items(ax, channels, scenarios)
    cdir = root / "config"
    (cdir / "exports").mkdir(parents=True, exist_ok=True)
    raw = root / "data" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    (root / "data" / "processed").mkdir(parents=True, exist_ok=True)
    (root / "reports").mkdir(exist_ok=True)
    if notebooks and (ROOT / "notebooks").is_dir() and not (root / "notebooks").exists():
        shutil.copytree(ROOT / "notebooks", root / "notebooks",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))

    def dump(name: str, data: dict) -> None:
        (cdir / name).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                                 encoding="utf-8")

    sources: list[dict] = []
    if ax.wave_from == "source":
        sources += [{"glob": f"pruefdaten_welle{k + 1}.txt", "agency": AGENCY, "wave": w[0]}
                    for k, w in enumerate(waves)]
    else:
        sources.append({"glob": "pruefdaten_*.txt", "agency": AGENCY})
    if ax.calibration:
        sources.append({"glob": "kalibrierung_*.txt", "agency": AGENCY, "kind": "calibration"})
    dump("study.yaml", {
        "name": "Prüfwerk Testmarkt (Fixture)",
        "settings": {"min_coverage": 0.8, "mail_window_h": 72, "min_n": 5, "k_anonymity": 3,
                     "max_quarantine_share": 0.1, "demo_pseudonym_key": "fixture-key-not-secret",
                     "languages": ["de", "en"], "evaluator_pattern": EVALUATOR_PATTERN},
        "sources": sources})
    dump("companies.yaml", {"companies": [
        {"id": cid, "name": name, "role": "shop" if cid == SHOP else "competitor",
         "aliases": aliases} for cid, name, aliases in companies]})
    wave_list = []
    for k, (wid, _, start, end) in enumerate(waves):
        entry: dict = {"id": wid, "start": start.isoformat(), "end": end.isoformat()}
        if ax.training and k == 1:
            entry["trainings_before"] = [{"date": (start - timedelta(days=30)).isoformat(),
                                          "topics": ["kaufimpulse", "fachwissen"],
                                          "addresses": ["verkauf", "F05"]}]
        wave_list.append(entry)
    dump("waves.yaml", {"topics": [
        {"id": "kaufimpulse", "de": "Kaufimpulse setzen", "en": "Prompting purchases"},
        {"id": "fachwissen", "de": "Fachwissen", "en": "Expertise"}], "waves": wave_list})
    grid_items = [{k: v for k, v in i.items() if k != "header"} for i in items]
    if not ax.knockouts:
        knockouts: list[str] = []
    else:
        knockouts = ["F01", "F08"]
    dump("grid.yaml", {
        "channels": [{"id": c, "de": CHANNELS[c][1], "en": CHANNELS[c][2]} for c in channels],
        "scenarios": [{"id": s, "de": SCENARIOS[s][1], "en": SCENARIOS[s][2]}
                      for s in scenarios],
        "dimensions": [{"id": d, "de": de, "en": en} for d, (de, en) in DIMENSIONS.items()],
        "knockouts": knockouts, "items": grid_items})
    wave_from = {"column": ["column", "date"], "source": ["source", "date"],
                 "date": ["date"]}[ax.wave_from]
    dump(f"exports/{AGENCY}.yaml", {
        "id": AGENCY, "name": "Prüfwerk Qualitätsmessung", "format": "csv",
        "encoding": ["utf-8"], "delimiter": DELIM, "decimal": ",", "thousands": ".",
        "title_rows": 0, "date_formats": ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        "na_tokens": ["./.", "entf."], "yes_tokens": ["J", "ja"], "no_tokens": ["N", "nein"],
        "partly_tokens": ["T", "teils"], "grade_words": GRADE_WORDS,
        "wave_values": {label: wid for wid, label, _, _ in waves}, "wave_from": wave_from,
        "channel_values": {CHANNELS[c][0]: c for c in channels},
        "scenario_values": {SCENARIOS[s][0]: s for s in scenarios},
        "columns": {k: [v] for k, v in META_HEADERS.items()
                    if ax.wave_from != "date" or k != "wave"},
        "items": {i["id"]: [i["header"]] for i in items}})

    header = [META_HEADERS[k] for k in ("contact_id", "wave", "contact_date", "channel",
                                        "scenario", "company", "evaluator", "agent_name",
                                        "comment")] + [i["header"] for i in items]
    if ax.wave_from == "date":
        header.remove(META_HEADERS["wave"])
    company_quality = {c[0]: 0.45 + 0.1 * k for k, c in enumerate(companies)}
    rows_by_wave: dict[str, list[list[str]]] = {w[0]: [] for w in waves}
    counter = 100
    quarantined = duplicates = 0

    def row(cid, wave, channel, scenario, company, ev, cells, when=None, agent=""):
        wid, label, start, end = wave
        when = when or datetime.combine(start, datetime.min.time()) + timedelta(hours=9)
        meta = {"contact_id": cid, "wave": label, "contact_date": when.strftime(
                    "%Y-%m-%dT%H:%M:%S"), "channel": CHANNELS[channel][0],
                "scenario": SCENARIOS[scenario][0], "company": company, "evaluator": ev,
                "agent_name": agent, "comment": ""}
        if ax.wave_from == "date":
            del meta["wave"]
        return list(meta.values()) + [cells.get(i["id"], "") for i in items]

    shop_alias = shop[2][0]
    if not ax.one_channel and not ax.one_scenario:
        for cid, ch, sc, cells in HAND_CONTACTS:
            if ch in channels:
                rows_by_wave[waves[0][0]].append(row(cid, waves[0], ch, sc, shop_alias, "SH-03",
                                                     cells, agent="Frau Lindqvist"))
    for k, wave in enumerate(waves):
        wid, _, start, end = wave
        days = (end - start).days
        for cid, _name, aliases in companies:
            q = company_quality[cid] + (0.08 * k if cid == SHOP and ax.training else 0.0)
            for ch in channels:
                for sc in scenarios:
                    for _ in range(ax.n_per_cell):
                        counter += 1
                        reached = not ax.knockouts or rng.random() > 0.06
                        cells = {}
                        for it in items:
                            if not _in_scope(it, ch, sc):
                                continue
                            if it["id"] == "F01":
                                cells["F01"] = "J" if reached else "N"
                            elif not reached:
                                cells[it["id"]] = "./."
                            else:
                                cells[it["id"]] = _cell(it, q, rng)
                        when = datetime.combine(start, datetime.min.time()) + timedelta(
                            days=int(rng.integers(0, days + 1)),
                            hours=int(rng.integers(8, 18)), minutes=int(rng.integers(0, 60)))
                        if ax.nested_evaluators:  # the shop: SH-03/SH-07, then pairs
                            pair = ([SHOP] + [c[0] for c in companies if c[0] != SHOP]).index(cid)
                            ev = EVALUATORS[(2 * pair + int(rng.integers(0, 2)))
                                            % len(EVALUATORS)]
                        else:
                            ev = EVALUATORS[int(rng.integers(0, len(EVALUATORS)))]
                        agent = f"MA {int(rng.integers(1, 9))}" if cid == SHOP else ""
                        rows_by_wave[wid].append(row(f"K-{counter:04d}", wave, ch, sc,
                                                     aliases[counter % len(aliases)], ev, cells,
                                                     when, agent))
    if ax.quirks:
        first = rows_by_wave[waves[0][0]]
        first.append(list(first[-1]))  # an exact duplicate row
        duplicates += 1
        bad_ev = list(first[-3])
        bad_ev[header.index(META_HEADERS["evaluator"])] = "Anna Berger"  # a name, not a code
        first[-3] = bad_ev
        quarantined += 1
        if ax.wave_from == "column" and len(waves) > 1:
            conflict = list(first[-4])  # labelled wave 2, dated inside wave 1
            conflict[header.index(META_HEADERS["wave"])] = waves[1][1]
            first[-4] = conflict
            unknown = list(first[-5])
            unknown[header.index(META_HEADERS["wave"])] = "Sonderwelle"
            first[-5] = unknown
            quarantined += 2
    files = []
    if ax.wave_from == "source":
        for k, wave in enumerate(waves):
            files.append(_write_tsv(raw / f"pruefdaten_welle{k + 1}.txt", header,
                                    rows_by_wave[wave[0]]))
    else:
        files.append(_write_tsv(raw / "pruefdaten_gesamt.txt", header,
                                [r for w in waves for r in rows_by_wave[w[0]]]))
    cal_rows = 0
    if ax.calibration:
        cal_rows = _write_calibration(raw, header, items, waves[0], shop_alias, rng, ax)
        files.append("kalibrierung_welle1.txt")
    return FixtureStudy(root=root, axes=ax, companies=tuple(c[0] for c in companies), shop=SHOP,
                        waves=tuple(w[0] for w in waves), channels=channels,
                        scenarios=scenarios, dimensions=tuple(DIMENSIONS),
                        items=tuple(i["id"] for i in items),
                        rows_written=sum(len(v) for v in rows_by_wave.values()),
                        duplicates=duplicates, quarantined=quarantined,
                        calibration_rows=cal_rows, files=tuple(files))


def _write_tsv(path: Path, header: list[str], rows: list[list[str]]) -> str:
    text = "\n".join(DELIM.join(r) for r in [header, *rows]) + "\n"
    path.write_text(text, encoding="utf-8")
    return path.name


def _write_calibration(raw: Path, header, items, wave, company, rng, ax: Axes) -> int:
    """Every evaluator rates the same four recorded phone contacts."""
    hdr = [*header, META_HEADERS["recording_id"]]
    rows = []
    for rec in range(4):
        q = float(rng.uniform(0.3, 0.9))
        for ev in EVALUATORS:
            cells = {it["id"]: ("J" if it["id"] == "F01" else _cell(it, q, rng))
                     for it in items if _in_scope(it, "phone", "beratung")}
            wid, label, start, _ = wave
            meta = [f"KAL-{rec}-{ev}", label, f"{start.isoformat()}T10:00:00",
                    CHANNELS["phone"][0], SCENARIOS["beratung"][0], company, ev, "", ""]
            if ax.wave_from == "date":
                meta.pop(1)
            rows.append(meta + [cells.get(i["id"], "") for i in items] + [f"REC-{rec:02d}"])
    _write_tsv(raw / "kalibrierung_welle1.txt", hdr, rows)
    return len(rows)
