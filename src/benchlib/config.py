"""Study configuration: companies, waves, scenarios, channels, rating grid, export mappings.

Everything a study varies lives in ``config/`` as human-edited YAML and is validated here on
load; a mistake stops with one :class:`~benchlib.errors.ConfigError` naming file and key.
YAML is read with ``yaml.safe_load`` only.

>>> cfg = load_config()
>>> cfg.shop.id, len(cfg.waves) >= 6, cfg.grid.items[0].id
('voltera', True, 'reach_answered')
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from benchlib.errors import ConfigError
from benchlib.paths import get_paths

SCALES = ("yes_no", "yes_partly_no", "likert5", "grade6", "scale10", "seconds", "hours")
DIRECTIONS = ("higher_is_better", "lower_is_better")
ROLES = ("shop", "competitor")
# what the code needs to know about an item, by role (never by its id); each role at most once
ITEM_ROLES = ("reachability", "wait_time", "mail_response_time")
ROLE_SCALES = {"reachability": ("yes_no",), "wait_time": ("seconds",),
               "mail_response_time": ("hours",)}
LABEL_KINDS = ("dimension", "scenario", "channel", "item", "company", "training")
DEFAULT_EVALUATOR_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,23}$"
CORE_COLUMNS = ("contact_id", "wave", "contact_date", "channel", "scenario", "company",
                "evaluator")
OPTIONAL_COLUMNS = ("agent_name", "comment", "recording_id")
WAVE_RE = re.compile(r"^\d{4}-\d{2}$")
# the fields of an item definition that change how it scores (labels and validity do not)
SCORING_FIELDS = ("dimension", "scale", "direction", "weight", "knockout", "channels",
                  "scenarios", "thresholds")


def normalise_token(text: str) -> str:
    """Case- and space-insensitive form used for every token/alias lookup.

    >>> normalise_token("  VOLTERA   Service ")
    'voltera service'
    """
    return " ".join(str(text).split()).casefold()


@dataclass(frozen=True)
class Company:
    id: str
    name: str
    role: str
    aliases: tuple[str, ...]
    first_wave: str | None = None
    last_wave: str | None = None

    def active_in(self, wave: str) -> bool:
        return (self.first_wave is None or wave >= self.first_wave) and (
            self.last_wave is None or wave <= self.last_wave)


@dataclass(frozen=True)
class Training:
    """A training held before a wave: its topics (ids declared under ``topics`` in
    waves.yaml, labelled via ``cfg.label("training", id, lang)``) and the dimension or item
    ids it ``addresses``."""

    date: date
    topics: tuple[str, ...]
    addresses: tuple[str, ...] = ()


@dataclass(frozen=True)
class Wave:
    id: str
    start: date
    end: date
    trainings_before: tuple[Training, ...] = ()


@dataclass(frozen=True)
class Item:
    id: str
    dimension: str
    label_de: str
    label_en: str
    channels: tuple[str, ...]
    scenarios: tuple[str, ...]
    scale: str
    direction: str = "higher_is_better"
    weight: float = 1.0
    knockout: bool = False
    thresholds: tuple[tuple[float, float], ...] = ()
    valid_from: str | None = None
    valid_to: str | None = None
    core_mapping: tuple[tuple[float, float], ...] | None = None  # value -> points, old scale
    role: str | None = None  # one of ITEM_ROLES, or None

    def valid_in(self, wave: str) -> bool:
        return (self.valid_from is None or wave >= self.valid_from) and (
            self.valid_to is None or wave <= self.valid_to)

    def scoring_differences(self, other: Item) -> list[str]:
        """The :data:`SCORING_FIELDS` in which ``other`` differs from this definition.

        >>> a = Item("x", "d", "", "", ("call",), ("s",), "yes_no")
        >>> a.scoring_differences(Item("x", "d", "", "", ("call",), ("s",), "likert5", weight=2))
        ['scale', 'weight']
        """
        return [f for f in SCORING_FIELDS if getattr(self, f) != getattr(other, f)]


@dataclass(frozen=True)
class Grid:
    dimensions: tuple[str, ...]
    items: tuple[Item, ...]

    def items_for_wave(self, wave: str) -> tuple[Item, ...]:
        """Item definitions valid in ``wave`` (one per item id)."""
        return tuple(i for i in self.items if i.valid_in(wave))

    def item_for_role(self, role: str) -> Item | None:
        """The (latest) definition of the item that has ``role``, or None if the grid has none.

        >>> load_config().grid.item_for_role("reachability").knockout
        True
        """
        if role not in ITEM_ROLES:
            raise ValueError(f"unknown item role {role!r}; roles: {', '.join(ITEM_ROLES)}")
        found = [i for i in self.items if i.role == role]
        return found[-1] if found else None

    def version_of(self, wave: str) -> str:
        """Grid version label: the first wave from which this wave's item set is unchanged."""
        bounds = {i.valid_from for i in self.items if i.valid_from and i.valid_from <= wave}
        bounds |= {_next_after(i.valid_to) for i in self.items
                   if i.valid_to and i.valid_to < wave}
        return "grid-" + (max(bounds) if bounds else "base")


