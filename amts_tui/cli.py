"""`amts-tui`: the dashboard, the headless run, and the subcommands for scripting.

Subcommands import only what they need, so that `amts-tui align` never pays for Textual.
Every user error is an AmtsError shown as one line, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from amts.engine.errors import AmtsError

SUBCOMMANDS = {
    "align": "parallel data from a translated book (CSV, TSV, TMX, JSONL)",
    "evaluate": "BLEU and chrF of two trees of Markdown files",
    "sync": "plan (and with --write apply) a sync with the new upstream source",
    "serve-local": "run the local S3 and Translate-compatible endpoints in the foreground",
}

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE = 0, 1, 2


def _main_parser() -> argparse.ArgumentParser:
    epilog = "subcommands (amts-tui COMMAND --help):\n" + "\n".join(
        f"  {name:<12} {text}" for name, text in SUBCOMMANDS.items()
    )
    p = argparse.ArgumentParser(
        prog="amts-tui",
        description="Auto Machine Translation and Synchronization for d2lbook books.",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("book", nargs="?", type=Path, help="a d2lbook translation repo to open")
    p.add_argument("--demo", action="store_true", help="use sample_data/ and the local backend")
    p.add_argument("--auto", action="store_true", help="run the configured pipeline headless")
    p.add_argument("--config", type=Path, help="amts.toml (default: built-in defaults)")
    p.add_argument("--resume", action="store_true", help="re-attach to the jobs of an interrupted run")
    return p


def _align_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="amts-tui align", description=SUBCOMMANDS["align"] + ".")
    p.add_argument("book", nargs="?", type=Path, help="a d2lbook translation repo")
    p.add_argument("--source", type=Path, help="source tree (with --target)")
    p.add_argument("--target", type=Path, help="target tree (with --source)")
    p.add_argument("--source-lang", help="source language (default: the book's origin_lang)")
    p.add_argument("--target-lang", help="target language (default: the book's lang)")
    p.add_argument("--granularity", choices=("sentence", "paragraph"), default="sentence")
    p.add_argument("--format", choices=("csv", "tsv", "tmx", "jsonl"),
                   help="default: from the output file's extension, else csv")
    p.add_argument("--min-confidence", type=float, default=0.0, metavar="X",
                   help="drop pairs whose alignment confidence is below X (0..1)")
    p.add_argument("-o", "--output", type=Path, required=True, help="the file to write")
    p.add_argument("--workdir", type=Path, default=Path(".amts"), help="cache folder (default .amts)")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in SUBCOMMANDS:
            command, rest = argv[0], argv[1:]
            if command == "align":
                from amts.tui.align_cmd import run_align

                return run_align(_align_parser().parse_args(rest))
            if command == "evaluate":
                from amts.tui.evaluate_cmd import main as evaluate_main

                return evaluate_main(rest)
            if command == "sync":
                from amts.tui.sync_cmd import main as sync_main

                return sync_main(rest)
            if command == "serve-local":
                from amts.tui.serve_cmd import main as serve_main

                return serve_main(rest)
        args = _main_parser().parse_args(argv)
        if args.auto:
            from amts.tui.headless import run_headless

            return run_headless(args.config, demo=args.demo, resume=args.resume)
        from amts.tui.app import run_app

        return run_app(book=args.book, demo=args.demo, config_path=args.config)
    except AmtsError as exc:
        print(f"amts-tui: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("amts-tui: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
