"""The local backend driven with plain boto3, as any AWS tool would drive it."""

from __future__ import annotations

import json
import time
import urllib.request

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

from amts.engine.local_service import LocalFaults, start_local_backend

ROLE = "arn:aws:iam::123456789012:role/TranslateDataAccess"
FINAL = ("COMPLETED", "COMPLETED_WITH_ERROR", "FAILED", "STOPPED")

PARALLEL_CSV = (
    "en,zh\n"
    '"We use `torch.tensor` to store $x$, the data.",我们用`torch.tensor`存储数据$x$。\n'
    "Tensors are arrays.,张量是数组。\n"
    "-starts with a dash,坏\n"
    ",no source\n"
)
MORE_CSV = PARALLEL_CSV + "Hello world!,你好，世界！\n"

DOC_A = (
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body>\n'
    '<h1 data-b="0">Data Manipulation</h1>\n'
    '<p data-b="1">We use <span translate="no" data-p="0">`torch.tensor`</span> to store '
    '<span translate="no" data-p="1">$x$</span>, the data.</p>\n'
    '<pre translate="no" data-b="2">x = torch.arange(12)\nTensors are arrays.</pre>\n'
    '<p data-b="3">Tensors are arrays. Nothing covers this &amp; that.</p>\n'
    "</body></html>\n"
)
DOC_B = '<html><body>\n<p data-b="0">Nothing in memory &lt;here&gt;.</p>\n</body></html>\n'


def _clients(backend, **config):
    common = dict(region_name=backend.region, aws_access_key_id="testing",
                  aws_secret_access_key="testing")
    cfg = botocore.config.Config(**config) if config else None
    s3 = boto3.client("s3", endpoint_url=backend.s3_endpoint, **common)
    translate = boto3.client("translate", endpoint_url=backend.translate_endpoint, config=cfg,
                             **common)
    return s3, translate


def _wait(poll, done, timeout=20.0):
    deadline = time.monotonic() + timeout
    seen = []
    while True:
        value = poll()
        seen.append(value)
        if done(value) or time.monotonic() > deadline:
            return value, seen
        time.sleep(0.01)


def _wait_parallel_data(translate, name):
    props, _ = _wait(
        lambda: translate.get_parallel_data(Name=name)["ParallelDataProperties"],
        lambda p: p["Status"] in ("ACTIVE", "FAILED")
        and p.get("LatestUpdateAttemptStatus") != "UPDATING",
    )
    return props


def _wait_job(translate, job_id):
    props, seen = _wait(
        lambda: translate.describe_text_translation_job(JobId=job_id)["TextTranslationJobProperties"],
        lambda p: p["JobStatus"] in FINAL,
    )
    return props, [s["JobStatus"] for s in seen]


def _start(translate, client_token="token-1", name="job", **extra):
    params = dict(
        JobName=name,
        InputDataConfig={"S3Uri": "s3://amts/input/", "ContentType": "text/html"},
        OutputDataConfig={"S3Uri": "s3://amts/output/"},
        DataAccessRoleArn=ROLE,
        SourceLanguageCode="en",
        TargetLanguageCodes=["zh"],
        ParallelDataNames=["book"],
        ClientToken=client_token,
    )
    params.update(extra)
    return translate.start_text_translation_job(**params)


def _prepare(s3, translate, csv=PARALLEL_CSV, with_parallel_data=True):
    s3.create_bucket(Bucket="amts")
    s3.put_object(Bucket="amts", Key="pd/book.csv", Body=csv.encode())
    s3.put_object(Bucket="amts", Key="input/a.html", Body=DOC_A.encode())
    s3.put_object(Bucket="amts", Key="input/part/b.html", Body=DOC_B.encode())
    if with_parallel_data:
        translate.create_parallel_data(
            Name="book", ParallelDataConfig={"S3Uri": "s3://amts/pd/book.csv", "Format": "CSV"}
        )
        return _wait_parallel_data(translate, "book")
    return None


def _read(s3, key):
    return s3.get_object(Bucket="amts", Key=key)["Body"].read().decode("utf-8")


@pytest.fixture
def backend(tmp_path):
    with start_local_backend(tmp_path / "work", job_delay=0.01) as running:
        yield running


