"""Study configuration: companies, waves, scenarios, channels, rating grid, export mappings.

Everything a study varies lives in ``config/`` as human-edited YAML and is validated here on
load; a mistake stops with one :class:`~benchlib.errors.ConfigError` naming file and key.
YAML is read with safe types only (:func:`benchlib.yamlio.safe_load`).

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

from benchlib.config_models import (
    DEFAULT_EVALUATOR_PATTERN,
    CompaniesFile,
    ExportFile,
    GridFile,
    ItemModel,
    Label,
    StudyFile,
    WavesFile,
    validate_file,
)
from benchlib.errors import ConfigError
from benchlib.paths import get_paths
from benchlib.scales import SCALE_NAMES
from benchlib.scales import SCALES as SCALE_TYPES
from benchlib.yamlio import safe_load

SCALES = SCALE_NAMES  # defined once in benchlib.scales
DIRECTIONS = ("higher_is_better", "lower_is_better")
ROLES = ("shop", "competitor")
# what the code needs to know about an item, by role (never by its id); each role at most once
ITEM_ROLES = ("reachability", "wait_time", "mail_response_time")
ROLE_SCALES = {"reachability": ("yes_no",), "wait_time": ("seconds",),
               "mail_response_time": ("hours",)}
LABEL_KINDS = ("dimension", "scenario", "channel", "item", "company", "training")
THOUSANDS = (".", ",", " ", "'", "\u202f", "\u00a0")
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
    contact_id_normalise: str | None = None  # "strip_leading_zeros" | "zero_pad:<width>"
    thousands: str | None = None  # thousands separator as the agency writes numbers, or None
    allow_short_rows: bool = False  # rows with fewer cells than the header are padded, not errors
    wave_values: dict[str, str] = field(default_factory=dict)  # normalised label -> wave id
    # where a row's wave comes from: any of column, source, date; all named must agree
    wave_from: tuple[str, ...] = ()
    wave_labels: tuple[str, ...] = ()  # the wave labels as written in wave_values (messages)


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
    primary_endpoint: str = "shop_vs_market"  # shop_vs_market | change | training


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

    def evaluator_ok(self, code: object) -> bool:
        """Whether ``code`` is a valid evaluator code (``settings.evaluator_pattern``).

        >>> cfg = load_config()
        >>> cfg.evaluator_ok("E05"), cfg.evaluator_ok("Anna Berger")
        (True, False)
        """
        return re.fullmatch(self.settings.evaluator_pattern, str(code).strip()) is not None

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
class _Fail:
    """ConfigError factory for one file."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(self.file, key, message)