def _next_after(wave: str) -> str:
    # boundary marker strictly after `wave` in lexical order (wave ids are YYYY-MM)
    return wave + "+"


@dataclass(frozen=True)
class ExportMapping:
    id: str
    name: str
    format: str
    encodings: tuple[str, ...]
    delimiter: str
    decimal: str
    title_rows: int
    sheet: str | int | None
    date_formats: tuple[str, ...]
    na_tokens: frozenset[str]
    yes_tokens: frozenset[str]
    no_tokens: frozenset[str]
    partly_tokens: frozenset[str]
    grade_words: dict[str, int]
    columns: dict[str, tuple[str, ...]]
    channel_values: dict[str, str]
    scenario_values: dict[str, str]
    ignore_columns: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    file: str = ""
    thousands: str | None = None  # thousands separator as the agency writes numbers, or None
    allow_short_rows: bool = False  # rows with fewer cells than the header are padded, not errors
    wave_values: dict[str, str] = field(default_factory=dict)  # normalised label -> wave id
    # where a row's wave comes from: any of column, source, date; all named must agree
    wave_from: tuple[str, ...] = ()


WAVE_FROM = ("column", "source", "date")


@dataclass(frozen=True)
class Source:
    glob: str
    agency: str
    kind: str = "contacts"
    wave: str | None = None  # every row of these files belongs to this wave


@dataclass(frozen=True)
class Settings:
    min_coverage: float = 0.8
    mail_window_h: float = 120.0
    min_n: int = 10
    k_anonymity: int = 5
    max_quarantine_share: float = 0.10
    pseudonym_key_env: str = "BENCHLIB_PSEUDONYM_KEY"
    pseudonym_key_file: str | None = None
    demo_pseudonym_key: str | None = None
    languages: tuple[str, ...] = ("de", "en")
    evaluator_pattern: str = DEFAULT_EVALUATOR_PATTERN  # regex every evaluator code must match


@dataclass(frozen=True)
class StudyConfig:
    name: str
    settings: Settings
    companies: tuple[Company, ...]
    waves: tuple[Wave, ...]
    channels: tuple[str, ...]
    scenarios: dict[str, dict[str, str]]
    grid: Grid
    exports: dict[str, ExportMapping]
    sources: tuple[Source, ...]
    root: Path = field(default=Path("."))
    sha256: str = ""
    # kind -> id -> language -> text, for the kinds declared in configuration (dimension,
    # scenario, channel, training); items and companies are labelled from their definitions
    labels: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    ignore: tuple[str, ...] = ()  # globs (relative to data/raw) of raw files deliberately ignored

    def label(self, kind: str, id: str, lang: str) -> str:
        """The visible label of a dimension, scenario, channel, item, company or training topic.

        >>> cfg = load_config()
        >>> cfg.label("scenario", "complaint", "en"), cfg.label("dimension", "closing", "de")
        ('Complaint', 'Abschlussorientierung')
        """
        if kind == "item":
            defs = [i for i in self.grid.items if i.id == id]
            if not defs:
                raise KeyError(f"unknown item {id!r}")
            return defs[-1].label_de if lang == "de" else defs[-1].label_en
        if kind == "company":
            return self.company(id).name
        if kind not in LABEL_KINDS:
            raise ValueError(f"unknown label kind {kind!r}; kinds: {', '.join(LABEL_KINDS)}")
        try:
            texts = self.labels[kind][id]
        except KeyError:
            raise KeyError(f"unknown {kind} {id!r}") from None
        return texts.get(lang) or texts["en"]

    @property
    def shop(self) -> Company:
        return next(c for c in self.companies if c.role == "shop")

    @property
    def wave_ids(self) -> tuple[str, ...]:
        return tuple(w.id for w in self.waves)

    def wave(self, wave_id: str) -> Wave:
        for w in self.waves:
            if w.id == wave_id:
                return w
        raise ConfigError("config/waves.yaml", "waves", f"unknown wave {wave_id!r}; valid waves: "
                          + ", ".join(self.wave_ids))

    def previous_wave(self, wave_id: str) -> str | None:
        ids = self.wave_ids
        i = ids.index(self.wave(wave_id).id)
        return ids[i - 1] if i > 0 else None

    def company(self, company_id: str) -> Company:
        for c in self.companies:
            if c.id == company_id:
                return c
        raise KeyError(f"unknown company {company_id!r}")

    def alias_map(self) -> dict[str, str]:
        """normalised alias (incl. id and name) → company id."""
        out: dict[str, str] = {}
        for c in self.companies:
            for a in (c.id, c.name, *c.aliases):
                out[normalise_token(a)] = c.id
        return out


