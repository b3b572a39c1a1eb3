"""Mapping a job's S3 output back to its inputs, and reading per-document errors (no network)."""

from __future__ import annotations

import pytest

from amts.engine.client.job_output import (
    details_language,
    document_errors,
    is_job_folder,
    map_output_key,
    parse_details,
    parse_s3_uri,
)
from amts.engine.errors import AmtsError

INPUTS = ["chapter_intro/index.0.html", "chapter_intro/index.1.html", "preface.html"]


def test_parse_s3_uri():
    assert parse_s3_uri("s3://amts/amts/in/") == ("amts", "amts/in/")
    assert parse_s3_uri("s3://amts") == ("amts", "")
    with pytest.raises(AmtsError):
        parse_s3_uri("https://amts.s3.amazonaws.com/x")


def test_job_folder_is_account_translatetext_jobid():
    assert is_job_folder("out/123456789012-TranslateText-abc123/", "abc123")
    assert not is_job_folder("out/123456789012-TranslateText-abc1234/", "abc123")
    assert not is_job_folder("out/x-TranslateText-abc123/", "abc123")


def test_mirrored_subfolders_map_back():
    assert map_output_key("chapter_intro/zh.index.1.html", INPUTS, ["zh"]) == (
        "zh", "chapter_intro/index.1.html")


def test_language_prefix_on_the_whole_relative_key_maps_back():
    # The local backend writes "<lang>.<relative key>".
    assert map_output_key("zh.chapter_intro/index.1.html", INPUTS, ["zh"]) == (
        "zh", "chapter_intro/index.1.html")


def test_flat_output_maps_by_unique_file_name():
    assert map_output_key("zh.preface.html", INPUTS, ["zh"]) == ("zh", "preface.html")
    # index.0.html exists once, even though it sat in a subfolder
    assert map_output_key("zh.index.0.html", INPUTS, ["zh"]) == (
        "zh", "chapter_intro/index.0.html")


def test_longest_language_code_wins():
    assert map_output_key("zh-TW.preface.html", INPUTS, ["zh", "zh-TW"]) == (
        "zh-TW", "preface.html")


def test_keys_without_a_target_language_are_not_documents():
    assert map_output_key("fr.preface.html", INPUTS, ["zh"]) is None
    assert map_output_key("details/zh.auxiliary-translation-details.json", INPUTS, ["zh"]) is None
    assert details_language("details/zh.auxiliary-translation-details.json") == "zh"
    assert details_language("sub/details/zh.auxiliary-translation-details.json") is None


def test_documented_details_file_has_no_errors():
    # The example of the Amazon Translate guide (numbers as strings, no error entries).
    details = parse_details(b'''{"sourceLanguageCode": "en", "targetLanguageCode": "fr",
      "charactersTranslated": "105", "documentCountWithCustomerError": "0",
      "documentCountWithServerError": "0", "details": [{"sourceFile": "mySourceText.txt",
      "targetFile": "fr.mySourceText.txt", "auxiliaryData": {"appliedTerminologies": []}}]}''',
                            "k")
    assert document_errors("fr", details) == []


def test_error_entries_are_found_whatever_their_field_name():
    details = {
        "documentCountWithCustomerError": "1",
        "details": [
            {"sourceFile": "a.html", "targetFile": "zh.a.html"},
            {"sourceFile": "b.html", "errorMessage": "Injected failure"},
            {"sourceFile": "d.html", "errorCode": "InternalServerException",
             "errorMessage": "boom"},
        ],
        "errors": [{"sourceFile": "c.html", "message": "too large"}],
    }
    errors = document_errors("zh", details)
    assert [(e.source_file, e.message) for e in errors] == [
        ("b.html", "Injected failure"), ("d.html", "InternalServerException: boom"),
        ("c.html", "too large")]
    assert {e.language for e in errors} == {"zh"}


def test_details_that_are_not_json_name_the_key():
    with pytest.raises(AmtsError, match="details/zh"):
        parse_details(b"<html>", "out/details/zh.auxiliary-translation-details.json")
