"""The ``benchlib`` command line.

Exit codes: 0 ok; 1 data problems above the configured threshold (or a failed
reconciliation / report); 2 usage, configuration or unreadable input. Heavy libraries are
imported only inside the commands, so ``benchlib --help`` starts fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

DESCRIPTION = """\
benchlib: mystery-shopping score sheets -> validated, scored contacts -> benchmark reports.

commands:
  clean      read data/raw, validate, score, write data/processed (atomic, reproducible);
             does nothing when no raw file, configuration file or benchlib itself changed
  validate   the same checks as clean, but write nothing (dry run)
  example    regenerate the fictional example study in data/raw (deterministic)
  waves      list the configured waves
  init       draft config/ from an unseen export (never overwrites): benchlib init --from FILE
  schema     write config/schema/*.schema.json and the key tables of docs/configuration.md
  report     build the HTML reports of one wave into reports/<wave>/<lang>/
  reports    build the reports of every wave in every configured language (one job pool)

exit codes: 0 ok, 1 too many quarantined rows / failed run, 2 usage or config error.
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="benchlib", description=DESCRIPTION,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--root", help="project folder (default: found from the working directory)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name, helptext in (("clean", "clean + score data/raw into data/processed"),
                           ("validate", "check data/raw and config; write nothing")):
        c = sub.add_parser(name, help=helptext, description=helptext)
        c.add_argument("--max-quarantine-share", type=float, default=None,
                       help="exit 1 when more than this share of rows is quarantined "
                            "(default: settings.max_quarantine_share in config/study.yaml)")
        c.add_argument("--quiet", action="store_true", help="print only the totals")
        if name == "clean":
            c.add_argument("--force", action="store_true",
                           help="re-clean even when the processed data is up to date")
    e = sub.add_parser("example", help="regenerate the example study's raw exports")
    e.add_argument("--seed", type=int, default=None, help="random seed (default: the shipped one)")
    sub.add_parser("waves", help="print the configured wave ids, one per line")
    i = sub.add_parser("init", help="draft config/ (export mapping, grid skeleton) from an "
                       "unseen export; never overwrites a file")
    i.add_argument("--from", dest="source", required=True, help="the export file (CSV/TSV/"
                   "TXT/XLSX), ideally already in data/raw/")
    i.add_argument("--agency", default=None, help="id of the export mapping (default: from "
                   "the file name)")
    sub.add_parser("schema", help="write config/schema/*.schema.json and refresh "
                   "docs/configuration.md from the config models")
    r = sub.add_parser("report", help="build reports/<wave>/<lang>/ (HTML, JSON, XLSX)")
    r.add_argument("--wave", required=True, help="wave id, e.g. 2026-10")
    rs = sub.add_parser("reports", help="build the reports of every wave and language")
    rs.add_argument("--waves", nargs="*", default=None, help="only these waves (default: all)")
    for c in (r, rs):
        c.add_argument("--lang", default=None, help="only this report language (default: "
                       "every language of settings.languages)")
        c.add_argument("--notebooks", nargs="*", default=None,
                       help="only these notebooks (stems)")
        c.add_argument("--force", action="store_true",
                       help="rebuild even when the reports are up to date")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
        return 2
    from benchlib.errors import BenchlibError

    try:
        return _COMMANDS[args.command](args)
    except BenchlibError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)  # every writer renames last: nothing half-written
        return 130
    except OSError as err:  # permission, read-only folder, disk full, ...
        from benchlib.errors import os_error_message

        print(f"error: {os_error_message(err)}", file=sys.stderr)
        return 2
    except Exception as err:  # never a traceback for the user; BENCHLIB_DEBUG=1 shows it
        import os

        if os.environ.get("BENCHLIB_DEBUG"):
            raise
        print(f"error: internal error ({type(err).__name__}: {err}); this is a bug in "
              "benchlib, please report it (BENCHLIB_DEBUG=1 shows the traceback)",
              file=sys.stderr)
        return 1


def _up_to_date(args: argparse.Namespace) -> int | None:
    """Exit code when the processed data is up to date (checked by content), else None."""
    from pathlib import Path

    from benchlib.generation import stale_reasons
    from benchlib.paths import get_paths

    paths = get_paths(Path(args.root) if args.root else None)
    reasons = stale_reasons(paths)
    if reasons:
        if not args.quiet and reasons != ["no processed data yet"]:
            more = f" (+{len(reasons) - 5} more)" if len(reasons) > 5 else ""
            print("re-cleaning: " + "; ".join(reasons[:5]) + more)
        return None
    import json

    current = paths.current
    manifest = json.loads((current / "manifest.json").read_text(encoding="utf-8"))
    t = manifest["totals"]
    print(f"data/processed is up to date ({current.name}): no raw file, configuration file or "
          "benchlib changed (`benchlib clean --force` re-cleans)")
    return _share_exit(args, t, manifest.get("max_quarantine_share"))


def _share_exit(args: argparse.Namespace, t: dict, configured: float | None = None) -> int:
    """1 when more rows than the configured share were quarantined."""
    share = (t["quarantined"] + t["calibration_quarantined"]) / max(t["raw_rows"], 1)
    limit = args.max_quarantine_share
    if limit is None and configured is not None:
        limit = configured  # from the manifest: the configuration is unchanged
    if limit is None:
        from benchlib.config import load_config

        limit = load_config(args.root).settings.max_quarantine_share
    if share > limit:
        print(f"error: {share:.1%} of rows quarantined (limit {limit:.1%})", file=sys.stderr)
        return 1
    return 0


def _clean(args: argparse.Namespace, write: bool = True) -> int:
    if write and not args.force:
        code = _up_to_date(args)
        if code is not None:
            return code
    from benchlib.pipeline import run_pipeline

    result = run_pipeline(args.root, write=write)
    rec = result.reconciliation()
    if not args.quiet:
        print(rec.drop(columns=["reconciled"]).to_string(index=False))
        if len(result.quarantine):
            where = (f"data/processed/{result.generation.name}/quarantine.csv"
                     if result.generation else "quarantine.csv, written by `benchlib clean`")
            print(f"\nquarantined (see {where}):")
            print(result.quarantine.groupby("reason").size().to_string())
        if len(result.corrections):
            print(f"\ncorrections applied: {len(result.corrections)}")
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    for r in result.unmatched_corrections.itertuples(index=False):
        print(f"warning: config/corrections.csv: correction of {r.contact_id}.{r.column} "
              "changed nothing: the contact id (or column) occurs in no export", file=sys.stderr)
    t = result.totals
    print(f"\nrows read {t['raw_rows']} = contacts {t['contacts']} + quarantined "
          f"{t['quarantined']} + duplicates dropped {t['duplicates_dropped']} + calibration "
          f"{t['calibration_ratings']} (+{t['calibration_quarantined']} quarantined): reconciled")
    if result.generation is not None:
        print(f"wrote data/processed/{result.generation.name} (now current)")
    return _share_exit(args, t, result.max_quarantine_share)  # the run's configuration


def _validate(args: argparse.Namespace) -> int:
    from benchlib.onboarding import report_todos

    if report_todos(args.root):  # decisions left in config/: list them, key by key
        return 2
    return _clean(args, write=False)


def _init(args: argparse.Namespace) -> int:
    from benchlib.onboarding import init_from_export

    init_from_export(args.source, root=args.root, agency=args.agency)
    return 0


def _schema(args: argparse.Namespace) -> int:
    from benchlib.config_models import write_schemas
    from benchlib.paths import get_paths

    paths = get_paths(args.root)
    docs = paths.root / "docs" / "configuration.md"
    for p in write_schemas(paths.config, docs if docs.is_file() else None):
        print(p.relative_to(paths.root).as_posix())
    return 0


def _example(args: argparse.Namespace) -> int:
    from benchlib.example import SEED, generate_example

    for p in generate_example(args.root, seed=args.seed if args.seed is not None else SEED):
        print(p)
    return 0


def _waves(args: argparse.Namespace) -> int:
    from benchlib.config import load_config

    print("\n".join(load_config(args.root).wave_ids))
    return 0


def _report(args: argparse.Namespace) -> int:
    from benchlib.report import build_reports

    waves = [args.wave] if getattr(args, "wave", None) else getattr(args, "waves", None)
    build_reports(waves, [args.lang] if args.lang else None, root=args.root,
                  only=args.notebooks, force=args.force)
    return 0


_COMMANDS = {"clean": _clean, "validate": _validate, "example": _example, "waves": _waves,
             "report": _report, "reports": _report, "init": _init, "schema": _schema}

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
