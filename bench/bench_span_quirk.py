"""Measure: d2l files whose round trip through the local endpoint changes under Amazon's spacing
quirk around protected spans (a space inserted after `</span>`, and perhaps before `<span`).

Every NAME_origin.md of the book goes through `markdown_to_html`, one batch job of the local
Translate endpoint without parallel data (nothing is translated, so the files must come back
byte for byte) with the quirk switched on, and `html_to_markdown`. Prints the files changed for
each quirk setting. Run by hand:
    .venv/bin/python bench/bench_span_quirk.py [BOOK]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "d2l"

import time  # noqa: E402

import boto3  # noqa: E402

from amts.engine.local_service import LocalFaults, start_local_backend  # noqa: E402
from amts.engine.markup.protect import html_to_markdown, markdown_to_html  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/TranslateDataAccess"


def round_trip_book(files: list[Path], workdir: Path, faults: LocalFaults) -> list[Path]:
    """The files whose Markdown does not come back byte for byte from one local batch job."""
    with start_local_backend(workdir, faults, job_delay=0.01) as backend:
        common = dict(region_name=backend.region, aws_access_key_id="x", aws_secret_access_key="x")
        s3 = boto3.client("s3", endpoint_url=backend.s3_endpoint, **common)
        translate = boto3.client("translate", endpoint_url=backend.translate_endpoint, **common)
        s3.create_bucket(Bucket="amts")
        skeletons = {}
        for number, path in enumerate(files):
            document = markdown_to_html(path.read_text(encoding="utf-8"))
            skeletons[f"{number:03d}.html"] = (path, document)
            s3.put_object(Bucket="amts", Key=f"in/{number:03d}.html", Body=document.html.encode())
        job = translate.start_text_translation_job(
            InputDataConfig={"S3Uri": "s3://amts/in/", "ContentType": "text/html"},
            OutputDataConfig={"S3Uri": "s3://amts/out/"}, DataAccessRoleArn=ROLE,
            SourceLanguageCode="en", TargetLanguageCodes=["zh"], ClientToken="round-trip")
        while True:
            props = translate.describe_text_translation_job(JobId=job["JobId"])["TextTranslationJobProperties"]
            if props["JobStatus"] not in ("SUBMITTED", "IN_PROGRESS"):
                break
            time.sleep(0.05)
        out = props["OutputDataConfig"]["S3Uri"].removeprefix("s3://amts/")
        changed = []
        for name, (path, document) in skeletons.items():
            translated = s3.get_object(Bucket="amts", Key=f"{out}zh.{name}")["Body"].read().decode()
            restored = html_to_markdown(translated, document, target_lang="zh").text
            if restored != path.read_text(encoding="utf-8"):
                changed.append(path)
        return changed


def main() -> int:
    book = Path(sys.argv[1]) if len(sys.argv) > 1 else SHARED / "d2l-zh"
    if not book.exists():
        print(f"skipped: {book} is absent")
        return 0
    files = sorted(book.glob("chapter_*/*_origin.md"))
    for label, faults in (("no quirk", LocalFaults()),
                          ("space after </span>", LocalFaults(space_after_span=True)),
                          ("space after </span> and before <span", LocalFaults(space_after_span=True,
                                                                               space_before_span=True))):
        with tempfile.TemporaryDirectory(prefix="amts-bench-quirk-") as work:
            changed = round_trip_book(files, Path(work), faults)
        print(f"{label}: {len(changed)} of {len(files)} files changed"
              + (f" (e.g. {', '.join(p.parent.name + '/' + p.name for p in changed[:3])})" if changed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