def test_parallel_data_create_counts_records_and_update_keeps_status(backend):
    s3, translate = _clients(backend)
    props = _prepare(s3, translate)
    assert props["Status"] == "ACTIVE"
    assert (props["SourceLanguageCode"], props["TargetLanguageCodes"]) == ("en", ["zh"])
    assert props["ImportedRecordCount"] == 2
    assert props["FailedRecordCount"] == 1  # the field starting with "-"
    assert props["SkippedRecordCount"] == 1  # the blank source
    location = translate.get_parallel_data(Name="book")["AuxiliaryDataLocation"]["Location"]
    errors = json.loads(urllib.request.urlopen(location).read())
    assert errors["summary"] == {"record_error_count": 1, "record_skipped_count": 1}

    s3.put_object(Bucket="amts", Key="pd/book2.csv", Body=MORE_CSV.encode())
    response = translate.update_parallel_data(
        Name="book", ParallelDataConfig={"S3Uri": "s3://amts/pd/book2.csv", "Format": "CSV"}
    )
    assert (response["Status"], response["LatestUpdateAttemptStatus"]) == ("ACTIVE", "UPDATING")
    props = _wait_parallel_data(translate, "book")
    assert (props["Status"], props["LatestUpdateAttemptStatus"]) == ("ACTIVE", "ACTIVE")
    assert props["ImportedRecordCount"] == 3
    assert props["ParallelDataConfig"]["S3Uri"] == "s3://amts/pd/book2.csv"
    names = [p["Name"] for p in translate.list_parallel_data()["ParallelDataPropertiesList"]]
    assert names == ["book"]
    assert translate.delete_parallel_data(Name="book")["Status"] == "DELETING"
    _wait(lambda: translate.list_parallel_data()["ParallelDataPropertiesList"], lambda v: not v)
    with pytest.raises(ClientError) as error:
        translate.get_parallel_data(Name="book")
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_job_translates_what_memory_covers_and_keeps_the_rest_byte_for_byte(backend):
    s3, translate = _clients(backend)
    _prepare(s3, translate)
    job_id = _start(translate)["JobId"]
    props, statuses = _wait_job(translate, job_id)
    assert props["JobStatus"] == "COMPLETED"
    assert statuses[0] in ("SUBMITTED", "IN_PROGRESS")
    assert props["JobDetails"] == {
        "TranslatedDocumentsCount": 2, "DocumentsWithErrorsCount": 0, "InputDocumentsCount": 2
    }
    folder = f"output/123456789012-TranslateText-{job_id}/"
    assert props["OutputDataConfig"]["S3Uri"] == f"s3://amts/{folder}"
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="amts", Prefix=folder)["Contents"]}
    assert keys == {
        folder + "zh.a.html",
        folder + "zh.part/b.html",
        folder + "details/zh.auxiliary-translation-details.json",
    }
    translated = _read(s3, folder + "zh.a.html")
    assert (
        '<p data-b="1">我们用<span translate="no" data-p="0">`torch.tensor`</span>存储数据'
        '<span translate="no" data-p="1">$x$</span>。</p>'
    ) in translated
    # Sentence-level hit; the uncovered sentence stays in English, escaped as it was.
    assert '<p data-b="3">张量是数组。 Nothing covers this &amp; that.</p>' in translated
    # translate="no" blocks and everything outside units are untouched.
    assert '<pre translate="no" data-b="2">x = torch.arange(12)\nTensors are arrays.</pre>' in translated
    assert translated.replace("我们用", "").count("Data Manipulation") == 1
    assert _read(s3, folder + "zh.part/b.html") == DOC_B

    details = json.loads(_read(s3, folder + "details/zh.auxiliary-translation-details.json"))
    assert details["sourceLanguageCode"] == "en" and details["targetLanguageCode"] == "zh"
    assert details["documentCountWithServerError"] == "0"
    assert details["untranslatedSegments"] == 3  # the heading, one sentence, DOC_B's paragraph
    by_file = {entry["sourceFile"]: entry for entry in details["details"]}
    assert by_file["a.html"]["targetFile"] == "zh.a.html"
    assert by_file["a.html"]["auxiliaryData"]["untranslatedBlocks"] == ["0", "3"]
    assert by_file["part/b.html"]["auxiliaryData"]["translatedSegments"] == 0


