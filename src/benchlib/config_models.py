"""The configuration files as strict, frozen pydantic models: structure, keys and types.

Each YAML file under ``config/`` is validated against one model here (``extra="forbid"``,
``frozen``, strict types); :mod:`benchlib.config` then checks what relates values to each
other (a knockout names an item, waves do not overlap) and builds the study objects. The same
models give the JSON Schema of every file (``benchlib schema``) and the key tables of
``docs/configuration.md``.

A mistake becomes one :class:`~benchlib.errors.ConfigError` naming file, key path and, for an
unknown key, the closest valid one:

>>> validate_file(ItemModel, {"id": "a", "dimension": "d", "scale": "yes_no", "label_de": "",
...                           "label_en": "", "weigth": 1.5}, "config/grid.yaml", "items[3]")
Traceback (most recent call last):
...
benchlib.errors.ConfigError: config/grid.yaml: items[3].weigth: unknown key; did you mean 'weight'?
"""

from __future__ import annotations

import difflib
import types
import typing
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from benchlib.errors import ConfigError

DEFAULT_EVALUATOR_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,23}$"


def _scalar_to_str(v: Any) -> Any:
    """YAML reads ``1``, ``0`` or ``1.5`` as numbers; as tokens and labels they are text."""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return f"{v:g}" if isinstance(v, float) else str(v)
    return v


def _one_or_list(v: Any) -> Any:
    """A single value where a list is expected is a one-element list."""
    return [v] if isinstance(v, (str, int, float)) and not isinstance(v, bool) else v


def _label(v: Any) -> Any:
    """A bare id in a declaration list stands for ``{id: x}`` (labelled by its id)."""
    return {"id": v} if isinstance(v, (str, int)) and not isinstance(v, bool) else v


Text = Annotated[str, BeforeValidator(_scalar_to_str)]
TextList = Annotated[list[Text], BeforeValidator(_one_or_list)]
Day = Annotated[date, Field(strict=False)]  # YAML dates, or "2026-01-31" as text


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Label(_Model):
    """One declared dimension, scenario, channel or training topic."""

    id: Text = Field(description="id used in the data and the other config files")
    de: str | None = Field(None, description="German label (default: the id)")
    en: str | None = Field(None, description="English label (default: the German label)")
    order: float | None = Field(None, description="sort key; default: the order of the list")


Labels = list[Annotated[Label, BeforeValidator(_label)]]


# --------------------------------------------------------------------------- study.yaml
class Settings(_Model):
    min_coverage: float = Field(0.8, description="share of applicable weight that must be "
                                "answered for a contact to be scored, in (0, 1]")
    mail_window_h: float = Field(120.0, description="observation window for mail answers "
                                 "(hours); later or never = censored here")
    min_n: int = Field(10, description="groups below this are labelled 'too few contacts', "
                       "not tested")
    k_anonymity: int = Field(5, description="figures over fewer contacts are suppressed in "
                             "stakeholder reports (>= 3)")
    max_quarantine_share: float = Field(0.10, description="`benchlib clean` exits 1 above "
                                        "this share of quarantined rows")
    pseudonym_key_env: str = Field("BENCHLIB_PSEUDONYM_KEY", description="environment "
                                   "variable holding the HMAC key for agent pseudonyms")
    pseudonym_key_file: str | None = Field(None, description="file holding that key "
                                           "(outside the repository)")
    demo_pseudonym_key: str | None = Field(None, description="only for a fictional demo "
                                           "study; a real study must not set it")
    languages: TextList = Field(["de", "en"], description="report languages, in order")
    evaluator_pattern: str = Field(DEFAULT_EVALUATOR_PATTERN, description="regular "
                                   "expression every evaluator code must match")
    primary_endpoint: Literal["shop_vs_market", "change", "training"] = Field(
        "shop_vs_market", description="the one comparison per wave tested first (multiplicity "
        "policy): the shop's total vs the market, its change vs the previous wave, or the "
        "last training's net change vs the market (DiD); the others join a Holm family")


class SourceModel(_Model):
    glob: str = Field(description="raw files of this source (glob relative to data/raw)")
    agency: str = Field(description="id of the export mapping in config/exports/")
    kind: Literal["contacts", "calibration"] = Field("contacts", description="contacts or "
                                                     "calibration ratings")
    wave: Text | None = Field(None, description="the wave of every row of these files "
                              "(used where the mapping's wave_from names 'source')")


