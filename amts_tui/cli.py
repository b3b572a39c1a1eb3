"""`amts-tui`: one argparse parser, a subcommand per task, the dashboard when none is named.

    amts-tui [BOOK] [--demo] [--config FILE]          the dashboard
    amts-tui --auto [--demo | --config FILE] [--resume]  the experiment, headless
    amts-tui COMMAND ...                              align | evaluate | sync | serve-local

Each command module (`*_cmd.py`) gives `add_arguments(parser)` and `run(args) -> exit status`
and holds only argument handling and printing; the work is the engine's. Exit statuses are
`amts.tui.exit_status.ExitStatus`. Textual is imported only for the dashboard, so the
subcommands never pay for it. Every user error is an AmtsError shown as one line, never a traceback.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from amts.engine.errors import AmtsError
from amts.tui import align_cmd, evaluate_cmd, serve_cmd, sync_cmd
from amts.tui.exit_status import ExitStatus

#: Subcommand → (one-line help, its module).
COMMANDS = {
    "align": ("parallel data from a translated book (CSV, TSV, TMX, JSONL)", align_cmd),
    "evaluate": ("BLEU and chrF of two trees of Markdown files", evaluate_cmd),
    "sync": ("plan (and with --write apply) a sync with the new upstream source", sync_cmd),
    "serve-local": ("run the local S3 and Translate-compatible endpoints in the foreground", serve_cmd),
}
SUBCOMMANDS = {name: text for name, (text, _) in COMMANDS.items()}

_USAGE = ("amts-tui [BOOK] [--demo] [--auto] [--config FILE] [--resume]\n"
          "       amts-tui COMMAND [options]   (amts-tui COMMAND --help)")
#: Options of the dashboard / headless run that take a value (to find BOOK among the arguments).
_VALUE_OPTIONS = ("--config", "--max-cost")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="amts-tui", usage=_USAGE,
        description="Auto Machine Translation and Synchronization for d2lbook books. Without a "
                    "command: the dashboard (on BOOK, a d2lbook translation repo, if given), or with "
                    "--auto the configured experiment headless.")
    parser.add_argument("--demo", action="store_true", help="use sample_data/ and the local backend")
    parser.add_argument("--auto", action="store_true", help="run the configured pipeline headless")
    parser.add_argument("--config", type=Path, metavar="FILE", help="amts.toml (default: built-in defaults)")
    parser.add_argument("--resume", action="store_true", help="re-attach to the jobs of an interrupted run")
    parser.add_argument("--max-cost", type=float, metavar="USD",
                        help="with --auto: refuse a run estimated above USD (default: limits.max_cost_usd)")
    commands = parser.add_subparsers(dest="command", title="subcommands (amts-tui COMMAND --help)",
                                     metavar="COMMAND")
    for name, (text, module) in COMMANDS.items():
        sub = commands.add_parser(name, prog=f"amts-tui {name}", help=text, description=module.DESCRIPTION)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser


def _take_book(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[Path | None, list[str]]:
    """The dashboard's BOOK, taken out of `argv`: the first positional argument when it is not a
    subcommand. A word close to a subcommand that is no folder is a typo: a usage error saying so."""
    index = 0
    while index < len(argv):
        word = argv[index]
        if word == "--":
            index += 1
            break
        if word.startswith("-"):
            index += 2 if word in _VALUE_OPTIONS else 1
            continue
        break
    if index >= len(argv) or argv[index] in COMMANDS:
        return None, argv
    word = argv[index]
    close = difflib.get_close_matches(word, COMMANDS, n=1, cutoff=0.6)
    if close and not Path(word).exists():
        parser.error(f"unknown command {word!r} (did you mean {close[0]!r}?)")
    return Path(word), argv[:index] + argv[index + 1:]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    book, argv = _take_book(parser, argv)
    args = parser.parse_args(argv)
    try:
        if args.command is not None:
            return int(args.run(args))
        if args.auto:
            from amts.tui.headless import run_headless

            return int(run_headless(args.config, demo=args.demo, resume=args.resume, max_cost_usd=args.max_cost))
        from amts.tui.app import run_app

        return run_app(book=book, demo=args.demo, config_path=args.config)
    except AmtsError as exc:
        print(f"amts-tui: error: {exc}", file=sys.stderr)
        return ExitStatus.USAGE
    except KeyboardInterrupt:
        print("amts-tui: interrupted", file=sys.stderr)
        return ExitStatus.INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
