"""The one client layer driving a whole ACT flow against the local endpoints (same code as AWS)."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest

from amts.engine.client.service import new_client_token, open_service
from amts.engine.client.settings import BackendSettings
from amts.engine.errors import AmtsError
from amts.engine.local_service import LocalFaults, start_local_backend

# Our own sentences (no d2l text in the project); a header row of language codes, then pairs.
PARALLEL_CSV = (
    "en,zh\n"
    "Deep learning is useful.,深度学习很有用。\n"
    "Linear regression,线性回归\n"
    "\"Models learn from data, not rules.\",模型从数据中学习，而不是从规则中学习。\n"
    ",空的源文本被跳过\n"
).encode()
MORE_CSV = PARALLEL_CSV + "Softmax regression,softmax回归\n".encode()

DOCUMENTS = {
    "preface.html": '<html><body><h1 data-b="0">Linear regression</h1>'
                    '<p data-b="1">Deep learning is useful.</p></body></html>',
    "chapter_intro/index.0.html": '<html><body><p data-b="0">Models learn from data, not rules.'
                                  '</p><p data-b="1">Nobody wrote this down.</p></body></html>',
    "chapter_intro/index.1.html": '<html><body><h2 data-b="0">Softmax regression</h2>'
                                  '<pre translate="no" data-b="1">x = 1</pre></body></html>',
}


@pytest.fixture
def backend_factory(tmp_path):
    started = []

    def start(faults: LocalFaults | None = None, **kwargs):
        backend = start_local_backend(tmp_path / f"work{len(started)}", faults=faults,
                                      job_delay=0.05, **kwargs)
        started.append(backend)
        settings = BackendSettings(kind="local", s3_endpoint_url=backend.s3_endpoint,
                                   translate_endpoint_url=backend.translate_endpoint,
                                   max_attempts=4)
        return backend, settings

    yield start
    for backend in started:
        backend.stop()


def write_documents(root: Path) -> Path:
    for relative, html in DOCUMENTS.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
    return root


async def put_and_wait(service, name: str, csv: bytes, key: str):
    await service.upload_bytes(csv, key, "text/csv")
    submission = await service.put_parallel_data(name, service.settings.s3_uri(key), "CSV")
    seen = []
    status = await service.wait_parallel_data(
        name, on_status=lambda s: seen.append(s.status),
        watch_update=submission.operation == "update", poll_interval=0.02, timeout=30)
    return submission, status, seen


async def test_whole_act_flow_then_update_and_run_again(backend_factory, tmp_path):
    _, settings = backend_factory()
    async with open_service(settings) as service:
        await service.ensure_bucket()
        created, status, seen = await put_and_wait(service, "d2l-demo", PARALLEL_CSV,
                                                   settings.key("pd", "v1.csv"))
        assert created.operation == "create"
        assert status.status == "ACTIVE" and seen[-1] == "ACTIVE"
        assert status.imported == 3 and status.skipped == 1 and status.failed == 0

        write_documents(tmp_path / "docs")
        keys = await service.upload_folder(tmp_path / "docs", settings.key("in", "run1"))
        assert len(keys) == 3
        statuses = []
        job = await service.start_job(
            input_s3_uri=settings.s3_uri(settings.key("in", "run1") + "/"),
            output_s3_uri=settings.s3_uri(settings.key("out") + "/"),
            source_language="en", target_languages=["zh"], content_type="text/html",
            parallel_data_names=["d2l-demo"], job_name="amts-run1",
            client_token=new_client_token())
        assert job.status == "SUBMITTED"
        done = await service.wait_job(job.job_id, on_status=lambda j: statuses.append(j.status),
                                      poll_interval=0.02, timeout=60)
        assert done.status == "COMPLETED", done.message
        assert statuses[-1] == "COMPLETED" and done.input_documents == 3
        output = await service.download_job_output(done, tmp_path / "result")
        assert set(output.files) == set(DOCUMENTS)
        preface = output.files["preface.html"].read_text(encoding="utf-8")
        assert "线性回归" in preface and "深度学习很有用。" in preface
        assert output.files["preface.html"].is_relative_to(tmp_path / "result" / "zh")
        intro = output.files["chapter_intro/index.0.html"].read_text(encoding="utf-8")
        assert "模型从数据中学习" in intro and "Nobody wrote this down." in intro  # untranslated
        untouched = output.files["chapter_intro/index.1.html"].read_text(encoding="utf-8")
        assert '<pre translate="no" data-b="1">x = 1</pre>' in untouched
        assert "Softmax regression" in untouched  # not in the memory yet
        assert output.errors == [] and set(output.details) == {"zh"}
        assert output.details["zh"]["targetLanguageCode"] == "zh"

        # More data: the same name is updated, and the next job uses it.
        updated, status, _ = await put_and_wait(service, "d2l-demo", MORE_CSV,
                                                settings.key("pd", "v2.csv"))
        assert updated.operation == "update"
        assert status.status == "ACTIVE" and status.imported == 4
        job2 = await service.start_job(
            input_s3_uri=settings.s3_uri(settings.key("in", "run1")),
            output_s3_uri=settings.s3_uri(settings.key("out")),
            source_language="en", target_languages=["zh"], parallel_data_names=["d2l-demo"])
        done2 = await service.wait_job(job2.job_id, poll_interval=0.02, timeout=60)
        output2 = await service.download_job_output(done2.job_id, tmp_path / "result2")
        assert "softmax回归" in output2.files["chapter_intro/index.1.html"].read_text("utf-8")

        listed = await service.list_jobs(status="COMPLETED")
        assert {j.job_id for j in listed} == {job.job_id, job2.job_id}
        assert [j.job_id for j in await service.list_jobs(job_name="amts-run1")] == [job.job_id]


async def test_same_client_token_never_starts_a_second_job(backend_factory):
    _, settings = backend_factory()
    async with open_service(settings) as service:
        await service.ensure_bucket()
        await service.upload_bytes(DOCUMENTS["preface.html"].encode(), "amts/in/a.html",
                                   "text/html")
        token = new_client_token()
        request = dict(input_s3_uri="s3://amts/amts/in/", output_s3_uri="s3://amts/amts/out/",
                       source_language="en", target_languages=["zh"], client_token=token)
        first = await service.start_job(**request)
        again = await service.start_job(**request)
        assert again.job_id == first.job_id
        assert len(await service.list_jobs()) == 1
        other = await service.start_job(**{**request, "client_token": new_client_token()})
        assert other.job_id != first.job_id


async def test_throttled_calls_are_retried_and_succeed(backend_factory):
    backend, settings = backend_factory(LocalFaults(throttle_first_calls=2))
    async with open_service(settings) as service:
        await service.ensure_bucket()
        await service.upload_bytes(PARALLEL_CSV, "amts/pd.csv", "text/csv")
        submission = await service.put_parallel_data("throttled", "s3://amts/amts/pd.csv")
        assert submission.operation == "create"
        status = await service.wait_parallel_data("throttled", poll_interval=0.02, timeout=30)
        assert status.status == "ACTIVE"
    assert backend.translate_server.throttled_calls == 2


async def test_throttling_beyond_the_retry_budget_is_reported(backend_factory):
    _, settings = backend_factory(LocalFaults(throttle_first_calls=50))
    settings = dataclasses.replace(settings, max_attempts=2)
    async with open_service(settings) as service:
        with pytest.raises(AmtsError, match="throttled"):
            await service.describe_job("nope")


async def test_failing_document_is_named_in_the_errors(backend_factory, tmp_path):
    _, settings = backend_factory(LocalFaults(fail_document_pattern=r"index\.0"))
    async with open_service(settings) as service:
        await service.ensure_bucket()
        await service.upload_folder(write_documents(tmp_path / "docs"), "amts/in")
        job = await service.start_job(input_s3_uri="s3://amts/amts/in",
                                      output_s3_uri="s3://amts/amts/out",
                                      source_language="en", target_languages=["zh"])
        done = await service.wait_job(job.job_id, poll_interval=0.02, timeout=60)
        assert done.status == "COMPLETED_WITH_ERROR" and done.documents_with_errors == 1
        output = await service.download_job_output(done, tmp_path / "out")
    assert [e.source_file for e in output.errors] == ["chapter_intro/index.0.html"]
    assert "Injected failure" in output.errors[0].message
    assert set(output.files) == {"preface.html", "chapter_intro/index.1.html"}


async def test_failed_job_is_reported_with_its_message(backend_factory, tmp_path):
    _, settings = backend_factory(LocalFaults(fail_job_name_pattern="doomed"))
    async with open_service(settings) as service:
        await service.ensure_bucket()
        await service.upload_folder(write_documents(tmp_path / "docs"), "amts/in")
        job = await service.start_job(input_s3_uri="s3://amts/amts/in",
                                      output_s3_uri="s3://amts/amts/out", job_name="doomed",
                                      source_language="en", target_languages=["zh"])
        done = await service.wait_job(job.job_id, poll_interval=0.02, timeout=60)
        assert done.status == "FAILED" and "Injected failure" in done.message
        with pytest.raises(AmtsError, match="failed: Injected failure"):
            await service.download_job_output(done, tmp_path / "out")


async def test_stop_event_ends_the_wait_and_stop_job_stops(backend_factory, tmp_path):
    _, settings = backend_factory()
    async with open_service(settings) as service:
        await service.ensure_bucket()
        await service.upload_folder(write_documents(tmp_path / "docs"), "amts/in")
        job = await service.start_job(input_s3_uri="s3://amts/amts/in",
                                      output_s3_uri="s3://amts/amts/out",
                                      source_language="en", target_languages=["zh"])
        stop = asyncio.Event()
        stop.set()
        waited = await service.wait_job(job.job_id, stop=stop, poll_interval=0.02)
        assert waited.job_id == job.job_id  # returned at once, whatever the status
        assert await service.stop_job(job.job_id) in ("STOP_REQUESTED", "COMPLETED", "STOPPED")
        final = await service.wait_job(job.job_id, poll_interval=0.02, timeout=60)
        assert final.status in ("STOPPED", "COMPLETED")


async def test_errors_name_the_missing_bucket_and_unknown_resources(backend_factory):
    _, settings = backend_factory()
    async with open_service(settings) as service:
        with pytest.raises(AmtsError, match="bucket 'amts' does not exist") as caught:
            await service.upload_bytes(b"x", "amts/in/a.html")
        assert "amts-local" not in str(caught.value)
        with pytest.raises(AmtsError, match="not found"):
            await service.describe_job("0123456789abcdef")
        assert await service.get_parallel_data("no-such-data") is None
        with pytest.raises(AmtsError, match="language pair"):
            await service.start_job(input_s3_uri="s3://amts/in", output_s3_uri="s3://amts/out",
                                    source_language="en", target_languages=["en"])


async def test_translate_text_and_terminology(backend_factory):
    _, settings = backend_factory()
    async with open_service(settings) as service:
        terms = await service.import_terminology("d2l-terms", b"en,zh\nsoftmax,softmax\n")
        assert terms.name == "d2l-terms" and terms.term_count == 1
        # Long text: split under 10,000 bytes, joined back in order (the local endpoint echoes).
        text = "\n\n".join(f"Paragraph {n} is about deep learning." * 30 for n in range(20))
        assert len(text.encode()) > 20_000
        assert await service.translate_text(text, "en", "zh", terminology="d2l-terms") == text


async def test_put_during_a_running_import_waits_then_updates(backend_factory):
    _, settings = backend_factory()
    async with open_service(settings) as service:
        await service.ensure_bucket()
        await service.upload_bytes(PARALLEL_CSV, "amts/pd/v1.csv", "text/csv")
        await service.upload_bytes(MORE_CSV, "amts/pd/v2.csv", "text/csv")
        first = await service.put_parallel_data("busy", "s3://amts/amts/pd/v1.csv")
        second = await service.put_parallel_data("busy", "s3://amts/amts/pd/v2.csv",
                                                 description="more data")
        assert (first.operation, second.operation) == ("create", "update")
        assert first.client_token != second.client_token
        status = await service.wait_parallel_data("busy", watch_update=True,
                                                  poll_interval=0.02, timeout=30)
        assert status.status == "ACTIVE" and status.imported == 4


async def test_parallel_data_import_faults_show_in_the_status(backend_factory):
    _, settings = backend_factory(LocalFaults(parallel_data_failed_records=1,
                                              fail_parallel_data_name_pattern="broken"))
    async with open_service(settings) as service:
        await service.ensure_bucket()
        _, partial, _ = await put_and_wait(service, "partial", PARALLEL_CSV, "amts/pd/p.csv")
        assert partial.status == "ACTIVE"
        assert (partial.imported, partial.failed, partial.skipped) == (2, 1, 1)
        _, broken, _ = await put_and_wait(service, "broken", PARALLEL_CSV, "amts/pd/b.csv")
        assert broken.status == "FAILED" and broken.phase == "failed" and broken.message


async def test_d2l_term_list_imports_as_a_custom_terminology(backend_factory, d2l_zh):
    """TERMINOLOGY.md (d2l-zh's `中文，english` lines) → Amazon CSV → ImportTerminology."""
    from amts.engine.paralleldata.terminology import parse_terminology, terminology_csv

    csv_text, count = terminology_csv(parse_terminology(d2l_zh / "TERMINOLOGY.md", "en", "zh"), "en", "zh")
    assert count > 100 and csv_text.startswith("en,zh\n")
    _, settings = backend_factory()
    async with open_service(settings) as service:
        info = await service.import_terminology("d2l-zh-terms", csv_text.encode("utf-8"))
    assert info.name == "d2l-zh-terms" and info.term_count == count
    assert info.source_language == "en" and info.target_languages == ("zh",)
