"""The command line as documented: every subcommand answers --help, errors are one line."""

from __future__ import annotations

import pytest

from amts.tui.cli import SUBCOMMANDS, main


def test_help_lists_every_subcommand(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert all(name in out for name in ("align", "evaluate", "sync", "serve-local", "--demo", "--auto"))


@pytest.mark.parametrize("command", sorted(SUBCOMMANDS))
def test_each_subcommand_has_help(command, capsys):
    try:
        code = main([command, "--help"])
    except SystemExit as exc:  # argparse's own exit, for the subcommands that let it through
        code = exc.code
    assert code in (0, None)
    assert f"amts-tui {command}" in capsys.readouterr().out


def test_bad_config_is_one_line_naming_file_and_line(tmp_path, capsys):
    config = tmp_path / "amts.toml"
    config.write_text('[backend]\nkind = "local"\ncolour = "blue"\n', encoding="utf-8")
    code = main(["--auto", "--config", str(config)])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err and str(config) in err and "colour" in err


def test_a_mistyped_command_suggests_the_right_one(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["algin", "book", "-o", "x.csv"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "unknown command 'algin' (did you mean 'align'?)" in err and "Traceback" not in err


def test_the_dashboards_book_is_found_among_the_options(tmp_path):
    from amts.tui.cli import _take_book, build_parser

    parser = build_parser()
    book = tmp_path / "algin"  # a real folder wins over a look-alike command name
    book.mkdir()
    assert _take_book(parser, ["--config", "x.toml", str(book), "--demo"]) == (book, ["--config", "x.toml", "--demo"])
    command = ["--demo", "sync", "b", "--upstream", "u"]
    assert _take_book(parser, command) == (None, command)
    args = parser.parse_args(["sync", "b", "--upstream", "u", "--write", "--resume"])
    assert (args.command, args.write, args.resume) == ("sync", True, True)