class StudyFile(_Model):
    """config/study.yaml"""

    name: str = Field(description="study name shown in reports")
    settings: Settings = Field(default_factory=Settings, description="study-wide settings")
    sources: list[SourceModel] = Field(description="which raw files belong to which export "
                                       "mapping; an unmatched raw file is an error")
    ignore: TextList = Field([], description="globs (relative to data/raw; `**/x` matches "
                             "`x` in any folder) of files deliberately not read, e.g. "
                             "`README.md`, `**/*.pdf`; listed as ignored in the "
                             "reconciliation. Any other file that matches no source is an "
                             "error")


# --------------------------------------------------------------------------- companies.yaml
class CompanyModel(_Model):
    id: Text = Field(description="company id")
    name: str = Field(description="display name")
    role: str = Field(description="shop (exactly one company) or competitor")
    aliases: TextList = Field([], description="spellings in exports (case and spaces "
                              "ignored; one alias may not map to two companies)")
    first_wave: Text | None = Field(None, description="first wave in the panel")
    last_wave: Text | None = Field(None, description="last wave in the panel")


class CompaniesFile(_Model):
    """config/companies.yaml"""

    companies: list[CompanyModel] = Field(description="the shop and its competitors")


# --------------------------------------------------------------------------- waves.yaml
class TrainingModel(_Model):
    date: Day = Field(description="day of the training")
    topics: TextList = Field([], description="topic ids declared under `topics`")
    addresses: TextList = Field([], description="dimension or item ids the training "
                                "addresses (the workshop's focus)")


class WaveModel(_Model):
    id: Text = Field(description="wave id YYYY-MM")
    start: Day = Field(description="first day of the field period")
    end: Day = Field(description="last day of the field period (periods may not overlap)")
    trainings_before: list[TrainingModel] = Field([], description="trainings held before "
                                                  "this wave")


class WavesFile(_Model):
    """config/waves.yaml"""

    topics: Labels = Field([], description="training topics: id, de, en")
    waves: list[WaveModel] = Field(description="the waves (field periods)")


# --------------------------------------------------------------------------- grid.yaml
def _all_or_list(v: Any) -> Any:
    return None if v == "all" else _one_or_list(v)


class ItemModel(_Model):
    id: Text = Field(description="item id (any scheme)")
    dimension: Text = Field(description="a declared dimension id")
    label_de: str = Field(description="German label")
    label_en: str = Field(description="English label")
    scale: str = Field(description="yes_no, yes_partly_no, likert5 (5 best), grade6 (1 "
                       "best), scale10, seconds or hours")
    direction: str = Field("higher_is_better", description="higher_is_better or "
                           "lower_is_better (grade and time scales are lower-is-better)")
    weight: float = Field(1.0, description="weight in the total and dimension scores, >= 0")
    knockout: bool = Field(False, description="a failed knockout sets the total to 0")
    role: str | None = Field(None, description="reachability, wait_time or "
                             "mail_response_time: what the code needs to know about it")
    channels: Annotated[list[Text] | None, BeforeValidator(_all_or_list)] = Field(
        None, description="channel ids the item applies to (`all`: every channel)")
    scenarios: Annotated[list[Text] | None, BeforeValidator(_all_or_list)] = Field(
        None, description="scenario ids the item applies to (`all`: every scenario)")
    thresholds: list[Annotated[list[float], Field(min_length=2, max_length=2)]] | None = Field(None, description="time items: "
                                                         "[[limit, points], ...] inclusive, "
                                                         "ascending")
    valid_from: Text | None = Field(None, description="first wave of this definition")
    valid_to: Text | None = Field(None, description="last wave of this definition")
    core_mapping: dict[float, float] | None = Field(None, description="on a changed "
                                                    "definition: {value: points} on the "
                                                    "previous scale (comparable core)")


class GridFile(_Model):
    """config/grid.yaml"""

    channels: Labels = Field(description="channels in report order: id, de, en")
    scenarios: Labels = Field(description="scenarios in report order: id, de, en")
    dimensions: Labels = Field(description="dimensions in report order: id, de, en")
    knockouts: TextList = Field([], description="ids of knockout items (or knockout: true)")
    items: list[ItemModel] = Field(description="one entry per item definition")