def test_same_client_token_returns_the_same_job(backend):
    s3, translate = _clients(backend)
    _prepare(s3, translate)
    first = _start(translate, client_token="retry-me")["JobId"]
    assert _start(translate, client_token="retry-me")["JobId"] == first
    assert _start(translate, client_token="another")["JobId"] != first
    jobs = translate.list_text_translation_jobs()["TextTranslationJobPropertiesList"]
    assert len(jobs) == 2


def test_without_parallel_data_nothing_is_translated(backend):
    s3, translate = _clients(backend)
    _prepare(s3, translate, with_parallel_data=False)
    job_id = _start(translate, ParallelDataNames=[])["JobId"]
    props, _ = _wait_job(translate, job_id)
    assert props["JobStatus"] == "COMPLETED"
    folder = f"output/123456789012-TranslateText-{job_id}/"
    assert _read(s3, folder + "zh.a.html") == DOC_A
    details = json.loads(_read(s3, folder + "details/zh.auxiliary-translation-details.json"))
    assert details["translatedSegments"] == 0 and details["untranslatedSegments"] == 5


def test_throttled_calls_are_retried_by_the_sdk(tmp_path):
    faults = LocalFaults(throttle_first_calls=2, throttle_operations=("ListParallelData",))
    with start_local_backend(tmp_path, faults=faults, job_delay=0.01) as backend:
        _, translate = _clients(backend, retries={"mode": "standard", "max_attempts": 5})
        response = translate.list_parallel_data()
        assert response["ResponseMetadata"]["RetryAttempts"] == 2
        assert backend.translate_server.throttled_calls == 2
    faults = LocalFaults(throttle_first_calls=1)
    with start_local_backend(tmp_path, faults=faults, job_delay=0.01) as backend:
        _, translate = _clients(backend, retries={"mode": "standard", "total_max_attempts": 1})
        with pytest.raises(ClientError) as error:
            translate.list_terminologies()
        assert error.value.response["Error"]["Code"] == "TooManyRequestsException"
        assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429


def test_a_failing_document_makes_the_job_complete_with_error_naming_it(tmp_path):
    faults = LocalFaults(fail_document_pattern=r"^part/b\.html$")
    with start_local_backend(tmp_path, faults=faults, job_delay=0.01) as backend:
        s3, translate = _clients(backend)
        _prepare(s3, translate)
        job_id = _start(translate)["JobId"]
        props, _ = _wait_job(translate, job_id)
        assert props["JobStatus"] == "COMPLETED_WITH_ERROR"
        assert props["JobDetails"]["DocumentsWithErrorsCount"] == 1
        assert props["JobDetails"]["TranslatedDocumentsCount"] == 1
        folder = f"output/123456789012-TranslateText-{job_id}/"
        details = json.loads(_read(s3, folder + "details/zh.auxiliary-translation-details.json"))
        assert details["documentCountWithServerError"] == "1"
        failed = [e for e in details["details"] if "errorCode" in e]
        assert [e["sourceFile"] for e in failed] == ["part/b.html"]
        assert "part/b.html" in failed[0]["errorMessage"]


def test_a_failing_job_is_failed_with_its_message(tmp_path):
    faults = LocalFaults(fail_job_name_pattern="doomed", fail_job_message="disk on fire")
    with start_local_backend(tmp_path, faults=faults, job_delay=0.01) as backend:
        s3, translate = _clients(backend)
        _prepare(s3, translate)
        props, _ = _wait_job(translate, _start(translate, name="doomed-run")["JobId"])
        assert (props["JobStatus"], props["Message"]) == ("FAILED", "disk on fire")
        props, _ = _wait_job(translate, _start(translate, "t2", name="fine")["JobId"])
        assert props["JobStatus"] == "COMPLETED"