# --------------------------------------------------------------------------- loading
class _Reader:
    """Small typed accessors over a YAML mapping that raise ConfigError with file and key."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(self.file, key, message)

    def get(self, d: Any, key: str, path: str, typ: type | tuple[type, ...], default: Any = ...):
        if not isinstance(d, dict):
            raise self.fail(path, f"expected a mapping, found {type(d).__name__}")
        if key not in d:
            if default is ...:
                raise self.fail(f"{path}.{key}" if path else key, "required key is missing")
            return default
        value = d[key]
        if typ is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, typ) or (typ in (int, float) and isinstance(value, bool)):
            name = typ.__name__ if isinstance(typ, type) else "/".join(t.__name__ for t in typ)
            raise self.fail(f"{path}.{key}" if path else key,
                            f"expected {name}, found {value!r}")
        return value

    def str_list(self, d: Any, key: str, path: str, default: Any = ...) -> tuple[str, ...]:
        value = self.get(d, key, path, (list, str), default)
        if isinstance(value, str):
            value = [value]
        if not all(isinstance(v, (str, int, float)) for v in value):
            raise self.fail(f"{path}.{key}", f"expected a list of strings, found {value!r}")
        return tuple(str(v) for v in value)


def _load_yaml(path: Path, root: Path) -> Any:
    rel = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
    if not path.is_file():
        raise ConfigError(rel, "(file)", "file not found")
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        raise ConfigError(rel, where, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    except UnicodeDecodeError:
        raise ConfigError(rel, "(file)", "not UTF-8 text") from None


def _parse_date(r: _Reader, value: Any, key: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise r.fail(key, f"expected a date YYYY-MM-DD, found {value!r}") from None


def load_config(root: Path | str | None = None) -> StudyConfig:
    """Load and validate the study configuration under ``<root>/config``.

    >>> load_config().grid.dimensions[:3]
    ('reachability', 'greeting', 'needs')
    """
    paths = get_paths(Path(root) if root else None)
    cdir = paths.config
    files = {n: cdir / f"{n}.yaml" for n in ("study", "companies", "waves", "grid")}
    raw = {n: _load_yaml(p, paths.root) for n, p in files.items()}
    study = _parse_study(raw["study"])
    companies = _parse_companies(raw["companies"])
    waves, topic_labels = _parse_waves(raw["waves"])
    channels, chan_labels, scenarios, dim_labels, grid = _parse_grid(raw["grid"],
                                                                      [w.id for w in waves])
    export_files = sorted((cdir / "exports").glob("*.yaml"))
    exports = {}
    for p in export_files:
        m = _parse_export(_load_yaml(p, paths.root), f"config/exports/{p.name}")
        exports[m.id] = m
    cfg = StudyConfig(
        name=study["name"], settings=study["settings"], companies=companies, waves=waves,
        channels=channels, scenarios=scenarios, grid=grid, exports=exports,
        sources=study["sources"], root=paths.root, ignore=study["ignore"],
        sha256=_hash_files([*files.values(), *export_files]),
        labels={"dimension": dim_labels, "scenario": scenarios, "channel": chan_labels,
                "training": topic_labels},
    )
    _cross_check(cfg)
    return cfg


def _hash_files(files: list[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(files):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _parse_study(d: Any) -> dict[str, Any]:
    r = _Reader("config/study.yaml")
    name = r.get(d, "name", "", str)
    s = r.get(d, "settings", "", dict, {})
    defaults = Settings()
    settings = Settings(
        min_coverage=r.get(s, "min_coverage", "settings", float, defaults.min_coverage),
        mail_window_h=r.get(s, "mail_window_h", "settings", float, defaults.mail_window_h),
        min_n=r.get(s, "min_n", "settings", int, defaults.min_n),
        k_anonymity=r.get(s, "k_anonymity", "settings", int, defaults.k_anonymity),
        max_quarantine_share=r.get(s, "max_quarantine_share", "settings", float,
                                   defaults.max_quarantine_share),
        pseudonym_key_env=r.get(s, "pseudonym_key_env", "settings", str,
                                defaults.pseudonym_key_env),
        pseudonym_key_file=r.get(s, "pseudonym_key_file", "settings", (str, type(None)), None),
        demo_pseudonym_key=r.get(s, "demo_pseudonym_key", "settings", (str, type(None)), None),
        languages=r.str_list(s, "languages", "settings", defaults.languages),
        evaluator_pattern=r.get(s, "evaluator_pattern", "settings", str,
                                defaults.evaluator_pattern),
    )
    try:
        re.compile(settings.evaluator_pattern)
    except re.error as exc:
        raise r.fail("settings.evaluator_pattern", f"not a valid regular expression: {exc}") from None
    if not settings.languages:
        raise r.fail("settings.languages", "at least one language is required")
    if not 0 < settings.min_coverage <= 1:
        raise r.fail("settings.min_coverage", f"must be in (0, 1], found {settings.min_coverage}")
    if settings.k_anonymity < 3:
        raise r.fail("settings.k_anonymity", f"must be >= 3, found {settings.k_anonymity}")
    if settings.mail_window_h <= 0:
        raise r.fail("settings.mail_window_h", "must be > 0")
    sources = []
    for i, sd in enumerate(r.get(d, "sources", "", list)):
        key = f"sources[{i}]"
        sources.append(Source(glob=r.get(sd, "glob", key, str), agency=r.get(sd, "agency", key, str),
                              kind=r.get(sd, "kind", key, str, "contacts"),
                              wave=_opt_str(r.get(sd, "wave", key, (str, type(None)), None))))
        if sources[-1].kind not in ("contacts", "calibration"):
            raise r.fail(f"{key}.kind", f"expected contacts or calibration, found {sources[-1].kind!r}")
    return {"name": name, "settings": settings, "sources": tuple(sources),
            "ignore": r.str_list(d, "ignore", "", ())}


def _opt_str(v: Any) -> str | None:
    return None if v is None else str(v)


def _parse_companies(d: Any) -> tuple[Company, ...]:
    r = _Reader("config/companies.yaml")
    out, seen_alias = [], {}
    for i, cd in enumerate(r.get(d, "companies", "", list)):
        key = f"companies[{i}]"
        c = Company(id=r.get(cd, "id", key, str), name=r.get(cd, "name", key, str),
                    role=r.get(cd, "role", key, str), aliases=r.str_list(cd, "aliases", key, ()),
                    first_wave=r.get(cd, "first_wave", key, (str, type(None)), None),
                    last_wave=r.get(cd, "last_wave", key, (str, type(None)), None))
        if c.role not in ROLES:
            raise r.fail(f"{key}.role", f"expected shop or competitor, found {c.role!r}")
        for a in (c.id, c.name, *c.aliases):
            n = normalise_token(a)
            if n in seen_alias and seen_alias[n] != c.id:
                raise r.fail(f"{key}.aliases", f"alias {a!r} maps to two companies: "
                             f"{seen_alias[n]!r} and {c.id!r}")
            seen_alias[n] = c.id
        out.append(c)
    if sum(c.role == "shop" for c in out) != 1:
        raise r.fail("companies", "exactly one company must have role 'shop'")
    if len({c.id for c in out}) != len(out):
        raise r.fail("companies", "company ids must be unique")
    return tuple(out)


def _parse_waves(d: Any) -> tuple[tuple[Wave, ...], dict[str, dict[str, str]]]:
    r = _Reader("config/waves.yaml")
    _, topic_labels = _declared(r, r.get(d, "topics", "", (list, dict), []), "topics")
    waves = []
    for i, wd in enumerate(r.get(d, "waves", "", list)):
        key = f"waves[{i}]"
        wid = str(r.get(wd, "id", key, str))
        if not WAVE_RE.match(wid):
            raise r.fail(f"{key}.id", f"expected YYYY-MM, found {wid!r}")
        start = _parse_date(r, r.get(wd, "start", key, (str, date)), f"{key}.start")
        end = _parse_date(r, r.get(wd, "end", key, (str, date)), f"{key}.end")
        if end < start:
            raise r.fail(f"{key}.end", f"field period ends ({end}) before it starts ({start})")
        trainings = []
        for j, td in enumerate(r.get(wd, "trainings_before", key, list, [])):
            tk = f"{key}.trainings_before[{j}]"
            topics = r.str_list(td, "topics", tk, ())
            for t in topics:
                if t not in topic_labels:
                    raise r.fail(f"{tk}.topics", f"undeclared topic {t!r}; declare it under "
                                 "'topics' with id, de and en" + _closest(t, topic_labels))
            trainings.append(Training(_parse_date(r, r.get(td, "date", tk, (str, date)), tk),
                                      topics, r.str_list(td, "addresses", tk, ())))
        waves.append(Wave(wid, start, end, tuple(trainings)))
    waves.sort(key=lambda w: w.id)
    for a, b in zip(waves, waves[1:], strict=False):
        if a.id == b.id:
            raise r.fail("waves", f"wave {a.id!r} is defined twice")
        if b.start <= a.end:
            raise r.fail(f"waves[{b.id}].start", f"field period {b.start}..{b.end} overlaps "
                         f"wave {a.id} ({a.start}..{a.end})")
    if not waves:
        raise r.fail("waves", "at least one wave is required")
    return tuple(waves), topic_labels


def _parse_grid(d: Any, wave_ids: list[str]):
    r = _Reader("config/grid.yaml")
    channels, chan_labels = _declared(r, r.get(d, "channels", "", (list, dict)), "channels")
    _, scenarios = _declared(r, r.get(d, "scenarios", "", (list, dict)), "scenarios")
    dims, dim_labels = _declared(r, r.get(d, "dimensions", "", (list, dict)), "dimensions")
    items, seen = [], {}
    for i, idict in enumerate(r.get(d, "items", "", list)):
        key = f"items[{i}]"
        item = _parse_item(r, idict, key, channels, tuple(scenarios), dims, wave_ids)
        for other in seen.get(item.id, []):
            overlap = [w for w in wave_ids if item.valid_in(w) and other.valid_in(w)]
            if overlap:
                raise r.fail(f"{key}.id", f"item {item.id!r} has two definitions valid in "
                             f"wave {overlap[0]} (use valid_from/valid_to for versions)")
        seen.setdefault(item.id, []).append(item)
        items.append(item)
    for k in r.str_list(d, "knockouts", "", ()):
        if k not in seen:
            raise r.fail("knockouts", f"knockout on unknown item {k!r}")
    knock = set(r.str_list(d, "knockouts", "", ()))
    items = [Item(**{**it.__dict__, "knockout": it.knockout or it.id in knock}) for it in items]
    claimed: dict[str, str] = {}
    for i, it in enumerate(items):
        if it.role is None:
            continue
        if claimed.setdefault(it.role, it.id) != it.id:
            raise r.fail(f"items[{i}].role", f"role {it.role!r} is claimed by two items: "
                         f"{claimed[it.role]!r} and {it.id!r}")
    return channels, chan_labels, scenarios, dim_labels, Grid(dims, tuple(items))


def _declared(r: _Reader, value: Any, key: str) -> tuple[tuple[str, ...],
                                                         dict[str, dict[str, str]]]:
    """Ids (declared order) and labels of a declaration list.

    Accepts ``[{id, de, en}, ...]``, ``{id: {de, en}}`` or bare ids (labelled by their id).
    """
    entries: list[tuple[str, Any, str]] = []
    if isinstance(value, dict):
        entries = [(str(k), v, f"{key}.{k}") for k, v in value.items()]
    else:
        for i, v in enumerate(value):
            k = f"{key}[{i}]"
            if isinstance(v, dict):
                entries.append((str(r.get(v, "id", k, (str, int))), v, k))
            elif isinstance(v, (str, int)):
                entries.append((str(v), None, k))
            else:
                raise r.fail(k, f"expected an id or {{id, de, en}}, found {v!r}")
    labels: dict[str, dict[str, str]] = {}
    for ident, v, k in entries:
        if ident in labels:
            raise r.fail(k, f"{ident!r} is declared twice")
        if isinstance(v, dict):
            bad = sorted(set(v) - {"id", "de", "en", "order"} - {x for x in v if len(str(x)) == 2})
            if bad:
                raise r.fail(f"{k}.{bad[0]}", "unknown key; expected id, de, en"
                             + _closest(bad[0], ("id", "de", "en")))
            labels[ident] = {str(lk): str(lv) for lk, lv in v.items() if lk not in ("id", "order")}
            labels[ident].setdefault("de", ident)
            labels[ident].setdefault("en", labels[ident]["de"])
        else:
            text = ident if v is None else str(v)
            labels[ident] = {"de": text, "en": text}
    order = [e[0] for e in entries]
    if all(isinstance(e[1], dict) and "order" in e[1] for e in entries) and entries:
        order = [e[0] for e in sorted(entries, key=lambda e: float(e[1]["order"]))]
    return tuple(order), {k: labels[k] for k in order}


def _closest(word: str, valid) -> str:
    """``"; did you mean 'x'?"`` for the closest valid key, or an empty string."""
    match = difflib.get_close_matches(str(word), [str(v) for v in valid], n=1, cutoff=0.6)
    return f"; did you mean {match[0]!r}?" if match else ""


def _parse_item(r: _Reader, d: Any, key: str, channels, scenarios, dims, wave_ids) -> Item:
    def subset(name: str, allowed: tuple[str, ...]) -> tuple[str, ...]:
        vals = r.str_list(d, name, key, "all")
        if vals == ("all",):
            return tuple(allowed)
        bad = [v for v in vals if v not in allowed]
        if bad:
            raise r.fail(f"{key}.{name}", f"unknown {name[:-1]} {bad[0]!r}; expected one of "
                         + ", ".join(allowed))
        return vals

    scale = r.get(d, "scale", key, str)
    if scale not in SCALES:
        raise r.fail(f"{key}.scale", f"unknown scale {scale!r}; expected one of {', '.join(SCALES)}")
    direction = r.get(d, "direction", key, str, "higher_is_better")
    if direction not in DIRECTIONS:
        raise r.fail(f"{key}.direction", f"expected higher_is_better or lower_is_better, "
                     f"found {direction!r}")
    if scale in ("grade6", "seconds", "hours") and direction != "lower_is_better":
        raise r.fail(f"{key}.direction", f"scale {scale} is lower-is-better by nature")
    weight = r.get(d, "weight", key, float, 1.0)
    if weight < 0:
        raise r.fail(f"{key}.weight", f"must be >= 0, found {weight:g}")
    dim = r.get(d, "dimension", key, str)
    if dim not in dims:
        raise r.fail(f"{key}.dimension", f"unknown dimension {dim!r}")
    thresholds: tuple[tuple[float, float], ...] = ()
    if scale in ("seconds", "hours"):
        raw_t = r.get(d, "thresholds", key, list)
        try:
            thresholds = tuple((float(a), float(b)) for a, b in raw_t)
        except (TypeError, ValueError):
            raise r.fail(f"{key}.thresholds", "expected a list of [limit, points] pairs") from None
        limits = [a for a, _ in thresholds]
        if limits != sorted(limits) or not all(0 <= b <= 1 for _, b in thresholds):
            raise r.fail(f"{key}.thresholds", "limits must ascend and points lie in [0, 1]")
    for k in ("valid_from", "valid_to"):
        v = d.get(k) if isinstance(d, dict) else None
        if v is not None and str(v) not in wave_ids:
            raise r.fail(f"{key}.{k}", f"unknown wave {v!r}")
    role = r.get(d, "role", key, (str, type(None)), None)
    if role is not None and role not in ITEM_ROLES:
        raise r.fail(f"{key}.role", f"unknown role {role!r}; expected one of "
                     + ", ".join(ITEM_ROLES) + _closest(role, ITEM_ROLES))
    if role is not None and scale not in ROLE_SCALES[role]:
        raise r.fail(f"{key}.scale", f"an item with role {role} needs scale "
                     + " or ".join(ROLE_SCALES[role]) + f", found {scale!r}")
    mapping = r.get(d, "core_mapping", key, dict, None)
    core_mapping = None
    if mapping is not None:
        try:
            core_mapping = tuple(sorted((float(k), float(v)) for k, v in mapping.items()))
        except (TypeError, ValueError):
            raise r.fail(f"{key}.core_mapping", "expected {value: points} numbers") from None
        if not all(0 <= p <= 1 for _, p in core_mapping):
            raise r.fail(f"{key}.core_mapping", "points must lie in [0, 1]")
    return Item(
        id=r.get(d, "id", key, str), dimension=dim,
        label_de=r.get(d, "label_de", key, str), label_en=r.get(d, "label_en", key, str),
        channels=subset("channels", channels), scenarios=subset("scenarios", scenarios),
        scale=scale, direction=direction, weight=weight,
        knockout=r.get(d, "knockout", key, bool, False), thresholds=thresholds,
        valid_from=None if d.get("valid_from") is None else str(d["valid_from"]),
        valid_to=None if d.get("valid_to") is None else str(d["valid_to"]),
        core_mapping=core_mapping, role=role,
    )


def _parse_export(d: Any, file: str) -> ExportMapping:
    r = _Reader(file)
    fmt = r.get(d, "format", "", str)
    if fmt not in ("csv", "xlsx"):
        raise r.fail("format", f"expected csv or xlsx, found {fmt!r}")
    cols_d = r.get(d, "columns", "", dict)
    columns = {str(k): r.str_list(cols_d, k, "columns") for k in cols_d}
    items_d = r.get(d, "items", "", dict)
    for k in items_d:
        columns[f"item:{k}"] = r.str_list(items_d, k, "items")

    def tokens(name: str, default: tuple[str, ...] = ()) -> frozenset[str]:
        return frozenset(normalise_token(t) for t in r.str_list(d, name, "", default))

    def value_map(name: str) -> dict[str, str]:
        m = r.get(d, name, "", dict, {})
        return {normalise_token(k): str(v) for k, v in m.items()}

    grade_words = {normalise_token(k): int(v) for k, v in r.get(d, "grade_words", "", dict, {}).items()}
    decimal = r.get(d, "decimal", "", str, ".")
    if decimal not in (".", ","):
        raise r.fail("decimal", f"expected '.' or ',', found {decimal!r}")
    wave_values = value_map("wave_values")
    if not r.get(d, "allow_wave_aliases", "", bool, False):
        by_wave: dict[str, str] = {}
        for label, wid in r.get(d, "wave_values", "", dict, {}).items():
            if str(wid) in by_wave:
                raise r.fail(f"wave_values.{label}", f"maps to wave {wid!r} like "
                             f"{by_wave[str(wid)]!r}: two labels for one wave (a copy-paste "
                             "slip would merge two waves); set allow_wave_aliases: true if "
                             "both labels are meant")
            by_wave[str(wid)] = str(label)
    wave_from = r.str_list(d, "wave_from", "", ())
    for w in wave_from:
        if w not in WAVE_FROM:
            raise r.fail("wave_from", f"unknown wave source {w!r}; expected any of "
                         + ", ".join(WAVE_FROM) + _closest(w, WAVE_FROM))
    thousands = r.get(d, "thousands", "", (str, type(None)), None)
    if thousands is not None and (thousands == decimal or thousands not in (".", ",", " ", "'",
                                                                           "\u202f", "\u00a0")):
        raise r.fail("thousands", f"expected one of '.', ',', ' ', \"'\" other than the decimal "
                     f"separator, or null; found {thousands!r}")
    return ExportMapping(
        id=r.get(d, "id", "", str), name=r.get(d, "name", "", str), format=fmt,
        encodings=r.str_list(d, "encoding", "", ("utf-8-sig",)),
        delimiter=r.get(d, "delimiter", "", str, ","), decimal=decimal,
        title_rows=r.get(d, "title_rows", "", int, 0),
        sheet=r.get(d, "sheet", "", (str, int, type(None)), None),
        date_formats=r.str_list(d, "date_formats", "", ("%Y-%m-%d",)),
        na_tokens=tokens("na_tokens"), yes_tokens=tokens("yes_tokens", ("ja", "yes")),
        no_tokens=tokens("no_tokens", ("nein", "no")),
        partly_tokens=tokens("partly_tokens", ("teilweise", "partly")),
        grade_words=grade_words, columns=columns,
        channel_values=value_map("channel_values"), scenario_values=value_map("scenario_values"),
        ignore_columns=r.str_list(d, "ignore_columns", "", ()),
        channels=r.str_list(d, "channels", "", ()), file=file,
        thousands=thousands, allow_short_rows=r.get(d, "allow_short_rows", "", bool, False),
        wave_values=wave_values, wave_from=wave_from,
    )


def _cross_check(cfg: StudyConfig) -> None:
    targets = {*cfg.grid.dimensions, *(i.id for i in cfg.grid.items)}
    for w in cfg.waves:
        for j, tr in enumerate(w.trainings_before):
            for a in tr.addresses:
                if a not in targets:
                    raise ConfigError("config/waves.yaml",
                                      f"waves[{w.id}].trainings_before[{j}].addresses",
                                      f"{a!r} is neither a dimension nor an item of "
                                      "config/grid.yaml" + _closest(a, targets))
    for sid, m in cfg.exports.items():
        r = _Reader(m.file)
        for col in CORE_COLUMNS:
            if col not in m.columns and not (col == "wave"):
                raise r.fail(f"columns.{col}", "required column mapping is missing")
        ids = {i.id for i in cfg.grid.items}
        chans = set(m.channels or cfg.channels)
        bad_ch = chans - set(cfg.channels)
        if bad_ch:
            raise r.fail("channels", f"unknown channel {sorted(bad_ch)[0]!r}")
        needed = {i.id for i in cfg.grid.items if chans & set(i.channels)}
        for i in sorted(needed):
            if f"item:{i}" not in m.columns:
                raise r.fail(f"items.{i}", "grid item has no column in this export mapping")
        for k in m.columns:
            if k.startswith("item:") and k[5:] not in ids:
                raise r.fail(f"items.{k[5:]}", "not an item of config/grid.yaml")
        for v in m.wave_values.values():
            if v not in cfg.wave_ids:
                raise r.fail("wave_values", f"maps to unknown wave {v!r}; configured waves: "
                             + ", ".join(cfg.wave_ids))
        if "column" in m.wave_from and "wave" not in m.columns:
            raise r.fail("wave_from", "names 'column' but columns.wave is not mapped")
        for v in m.channel_values.values():
            if v not in cfg.channels:
                raise r.fail("channel_values", f"maps to unknown channel {v!r}")
        for v in m.scenario_values.values():
            if v not in cfg.scenarios:
                raise r.fail("scenario_values", f"maps to unknown scenario {v!r}")
        del sid
    for i, s in enumerate(cfg.sources):
        if s.wave is not None and s.wave not in cfg.wave_ids:
            raise ConfigError("config/study.yaml", f"sources[{i}].wave",
                              f"unknown wave {s.wave!r}; configured waves: "
                              + ", ".join(cfg.wave_ids))
        if s.agency in cfg.exports and "source" in cfg.exports[s.agency].wave_from \
                and s.wave is None and s.kind == "contacts":
            raise ConfigError("config/study.yaml", f"sources[{i}].wave",
                              f"required: export mapping {s.agency!r} takes the wave from the "
                              "source (wave_from: source)")
        if s.agency not in cfg.exports:
            raise ConfigError("config/study.yaml", f"sources[{i}].agency",
                              f"no export mapping {s.agency!r} in config/exports/ (have: "
                              + ", ".join(sorted(cfg.exports)) + ")")
    for c in cfg.companies:
        for k in ("first_wave", "last_wave"):
            v = getattr(c, k)
            if v is not None and v not in cfg.wave_ids:
                raise ConfigError("config/companies.yaml", f"companies[{c.id}].{k}",
                                  f"unknown wave {v!r}")
