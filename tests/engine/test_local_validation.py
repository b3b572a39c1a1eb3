"""Requests valid locally are valid on AWS: the local endpoint refuses what the service refuses
(the model's patterns, lengths and enums, supported language codes, documented limits), and
every request our own client builds passes."""

from __future__ import annotations

import copy
from pathlib import Path

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from amts.engine.client.service import open_service
from amts.engine.client.settings import BackendSettings
from amts.engine.experiment.config import load_config
from amts.engine.experiment.pipeline import run_experiment
from amts.engine.local_service import start_local_backend
from amts.engine.local_service.protocol import model_pattern, translate_model

from conftest import make_config

ROLE = "arn:aws:iam::123456789012:role/TranslateDataAccess"
TERMS = "en,zh\ntensor,张量\n".encode()
REFUSALS = ("ValidationException", "InvalidParameterValueException", "InvalidRequestException",
            "UnsupportedLanguagePairException", "SerializationException")

# One valid request per operation; each case below breaks one thing in it.
VALID = {
    "create_parallel_data": dict(
        Name="valid-name_1", Description="Parallel data for chapter 1",
        ParallelDataConfig={"S3Uri": "s3://amts/pd/book.csv", "Format": "CSV"},
        ClientToken="a1b2-c3", EncryptionKey={"Type": "KMS", "Id": "alias/amts-key"}),
    "start_text_translation_job": dict(
        JobName="amts-20240101-en-zh: act/sentence", ClientToken="job-token-1",
        InputDataConfig={"S3Uri": "s3://amts/input/", "ContentType": "text/html"},
        OutputDataConfig={"S3Uri": "s3://amts/output/"}, DataAccessRoleArn=ROLE,
        SourceLanguageCode="en", TargetLanguageCodes=["zh", "zh-TW", "fr-CA"],
        Settings={"Formality": "FORMAL"}),
    "describe_text_translation_job": dict(JobId="0123456789abcdef0123456789abcdef"),
    "list_text_translation_jobs": dict(MaxResults=500, NextToken="0"),
    "translate_text": dict(Text="Hello!", SourceLanguageCode="auto", TargetLanguageCode="pt-PT",
                           Settings={"Brevity": "ON"}),
    "import_terminology": dict(
        Name="d2l-terms", MergeStrategy="OVERWRITE",
        TerminologyData={"File": TERMS, "Format": "CSV", "Directionality": "UNI"}),
}


def _with(operation: str, path: str, value):
    """VALID[operation] with the member at dotted `path` set to `value`."""
    request = copy.deepcopy(VALID[operation])
    *parents, leaf = path.split(".")
    node = request
    for part in parents:
        node = node[part]
    node[leaf] = value
    return request


CASES = [
    # Resource names: ^([A-Za-z0-9-]_?)+$, 1-256.
    ("create_parallel_data", "Name", "my data", "ValidationException"),
    ("create_parallel_data", "Name", "double__underscore", "ValidationException"),
    ("create_parallel_data", "Name", "_leading", "ValidationException"),
    ("create_parallel_data", "Name", "n" * 257, "ValidationException"),
    ("create_parallel_data", "Description", "d" * 257, "ValidationException"),
    ("create_parallel_data", "ClientToken", "token_with_underscore", "ValidationException"),
    ("create_parallel_data", "ClientToken", "t" * 65, "ValidationException"),
    ("create_parallel_data", "ParallelDataConfig.S3Uri", "s3://Amts/pd/book.csv", "ValidationException"),
    ("create_parallel_data", "ParallelDataConfig.S3Uri", "s3://amts/pd/a\nb.csv", "ValidationException"),
    ("create_parallel_data", "ParallelDataConfig.S3Uri", "https://amts/pd/book.csv", "ValidationException"),
    ("create_parallel_data", "EncryptionKey.Id", "not a key!", "ValidationException"),
    ("import_terminology", "Name", "terms.csv", "ValidationException"),
    # Jobs: JobName, tokens, role ARN, content type, languages, documented limits.
    ("start_text_translation_job", "JobName", "job#1", "ValidationException"),
    ("start_text_translation_job", "JobName", "two\nlines", "ValidationException"),
    ("start_text_translation_job", "ClientToken", "retry me", "ValidationException"),
    ("start_text_translation_job", "DataAccessRoleArn", "arn:aws:iam::123:role/Short", "ValidationException"),
    ("start_text_translation_job", "DataAccessRoleArn", "arn:aws:iam::123456789012:user/Bob",
     "ValidationException"),
    ("start_text_translation_job", "DataAccessRoleArn", "TranslateDataAccessRole", "ValidationException"),
    ("start_text_translation_job", "InputDataConfig.ContentType", "text html", "ValidationException"),
    ("start_text_translation_job", "SourceLanguageCode", "xx", "UnsupportedLanguagePairException"),
    ("start_text_translation_job", "SourceLanguageCode", "EN", "UnsupportedLanguagePairException"),
    ("start_text_translation_job", "TargetLanguageCodes", ["zh-CN"], "UnsupportedLanguagePairException"),
    ("start_text_translation_job", "TargetLanguageCodes", ["auto"], "UnsupportedLanguagePairException"),
    ("start_text_translation_job", "TargetLanguageCodes",
     ["de", "es", "fr", "it", "ja", "ko", "pt", "ru", "tr", "vi", "zh"], "InvalidParameterValueException"),
    ("start_text_translation_job", "ParallelDataNames", ["a", "b"], "InvalidParameterValueException"),
    ("start_text_translation_job", "TerminologyNames", ["a", "b"], "InvalidParameterValueException"),
    ("start_text_translation_job", "Settings", {"Brevity": "ON"}, "InvalidParameterValueException"),
    ("start_text_translation_job", "Settings", {"Formality": "CASUAL"}, "ValidationException"),
    ("describe_text_translation_job", "JobId", "j" * 33, "ValidationException"),
    ("describe_text_translation_job", "JobId", "job#1", "ValidationException"),
    ("list_text_translation_jobs", "NextToken", "page-ü", "ValidationException"),
    ("list_text_translation_jobs", "MaxResults", 501, "ValidationException"),
    ("translate_text", "TargetLanguageCode", "xx", "UnsupportedLanguagePairException"),
    ("translate_text", "TerminologyNames", ["a", "b"], "InvalidParameterValueException"),
]