def test_parallel_data_import_with_injected_failed_records(tmp_path):
    faults = LocalFaults(parallel_data_failed_records=1, fail_parallel_data_name_pattern="^bad$")
    with start_local_backend(tmp_path, faults=faults, job_delay=0.01) as backend:
        s3, translate = _clients(backend)
        props = _prepare(s3, translate)
        assert (props["Status"], props["ImportedRecordCount"], props["FailedRecordCount"]) == (
            "ACTIVE", 1, 2,
        )
        translate.create_parallel_data(
            Name="bad", ParallelDataConfig={"S3Uri": "s3://amts/pd/book.csv", "Format": "CSV"}
        )
        props = _wait_parallel_data(translate, "bad")
        assert props["Status"] == "FAILED" and "Injected" in props["Message"]


def test_requests_are_validated_against_the_service_model(backend):
    s3, _ = _clients(backend)
    _, unchecked = _clients(backend, parameter_validation=False)
    with pytest.raises(ClientError) as error:
        unchecked.start_text_translation_job(
            InputDataConfig={"S3Uri": "s3://amts/input/"},  # ContentType missing
            OutputDataConfig={"S3Uri": "s3://amts/output/"}, DataAccessRoleArn=ROLE,
            SourceLanguageCode="en", TargetLanguageCodes=["zh"], ClientToken="x",
        )
    assert error.value.response["Error"]["Code"] == "ValidationException"
    assert "ContentType" in error.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as error:
        unchecked.list_text_translation_jobs(Filter={"JobStatus": "DANCING"})
    assert error.value.response["Error"]["Code"] == "ValidationException"

    _, translate = _clients(backend)
    s3.create_bucket(Bucket="amts")
    with pytest.raises(ClientError) as error:
        _start(translate, ParallelDataNames=["missing"])
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as error:
        _start(translate, ParallelDataNames=[], TargetLanguageCodes=["en"])
    assert error.value.response["Error"]["Code"] == "UnsupportedLanguagePairException"
    with pytest.raises(ClientError) as error:
        _start(translate, ParallelDataNames=[], InputDataConfig={
            "S3Uri": "s3://amts/input/", "ContentType": "application/x-xliff+xml"})
    assert error.value.response["Error"]["Code"] == "InvalidRequestException"


def test_stop_listing_filters_and_pages(tmp_path):
    with start_local_backend(tmp_path, job_delay=1.0) as backend:
        s3, translate = _clients(backend)
        s3.create_bucket(Bucket="amts")
        s3.put_object(Bucket="amts", Key="input/a.html", Body=DOC_A.encode())
        ids = [_start(translate, f"t{i}", name=f"job{i}", ParallelDataNames=[])["JobId"]
               for i in range(3)]
        stopped = translate.stop_text_translation_job(JobId=ids[0])
        assert stopped["JobStatus"] == "STOP_REQUESTED"
        props, _ = _wait_job(translate, ids[0])
        assert props["JobStatus"] == "STOPPED"
        listed = translate.list_text_translation_jobs(Filter={"JobName": "job1"})
        assert [j["JobId"] for j in listed["TextTranslationJobPropertiesList"]] == [ids[1]]
        seen, token = [], None
        while True:
            page = translate.list_text_translation_jobs(MaxResults=1, **(
                {"NextToken": token} if token else {}))
            seen += [j["JobId"] for j in page["TextTranslationJobPropertiesList"]]
            token = page.get("NextToken")
            if not token:
                break
        assert sorted(seen) == sorted(ids)
        with pytest.raises(ClientError) as error:
            translate.list_text_translation_jobs(
                Filter={"JobName": "job1", "JobStatus": "STOPPED"})
        assert error.value.response["Error"]["Code"] == "InvalidFilterException"


def test_state_survives_a_restart_and_unfinished_jobs_run_again(tmp_path):
    with start_local_backend(tmp_path, job_delay=0.01) as backend:
        s3, translate = _clients(backend)
        _prepare(s3, translate)
        done = _start(translate, "done")["JobId"]
        _wait_job(translate, done)
    with start_local_backend(tmp_path, job_delay=0.01) as backend:
        s3, translate = _clients(backend)
        assert translate.get_parallel_data(Name="book")["ParallelDataProperties"]["Status"] == "ACTIVE"
        props = translate.describe_text_translation_job(JobId=done)["TextTranslationJobProperties"]
        assert props["JobStatus"] == "COMPLETED"
        assert _start(translate, "done")["JobId"] == done  # the token is remembered too
    # A job cut off by a stop runs again after the restart and finds its input: the local S3
    # is kept in WORKDIR/local-s3 (tests/test_local_s3_persistence.py covers a SIGKILL too).
    with start_local_backend(tmp_path, job_delay=5.0) as backend:
        s3, translate = _clients(backend)
        _prepare(s3, translate, with_parallel_data=False)
        pending = _start(translate, "pending", ParallelDataNames=[])["JobId"]
    with start_local_backend(tmp_path, job_delay=0.01) as backend:
        _, translate = _clients(backend)
        props, statuses = _wait_job(translate, pending)
        assert statuses[0] in ("SUBMITTED", "IN_PROGRESS")
        assert props["JobStatus"] == "COMPLETED"
        assert props["JobDetails"]["TranslatedDocumentsCount"] == 2