# --------------------------------------------------------------------------- exports/*.yaml
class ColumnsModel(_Model):
    contact_id: TextList = Field(description="header(s) of the contact id")
    wave: TextList | None = Field(None, description="header(s) of the wave (optional)")
    contact_date: TextList = Field(description="header(s) of the contact date")
    channel: TextList = Field(description="header(s) of the channel")
    scenario: TextList = Field(description="header(s) of the scenario")
    company: TextList = Field(description="header(s) of the company")
    evaluator: TextList = Field(description="header(s) of the evaluator code")
    agent_name: TextList | None = Field(None, description="agent name as noted (own shop)")
    comment: TextList | None = Field(None, description="free-text comment")
    recording_id: TextList | None = Field(None, description="recording id (calibration)")


class ExportFile(_Model):
    """config/exports/<agency>.yaml"""

    id: Text = Field(description="mapping id (named by sources[].agency)")
    name: str = Field(description="the agency and what it exports")
    format: Literal["csv", "xlsx", "ods"] = Field(
        description="csv (also TSV/TXT), xlsx or ods (OpenDocument spreadsheet)")
    channels: TextList = Field([], description="channel ids this agency exports (default: all)")
    encoding: TextList = Field(["utf-8-sig"], description="encodings tried in order (a BOM wins)")
    delimiter: str = Field(",", description="CSV delimiter (\\t for tab-separated)")
    decimal: Literal[".", ","] = Field(".", description="decimal mark")
    thousands: str | None = Field(None, description="thousands separator as written, or null")
    title_rows: int = Field(0, description="rows above the header")
    sheet: str | int | None = Field(None, description="XLSX/ODS sheet index or name")
    contact_id_normalise: str | None = Field(
        None, description="normalise contact ids before duplicates are matched: "
        "strip_leading_zeros or zero_pad:<width> (a collision after it is warned about)")
    allow_short_rows: bool = Field(False, description="a row with fewer cells than the "
                                   "header is padded instead of an error")
    date_formats: TextList = Field(["%Y-%m-%d"], description="strptime formats tried in order")
    na_tokens: TextList = Field([], description="tokens for not applicable")
    yes_tokens: TextList = Field(["ja", "yes"], description="tokens for yes")
    no_tokens: TextList = Field(["nein", "no"], description="tokens for no")
    partly_tokens: TextList = Field(["teilweise", "partly"], description="tokens for partly")
    grade_words: dict[Text, int] = Field({}, description="grade words -> school grade 1-6")
    wave_values: dict[Text, Text] = Field({}, description="wave label in the export -> wave id")
    allow_wave_aliases: bool = Field(False, description="allow two labels for one wave")
    wave_from: TextList = Field([], description="where a row's wave comes from: column, "
                                "source, date (all named must agree)")
    channel_values: dict[Text, Text] = Field({}, description="channel value -> channel id")
    scenario_values: dict[Text, Text] = Field({}, description="scenario value -> scenario id")
    columns: ColumnsModel = Field(description="canonical column -> header aliases")
    items: dict[Text, TextList] = Field(description="grid item id -> header aliases")
    ignore_columns: TextList = Field([], description="headers accepted and ignored")


FILE_MODELS: dict[str, type[_Model]] = {
    "study": StudyFile, "companies": CompaniesFile, "waves": WavesFile, "grid": GridFile,
    "export": ExportFile}


# --------------------------------------------------------------------------- errors
_TYPE_WORDS = {
    "float_type": "expected a number", "float_parsing": "expected a number",
    "int_type": "expected a whole number", "int_parsing": "expected a whole number",
    "int_from_float": "expected a whole number", "bool_type": "expected true or false",
    "bool_parsing": "expected true or false", "string_type": "expected text",
    "list_type": "expected a list", "tuple_type": "expected a [limit, points] pair",
    "dict_type": "expected a mapping (key: value)", "model_type": "expected a mapping (key: value)",
    "model_attributes_type": "expected a mapping (key: value)",
    "date_type": "expected a date YYYY-MM-DD", "date_parsing": "expected a date YYYY-MM-DD",
    "date_from_datetime_parsing": "expected a date YYYY-MM-DD",
    "too_short": "expected a [limit, points] pair", "too_long": "expected a [limit, points] pair",
}


