"""Benchmark: 200 small HTML documents through one job on the local backend.

Prints the time our client spends per document: uploading, polling (time inside Describe calls,
not the sleeps between them) and downloading. The job's own run time on the local endpoint is
printed for context but is not client time.

    .venv/bin/python bench/bench_local_job.py [--documents 200] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from amts.engine.client.service import open_service  # noqa: E402
from amts.engine.client.settings import BackendSettings  # noqa: E402
from amts.engine.local_service import start_local_backend  # noqa: E402

SENTENCES = [
    ("Deep learning is useful.", "深度学习很有用。"),
    ("Linear regression is a simple model.", "线性回归是一个简单的模型。"),
    ("We train the model on data.", "我们在数据上训练模型。"),
    ("The loss goes down.", "损失下降了。"),
]


def make_documents(folder: Path, count: int) -> None:
    for n in range(count):
        blocks = [f'<h1 data-b="0">Section {n}</h1>']
        for b in range(1, 6):
            english = SENTENCES[(n + b) % len(SENTENCES)][0]
            blocks.append(f'<p data-b="{b}">{english} <span translate="no" data-p="0">x_{b}'
                          f'</span></p>')
        path = folder / f"chapter_{n // 20:02}" / f"section_{n:03}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"<html><body>{''.join(blocks)}</body></html>", encoding="utf-8")


async def run(documents: int, concurrency: int, workdir: Path) -> None:
    backend = start_local_backend(workdir / "local", job_delay=0.05)
    try:
        settings = BackendSettings(kind="local", s3_endpoint_url=backend.s3_endpoint,
                                   translate_endpoint_url=backend.translate_endpoint,
                                   max_concurrency=concurrency)
        make_documents(workdir / "docs", documents)
        csv = "en,zh\n" + "".join(f"{en},{zh}\n" for en, zh in SENTENCES)
        async with open_service(settings) as service:
            await service.ensure_bucket()
            await service.upload_bytes(csv.encode(), "amts/pd/bench.csv", "text/csv")
            await service.put_parallel_data("bench", "s3://amts/amts/pd/bench.csv")
            await service.wait_parallel_data("bench", poll_interval=0.05, timeout=60)

            started = time.perf_counter()
            await service.upload_folder(workdir / "docs", "amts/in/bench")
            upload = time.perf_counter() - started

            describe = service.describe_job
            describe_times: list[float] = []

            async def timed_describe(job_id: str):
                begin = time.perf_counter()
                try:
                    return await describe(job_id)
                finally:
                    describe_times.append(time.perf_counter() - begin)

            service.describe_job = timed_describe  # type: ignore[method-assign]
            job = await service.start_job(
                input_s3_uri="s3://amts/amts/in/bench/", output_s3_uri="s3://amts/amts/out/",
                source_language="en", target_languages=["zh"], parallel_data_names=["bench"])
            begin_job = time.perf_counter()
            done = await service.wait_job(job.job_id, poll_interval=0.2, max_poll_interval=1.0,
                                          timeout=600)
            job_wall = time.perf_counter() - begin_job

            started = time.perf_counter()
            output = await service.download_job_output(done, workdir / "result")
            download = time.perf_counter() - started
    finally:
        backend.stop()

    polling = sum(describe_times)
    per_doc = lambda seconds: 1000 * seconds / documents  # noqa: E731
    print(f"documents: {documents}  concurrency: {concurrency}  job: {done.status}, "
          f"{len(output.files)} files back, {len(output.errors)} errors")
    print(f"upload:    {upload:7.3f} s  {per_doc(upload):7.2f} ms/doc")
    print(f"polling:   {polling:7.3f} s  {per_doc(polling):7.2f} ms/doc  "
          f"({len(describe_times)} Describe calls)")
    print(f"download:  {download:7.3f} s  {per_doc(download):7.2f} ms/doc")
    client = upload + polling + download
    print(f"client:    {client:7.3f} s  {per_doc(client):7.2f} ms/doc")
    print(f"job on the local endpoint (wall, not client time): {job_wall:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="amts-bench-") as workdir:
        asyncio.run(run(args.documents, args.concurrency, Path(workdir)))


if __name__ == "__main__":
    main()