def _load_yaml(path: Path, root: Path) -> Any:
    rel = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
    if not path.is_file():
        raise ConfigError(rel, "(file)", "file not found")
    try:
        return safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "(file)"
        raise ConfigError(rel, where, f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    except UnicodeDecodeError:
        raise ConfigError(rel, "(file)", "not UTF-8 text") from None


def load_config(root: Path | str | None = None) -> StudyConfig:
    """Load and validate the study configuration under ``<root>/config``.

    Each file is validated by its model in :mod:`benchlib.config_models` (keys, types), then
    the relations between values are checked here.

    >>> load_config().grid.dimensions[:3]
    ('reachability', 'greeting', 'needs')
    """
    paths = get_paths(Path(root) if root else None)
    cdir = paths.config
    files = {n: cdir / f"{n}.yaml" for n in ("study", "companies", "waves", "grid")}
    raw = {n: _load_yaml(p, paths.root) for n, p in files.items()}
    study = _parse_study(validate_file(StudyFile, raw["study"], "config/study.yaml"))
    companies = _parse_companies(validate_file(CompaniesFile, raw["companies"],
                                               "config/companies.yaml"))
    waves, topic_labels = _parse_waves(validate_file(WavesFile, raw["waves"],
                                                     "config/waves.yaml"))
    channels, chan_labels, scenarios, dim_labels, grid = _parse_grid(
        validate_file(GridFile, raw["grid"], "config/grid.yaml"), [w.id for w in waves])
    export_files = sorted((cdir / "exports").glob("*.yaml"))
    exports = {}
    for p in export_files:
        file = f"config/exports/{p.name}"
        m = _parse_export(validate_file(ExportFile, _load_yaml(p, paths.root), file), file)
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


def _parse_study(d: StudyFile) -> dict[str, Any]:
    r = _Fail("config/study.yaml")
    s = d.settings
    settings = Settings(**{**s.model_dump(), "languages": tuple(s.languages)})
    if not 0 < settings.min_coverage <= 1:
        raise r.fail("settings.min_coverage", f"must be in (0, 1], found {settings.min_coverage}")
    if settings.k_anonymity < 3:
        raise r.fail("settings.k_anonymity", f"must be >= 3, found {settings.k_anonymity}")
    if settings.mail_window_h <= 0:
        raise r.fail("settings.mail_window_h", "must be > 0")
    try:
        re.compile(settings.evaluator_pattern)
    except re.error as exc:
        raise r.fail("settings.evaluator_pattern", f"not a valid regular expression: {exc}") from None
    if not settings.languages:
        raise r.fail("settings.languages", "at least one language is required")
    sources = tuple(Source(glob=x.glob, agency=x.agency, kind=x.kind, wave=x.wave)
                    for x in d.sources)
    return {"name": d.name, "settings": settings, "sources": sources,
            "ignore": tuple(d.ignore)}


def _parse_companies(d: CompaniesFile) -> tuple[Company, ...]:
    r = _Fail("config/companies.yaml")
    out, seen_alias = [], {}
    for i, cd in enumerate(d.companies):
        key = f"companies[{i}]"
        c = Company(id=cd.id, name=cd.name, role=cd.role, aliases=tuple(cd.aliases),
                    first_wave=cd.first_wave, last_wave=cd.last_wave)
        if c.role not in ROLES:
            raise r.fail(f"{key}.role", f"expected shop or competitor, found {c.role!r}"
                         + _closest(c.role, ROLES))
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


def _parse_waves(d: WavesFile) -> tuple[tuple[Wave, ...], dict[str, dict[str, str]]]:
    r = _Fail("config/waves.yaml")
    _, topic_labels = _declared(r, d.topics, "topics")
    waves = []
    for i, wd in enumerate(d.waves):
        key = f"waves[{i}]"
        if not WAVE_RE.match(wd.id):
            raise r.fail(f"{key}.id", f"expected YYYY-MM, found {wd.id!r}")
        if wd.end < wd.start:
            raise r.fail(f"{key}.end", f"field period ends ({wd.end}) before it starts "
                         f"({wd.start})")
        trainings = []
        for j, td in enumerate(wd.trainings_before):
            tk = f"{key}.trainings_before[{j}]"
            for t in td.topics:
                if t not in topic_labels:
                    raise r.fail(f"{tk}.topics", f"undeclared topic {t!r}; declare it under "
                                 "'topics' with id, de and en" + _closest(t, topic_labels))
            trainings.append(Training(td.date, tuple(td.topics), tuple(td.addresses)))
        waves.append(Wave(wd.id, wd.start, wd.end, tuple(trainings)))
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


def _parse_grid(d: GridFile, wave_ids: list[str]):
    r = _Fail("config/grid.yaml")
    channels, chan_labels = _declared(r, d.channels, "channels")
    _, scenarios = _declared(r, d.scenarios, "scenarios")
    dims, dim_labels = _declared(r, d.dimensions, "dimensions")
    items, seen = [], {}
    for i, idef in enumerate(d.items):
        key = f"items[{i}]"
        item = _parse_item(r, idef, key, channels, tuple(scenarios), dims, wave_ids)
        for other in seen.get(item.id, []):
            overlap = [w for w in wave_ids if item.valid_in(w) and other.valid_in(w)]
            if overlap:
                raise r.fail(f"{key}.id", f"item {item.id!r} has two definitions valid in "
                             f"wave {overlap[0]} (use valid_from/valid_to for versions)")
        seen.setdefault(item.id, []).append(item)
        items.append(item)
    for k in d.knockouts:
        if k not in seen:
            raise r.fail("knockouts", f"knockout on unknown item {k!r}" + _closest(k, seen))
    knock = set(d.knockouts)
    items = [Item(**{**it.__dict__, "knockout": it.knockout or it.id in knock}) for it in items]
    claimed: dict[str, str] = {}
    for i, it in enumerate(items):
        if it.role is None:
            continue
        if claimed.setdefault(it.role, it.id) != it.id:
            raise r.fail(f"items[{i}].role", f"role {it.role!r} is claimed by two items: "
                         f"{claimed[it.role]!r} and {it.id!r}")
    return channels, chan_labels, scenarios, dim_labels, Grid(dims, tuple(items))


def _declared(r: _Fail, entries: list[Label], key: str) -> tuple[tuple[str, ...],
                                                                dict[str, dict[str, str]]]:
    """Ids (declared order, or ``order`` where every entry has one) and their labels."""
    labels: dict[str, dict[str, str]] = {}
    for i, e in enumerate(entries):
        if e.id in labels:
            raise r.fail(f"{key}[{i}].id", f"{e.id!r} is declared twice")
        de = e.de if e.de is not None else e.id
        labels[e.id] = {"de": de, "en": e.en if e.en is not None else de}
    order = [e.id for e in entries]
    if entries and all(e.order is not None for e in entries):
        order = [e.id for e in sorted(entries, key=lambda e: e.order)]
    return tuple(order), {k: labels[k] for k in order}


def _closest(word: str, valid) -> str:
    """``"; did you mean 'x'?"`` for the closest valid key, or an empty string."""
    match = difflib.get_close_matches(str(word), [str(v) for v in valid], n=1, cutoff=0.6)
    return f"; did you mean {match[0]!r}?" if match else ""


def _parse_item(r: _Fail, d: ItemModel, key: str, channels, scenarios, dims, wave_ids) -> Item:
    def subset(name: str, vals: list[str] | None, allowed: tuple[str, ...]) -> tuple[str, ...]:
        if vals is None:
            return tuple(allowed)
        bad = [v for v in vals if v not in allowed]
        if bad:
            raise r.fail(f"{key}.{name}", f"unknown {name[:-1]} {bad[0]!r}; expected one of "
                         + ", ".join(allowed) + _closest(bad[0], allowed))
        return tuple(vals)

    scale = d.scale
    if scale not in SCALES:
        raise r.fail(f"{key}.scale", f"unknown scale {scale!r}; expected one of "
                     f"{', '.join(SCALES)}" + _closest(scale, SCALES))
    direction = d.direction
    if direction not in DIRECTIONS:
        raise r.fail(f"{key}.direction", f"expected higher_is_better or lower_is_better, "
                     f"found {direction!r}" + _closest(direction, DIRECTIONS))
    if SCALE_TYPES[scale].lower_is_better and direction != "lower_is_better":
        raise r.fail(f"{key}.direction", f"scale {scale} is lower-is-better by nature")
    if d.weight < 0:
        raise r.fail(f"{key}.weight", f"must be >= 0, found {d.weight:g}")
    if d.dimension not in dims:
        raise r.fail(f"{key}.dimension", f"unknown dimension {d.dimension!r}"
                     + _closest(d.dimension, dims))
    thresholds: tuple[tuple[float, float], ...] = ()
    if SCALE_TYPES[scale].timed:
        if d.thresholds is None:
            raise r.fail(f"{key}.thresholds", "required key is missing (time items need "
                         "[[limit, points], ...])")
        thresholds = tuple((float(a), float(b)) for a, b in d.thresholds)
        limits = [a for a, _ in thresholds]
        if limits != sorted(limits) or not all(0 <= b <= 1 for _, b in thresholds):
            raise r.fail(f"{key}.thresholds", "limits must ascend and points lie in [0, 1]")
    for k in ("valid_from", "valid_to"):
        v = getattr(d, k)
        if v is not None and v not in wave_ids:
            raise r.fail(f"{key}.{k}", f"unknown wave {v!r}")
    core_mapping = None
    if d.core_mapping is not None:
        core_mapping = tuple(sorted(d.core_mapping.items()))
        if not all(0 <= p <= 1 for _, p in core_mapping):
            raise r.fail(f"{key}.core_mapping", "points must lie in [0, 1]")
    role = d.role
    if role is not None and role not in ITEM_ROLES:
        raise r.fail(f"{key}.role", f"unknown role {role!r}; expected one of "
                     + ", ".join(ITEM_ROLES) + _closest(role, ITEM_ROLES))
    if role is not None and scale not in ROLE_SCALES[role]:
        raise r.fail(f"{key}.scale", f"an item with role {role} needs scale "
                     + " or ".join(ROLE_SCALES[role]) + f", found {scale!r}")
    return Item(
        id=d.id, dimension=d.dimension, label_de=d.label_de, label_en=d.label_en,
        channels=subset("channels", d.channels, channels),
        scenarios=subset("scenarios", d.scenarios, scenarios),
        scale=scale, direction=direction, weight=float(d.weight), knockout=d.knockout,
        thresholds=thresholds, valid_from=d.valid_from, valid_to=d.valid_to,
        core_mapping=core_mapping, role=role,
    )


def _parse_export(d: ExportFile, file: str) -> ExportMapping:
    r = _Fail(file)
    columns = {k: tuple(v) for k, v in d.columns.model_dump().items() if v is not None}
    for k, v in d.items.items():
        columns[f"item:{k}"] = tuple(v)

    def tokens(values: list[str]) -> frozenset[str]:
        return frozenset(normalise_token(t) for t in values)

    def value_map(m: dict[str, str]) -> dict[str, str]:
        return {normalise_token(k): v for k, v in m.items()}

    if not d.allow_wave_aliases:
        by_wave: dict[str, str] = {}
        for label, wid in d.wave_values.items():
            if wid in by_wave:
                raise r.fail(f"wave_values.{label}", f"maps to wave {wid!r} like "
                             f"{by_wave[wid]!r}: two labels for one wave (a copy-paste "
                             "slip would merge two waves); set allow_wave_aliases: true if "
                             "both labels are meant")
            by_wave[wid] = label
    for w in d.wave_from:
        if w not in WAVE_FROM:
            raise r.fail("wave_from", f"unknown wave source {w!r}; expected any of "
                         + ", ".join(WAVE_FROM) + _closest(w, WAVE_FROM))
    if d.thousands is not None and (d.thousands == d.decimal or d.thousands not in THOUSANDS):
        raise r.fail("thousands", f"expected one of '.', ',', ' ', \"'\" other than the decimal "
                     f"separator, or null; found {d.thousands!r}")
    for word, grade in d.grade_words.items():
        if not 1 <= grade <= 6:
            raise r.fail(f"grade_words.{word}", f"expected a school grade 1-6, found {grade}")
    return ExportMapping(
        id=d.id, name=d.name, format=d.format, encodings=tuple(d.encoding),
        delimiter=d.delimiter, decimal=d.decimal, title_rows=d.title_rows, sheet=d.sheet,
        date_formats=tuple(d.date_formats), na_tokens=tokens(d.na_tokens),
        yes_tokens=tokens(d.yes_tokens), no_tokens=tokens(d.no_tokens),
        partly_tokens=tokens(d.partly_tokens),
        grade_words={normalise_token(k): v for k, v in d.grade_words.items()}, columns=columns,
        channel_values=value_map(d.channel_values), scenario_values=value_map(d.scenario_values),
        ignore_columns=tuple(d.ignore_columns), channels=tuple(d.channels), file=file,
        thousands=d.thousands, allow_short_rows=d.allow_short_rows,
        wave_values=value_map(d.wave_values), wave_from=tuple(d.wave_from),
        wave_labels=tuple(d.wave_values),
        contact_id_normalise=_id_rule(r, d.contact_id_normalise),
    )


def _id_rule(r: _Fail, rule: str | None) -> str | None:
    if rule is None or rule == "strip_leading_zeros" or (
            rule.startswith("zero_pad:") and rule[9:].isdigit() and 0 < int(rule[9:]) <= 32):
        return rule
    raise r.fail("contact_id_normalise", "expected strip_leading_zeros or zero_pad:<width> "
                 f"(e.g. zero_pad:5), found {rule!r}")


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
        r = _Fail(m.file)
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