def _unwrap(tp: Any) -> list[Any]:
    """The concrete types behind Annotated / Optional / unions."""
    origin = typing.get_origin(tp)
    if origin is Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for a in typing.get_args(tp) for t in _unwrap(a) if t is not type(None)]
    return [tp]


def _walk(model: type[BaseModel], loc: tuple) -> tuple[list[str], type[BaseModel] | None]:
    """Key path (pydantic's union tags dropped) and the model the last element belongs to."""
    path: list[str] = []
    current: list[Any] = [model]
    owner: type[BaseModel] | None = model
    for part in loc:
        nxt: list[Any] = []
        matched = False
        for tp in current:
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                if isinstance(part, str) and part in tp.model_fields:
                    nxt += _unwrap(tp.model_fields[part].annotation)
                    owner, matched = tp, True
                elif isinstance(part, str):
                    owner = tp
            elif typing.get_origin(tp) in (list, tuple) and isinstance(part, int):
                args = typing.get_args(tp)
                nxt += _unwrap(args[min(part, len(args) - 1)] if typing.get_origin(tp) is tuple
                               else args[0])
                matched = True
            elif typing.get_origin(tp) is dict:
                nxt += _unwrap(typing.get_args(tp)[1])
                matched = True
        if not matched and isinstance(part, str) and (
                part in ("str", "int", "float", "bool", "list", "dict", "none")
                or "[" in part or part[:1].isupper()):
            continue  # a union member's tag, not a key of the file
        path.append(f"[{part}]" if isinstance(part, int) else str(part))
        current = nxt or current
    return path, owner


def _key_path(prefix: str, parts: list[str]) -> str:
    out = prefix
    for p in parts:
        out += p if p.startswith("[") else (f".{p}" if out else p)
    return out or "(file)"


def format_error(model: type[BaseModel], err: ValidationError, file: str,
                 prefix: str = "") -> ConfigError:
    """One ConfigError for the first problem pydantic found (see module docstring)."""
    errors = err.errors(include_url=False)
    # an unknown key (a typo also makes its intended key "missing") is the likeliest
    # mistake, then a missing key; report them before type noise
    first = next((e for e in errors if e["type"] == "extra_forbidden"),
                 next((e for e in errors if e["type"] == "missing"), errors[0]))
    parts, owner = _walk(model, tuple(first["loc"]))
    key = _key_path(prefix, parts)
    kind = first["type"]
    if kind == "extra_forbidden":
        valid = list(owner.model_fields) if owner else []
        match = difflib.get_close_matches(str(first["loc"][-1]), valid, n=1, cutoff=0.5)
        hint = (f"; did you mean {match[0]!r}?" if match
                else "; valid keys: " + ", ".join(valid) if valid else "")
        return ConfigError(file, key, "unknown key" + hint)
    if kind == "missing":
        return ConfigError(file, key, "required key is missing")
    if kind == "literal_error":
        expected = first.get("ctx", {}).get("expected", "")
        options = [o.strip().strip("'") for o in expected.replace(" or ", ",").split(",")]
        match = difflib.get_close_matches(str(first["input"]), options, n=1, cutoff=0.5)
        hint = f"; did you mean {match[0]!r}?" if match else ""
        return ConfigError(file, key, f"expected {expected}, found {first['input']!r}{hint}")
    word = _TYPE_WORDS.get(kind, first["msg"])
    if kind == "string_type" and isinstance(first["input"], bool):
        return ConfigError(file, key, f"{word}, found {first['input']!r} (YAML reads unquoted "
                           "yes/no/on/off/true/false as a truth value: quote it, e.g. 'yes')")
    return ConfigError(file, key, f"{word}, found {first['input']!r}")