@pytest.fixture(scope="module")
def translate(tmp_path_factory):
    with start_local_backend(tmp_path_factory.mktemp("validation"), job_delay=0.01) as backend:
        yield boto3.client(
            "translate", endpoint_url=backend.translate_endpoint, region_name="us-east-1",
            aws_access_key_id="testing", aws_secret_access_key="testing",
            # botocore checks only types and minimums itself: let the endpoint see everything.
            config=botocore.config.Config(parameter_validation=False,
                                          retries={"total_max_attempts": 1}))


def test_the_valid_requests_are_accepted(translate):
    translate.import_terminology(**VALID["import_terminology"])
    for operation, request in VALID.items():
        if operation == "describe_text_translation_job":
            with pytest.raises(ClientError) as error:  # valid, but there is no such job
                translate.describe_text_translation_job(**request)
            assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
        elif operation == "start_text_translation_job":
            translate.start_text_translation_job(**request, TerminologyNames=["d2l-terms"])
        else:
            getattr(translate, operation)(**request)


@pytest.mark.parametrize(("operation", "path", "value", "code"), CASES,
                         ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_requests_aws_would_reject_are_rejected(translate, operation, path, value, code):
    with pytest.raises(ClientError) as error:
        getattr(translate, operation)(**_with(operation, path, value))
    assert error.value.response["Error"]["Code"] == code


def test_every_pattern_of_the_model_compiles_with_its_java_meaning():
    model = translate_model()
    patterns = {model.shape_for(name).metadata.get("pattern") for name in model.shape_names} - {None}
    assert len(patterns) >= 8
    for pattern in patterns:
        model_pattern(pattern)
    # Java's \w is ASCII-only and its `.` stops at every line terminator.
    content_type = model_pattern(r"^[-\w.]+\/[-\w.+]+$")
    assert content_type.fullmatch("text/html") and not content_type.fullmatch("téxt/html")
    role = model_pattern(r"arn:aws(-[^:]+)?:iam::[0-9]{12}:role/.+")
    assert role.fullmatch(ROLE) and not role.fullmatch(ROLE + "\u2028x")
    job_name = model_pattern(r"^([\p{L}\p{Z}\p{N}_.:/=+\-%@]*)$")
    assert job_name.fullmatch("第一章 run-1") and not job_name.fullmatch("run\n")


async def test_every_request_our_client_builds_is_accepted(tmp_path):
    with start_local_backend(tmp_path / "local", job_delay=0.01) as backend:
        config_path = make_config(tmp_path)
        text = config_path.read_text(encoding="utf-8").replace(
            "[backend]\n", f'[backend]\ns3_endpoint_url = "{backend.s3_endpoint}"\n'
                           f'translate_endpoint_url = "{backend.translate_endpoint}"\n')
        config_path.write_text(text, encoding="utf-8")
        result = await run_experiment(load_config(config_path))
        assert result.succeeded, [(p.name, p.message) for p in result.failed]

        # The operations the experiment does not use, called the way the client calls them.
        settings = BackendSettings(kind="local", s3_endpoint_url=backend.s3_endpoint,
                                   translate_endpoint_url=backend.translate_endpoint)
        async with open_service(settings) as service:
            await service.import_terminology("amts-terms", TERMS, description="d2l terms")
            jobs = await service.list_jobs(status="COMPLETED")
            assert jobs
            await service.list_jobs(job_name=jobs[0].job_name)
            await service.stop_job(jobs[0].job_id)
            resource = next(j.parallel_data_names[0] for j in jobs if j.parallel_data_names)
            await service.delete_parallel_data(resource)
            await service.translate_text("Hello world. " * 1000, "en", "zh", terminology="amts-terms")
        outcomes = backend.translate_server.call_outcomes

    refused = {key: count for key, count in outcomes.items() if key[1] in REFUSALS}
    assert refused == {}
    operations = {operation for operation, outcome in outcomes if outcome == "OK"}
    assert operations >= {"CreateParallelData", "GetParallelData", "StartTextTranslationJob",
                          "DescribeTextTranslationJob", "ListTextTranslationJobs", "TranslateText",
                          "ImportTerminology", "StopTextTranslationJob", "DeleteParallelData"}
    assert sum(outcomes.values()) > 30


def test_sample_book_languages_are_supported(sample_book):
    from amts.engine.local_service.languages import SUPPORTED_LANGUAGES

    langs = {line.split("=", 1)[1].strip() for ini in Path(sample_book).rglob("config.ini")
             for line in ini.read_text(encoding="utf-8").splitlines() if line.startswith("lang")}
    assert langs and langs <= SUPPORTED_LANGUAGES
