"""`sync --write --backend aws` takes the bucket and role from flags or --config, with no defaults:
a missing one is a one-line usage error naming the flag or the config key, before anything runs."""

from __future__ import annotations

import shutil

from amts.tui.cli import main
from amts.tui.exit_status import ExitStatus


def _sync_write(tmp_path, sample_book, *extra: str) -> list[str]:
    book = tmp_path / "book"
    if not book.exists():
        shutil.copytree(sample_book / "zh", book)
    return ["sync", str(book), "--upstream", str(sample_book / "en-upstream"), "--workdir",
            str(tmp_path / "w"), "--write", *extra]


def _one_line_error(argv: list[str], capsys) -> str:
    assert main(argv) == ExitStatus.USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_aws_without_bucket_or_role_names_the_flag(tmp_path, sample_book, capsys):
    err = _one_line_error(_sync_write(tmp_path, sample_book, "--backend", "aws", "--region", "eu-west-1"), capsys)
    assert "--bucket (or backend.bucket in --config): the aws backend needs the S3 bucket" in err
    err = _one_line_error(_sync_write(tmp_path, sample_book, "--backend", "aws", "--bucket", "my-translations"),
                          capsys)
    assert "--role-arn (or backend.role_arn in --config): the aws backend needs the data-access role" in err
    assert not (tmp_path / "w").exists()  # refused before planning anything


def test_aws_settings_from_a_config_are_validated_naming_file_and_key(tmp_path, sample_book, capsys):
    config = tmp_path / "amts.toml"
    config.write_text('[backend]\nkind = "aws"\nbucket = "my-translations"\n', encoding="utf-8")
    err = _one_line_error(_sync_write(tmp_path, sample_book, "--config", str(config)), capsys)
    assert f"{config}:1: backend.role_arn: the aws backend needs the data-access role" in err
    assert not (tmp_path / "w").exists()