def validate_file(model: type[_Model], data: Any, file: str, prefix: str = "") -> Any:
    """``model`` validated from YAML ``data``, or one ConfigError (file, key path, problem)."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(file, prefix or "(file)", "expected a mapping (key: value), found "
                          f"{type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise format_error(model, err, file, prefix) from None


def json_schemas() -> dict[str, dict]:
    """JSON Schema of every config file, by file kind (for editor completion).

    >>> sorted(json_schemas())
    ['companies', 'export', 'grid', 'study', 'waves']
    """
    out = {}
    for name, model in FILE_MODELS.items():
        schema = model.model_json_schema(mode="validation")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = (model.__doc__ or name).strip()
        out[name] = schema
    return out


# --------------------------------------------------------------------------- reference docs
def _type_name(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is Annotated:
        return _type_name(typing.get_args(tp)[0])
    if origin in (typing.Union, types.UnionType):
        names = [_type_name(a) for a in typing.get_args(tp) if a is not type(None)]
        return " or ".join(names) + (" or null" if type(None) in typing.get_args(tp) else "")
    if origin is Literal:
        return " / ".join(repr(a) for a in typing.get_args(tp))
    if origin is list:
        return f"list of {_type_name(typing.get_args(tp)[0])}"
    if origin is dict:
        k, v = typing.get_args(tp)
        return f"map {_type_name(k)} → {_type_name(v)}"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return "mapping" if tp is not Label else "{id, de, en}"
    return {str: "text", int: "integer", float: "number", bool: "true/false",
            date: "date"}.get(tp, getattr(tp, "__name__", str(tp)))


def _rows(model: type[BaseModel], prefix: str) -> list[tuple[str, str, str, str]]:
    rows = []
    for name, f in model.model_fields.items():
        key = f"{prefix}{name}"
        value = (None if f.is_required() else
                 f.default_factory() if f.default_factory else f.default)
        default = ("required" if f.is_required() else "see below"
                   if isinstance(value, BaseModel) else "null" if value is None
                   else f"`{value!r}`")
        rows.append((key, _type_name(f.annotation), default.replace("|", "\\|"),
                     (f.description or "").replace("|", "\\|")))
        for tp in _unwrap(f.annotation):
            if typing.get_origin(tp) is list:
                tp = _unwrap(typing.get_args(tp)[0])[0]
                sub = f"{key}[]."
            else:
                sub = f"{key}."
            if isinstance(tp, type) and issubclass(tp, BaseModel) and tp is not Label:
                rows += _rows(tp, sub)
    return rows


FILE_NAMES = {"study": "config/study.yaml", "companies": "config/companies.yaml",
              "waves": "config/waves.yaml", "grid": "config/grid.yaml",
              "export": "config/exports/<agency>.yaml"}


def reference_markdown() -> str:
    """The key tables of docs/configuration.md, generated from the models.

    >>> "| `items[].weight` | number | `1.0` |" in reference_markdown()
    True
    """
    out = []
    for kind, model in FILE_MODELS.items():
        out.append(f"### `{FILE_NAMES[kind]}`\n")
        out.append(f"JSON Schema: `config/schema/{kind}.schema.json`\n")
        out.append("| key | type | default | meaning |\n|---|---|---|---|")
        for key, typ, default, desc in _rows(model, ""):
            out.append(f"| `{key}` | {typ} | {default} | {desc} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


GENERATED_BEGIN = "<!-- generated from benchlib.config_models: run `benchlib schema` -->"
GENERATED_END = "<!-- end of generated reference -->"


def write_schemas(config_dir: Path, docs_file: Path | None = None) -> list[Path]:
    """Write ``config/schema/<file>.schema.json`` and refresh the generated part of the docs.

    Files are rewritten only when their content changes (deterministic output).
    """
    import json

    written = []
    out = config_dir / "schema"
    out.mkdir(parents=True, exist_ok=True)
    for kind, schema in json_schemas().items():
        path = out / f"{kind}.schema.json"
        text = json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    if docs_file is not None and docs_file.is_file():
        doc = docs_file.read_text(encoding="utf-8")
        new = splice_reference(doc)
        if new != doc:
            docs_file.write_text(new, encoding="utf-8")
            written.append(docs_file)
    return written


def splice_reference(doc: str) -> str:
    """``doc`` with the text between the generated markers replaced by the reference."""
    head, sep, rest = doc.partition(GENERATED_BEGIN)
    if not sep:
        return doc
    _, sep2, tail = rest.partition(GENERATED_END)
    return head + GENERATED_BEGIN + "\n\n" + reference_markdown() + "\n" + GENERATED_END + tail