def test_translate_text_returns_the_text_unchanged_and_terminology_round_trips(backend):
    _, translate = _clients(backend)
    response = translate.translate_text(Text="Hello world!", SourceLanguageCode="auto",
                                        TargetLanguageCode="zh")
    assert response["TranslatedText"] == "Hello world!"
    assert response["SourceLanguageCode"] == "en"
    terms = "en,zh\ntensor,张量\ngradient,梯度\n".encode()
    props = translate.import_terminology(
        Name="d2l-terms", MergeStrategy="OVERWRITE",
        TerminologyData={"File": terms, "Format": "CSV", "Directionality": "UNI"},
    )["TerminologyProperties"]
    assert (props["TermCount"], props["TargetLanguageCodes"]) == (2, ["zh"])
    got = translate.get_terminology(Name="d2l-terms")
    assert urllib.request.urlopen(got["TerminologyDataLocation"]["Location"]).read() == terms
    listed = translate.list_terminologies()["TerminologyPropertiesList"]
    assert [t["Name"] for t in listed] == ["d2l-terms"]
    with pytest.raises(ClientError) as error:
        translate.translate_text(Text="x", SourceLanguageCode="en", TargetLanguageCode="zh",
                                 TerminologyNames=["nope"])
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


# --- the translation engine on real d2l sections (engine/protect makes the HTML) ---------------


def _d2l_sections(d2l_zh, count):
    return sorted(d2l_zh.glob("chapter_*/*_origin.md"))[:count]


def test_identity_memory_gives_back_real_d2l_html_byte_for_byte(d2l_zh):
    from amts.engine.local_service.translator import translate_html
    from amts.engine.markup.protect import markdown_to_html
    from amts.engine.paralleldata.memory import TranslationMemory

    for path in _d2l_sections(d2l_zh, 40):
        doc = markdown_to_html(path.read_text(encoding="utf-8"))
        units = [text for _, text in doc.units]
        result = translate_html(doc.html, TranslationMemory((t, t) for t in units), "zh")
        assert result.text == doc.html, path
        assert result.untranslated_segments == 0, path


def test_marked_memory_translates_covered_units_and_keeps_every_protected_span(d2l_zh):
    import re

    from amts.engine.local_service.translator import translate_html
    from amts.engine.markup.protect import markdown_to_html
    from amts.engine.paralleldata.memory import TranslationMemory

    span = re.compile(r'<span translate="no" data-p="\d+">.*?</span>', re.DOTALL)
    pre = re.compile(r'<pre translate="no".*?</pre>', re.DOTALL)
    for path in _d2l_sections(d2l_zh, 20):
        doc = markdown_to_html(path.read_text(encoding="utf-8"))
        covered = doc.units[::2]  # every other unit is in the memory, the rest is not
        memory = TranslationMemory((text, "【译】" + text) for _, text in covered)
        result = translate_html(doc.html, memory, "zh")
        assert sorted(span.findall(result.text)) == sorted(span.findall(doc.html)), path
        assert pre.findall(result.text) == pre.findall(doc.html), path
        for index, _ in covered:
            assert re.search(f'<[a-z0-9]+ data-b="{index}">【译】', result.text), (path, index)
        # Blocks left (partly) untranslated are uncovered ones; fuzzy or sentence-level hits
        # may still have translated some uncovered blocks.
        uncovered = {str(index) for index, _ in doc.units[1::2]}
        assert set(result.untranslated_blocks) <= uncovered, path
        assert result.untranslated_segments > 0, path
