"""`amts-tui serve-local`: the local S3 and Translate-compatible endpoints, in the foreground."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from amts.engine.workdir import resolve_workdir
from amts.tui.exit_status import ExitStatus

DESCRIPTION = ("Run the local S3 (moto) and Amazon-Translate-compatible endpoints on 127.0.0.1 until "
               "interrupted, for boto3, the AWS CLI or other tools.")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--s3-port", type=int, default=0, help="S3 port (default: a free port)")
    p.add_argument("--translate-port", type=int, default=0, help="Translate port (default: a free port)")
    p.add_argument("--workdir", type=Path, help="where state persists (default: $AMTS_WORKDIR, else .amts)")
    p.add_argument("--job-delay", type=float, default=0.5, help="seconds between a job's state changes")
    p.add_argument("--no-aws-quotas", action="store_true",
                   help="do not enforce AWS quotas (by default, as on AWS: one parallel-data create/update "
                        "at a time)")
    p.add_argument("--aws-quotas", action="store_true", help=argparse.SUPPRESS)  # the default now


def run(args: argparse.Namespace) -> int:
    from amts.engine.local_service import AWS_QUOTAS, LOCAL_ACCESS_KEY, NO_QUOTAS, start_local_backend

    workdir = resolve_workdir(args.workdir)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with start_local_backend(workdir, s3_port=args.s3_port, translate_port=args.translate_port,
                             job_delay=args.job_delay,
                             quotas=NO_QUOTAS if args.no_aws_quotas else AWS_QUOTAS) as backend:
        print(f"S3 endpoint: {backend.s3_endpoint}")
        print(f"Translate endpoint: {backend.translate_endpoint}")
        print(f"Region: {backend.region}; any credentials work (e.g. AWS_ACCESS_KEY_ID={LOCAL_ACCESS_KEY}); "
              f"state in {workdir}. Ctrl-C stops.", flush=True)
        stop.wait()
    print("stopped", file=sys.stderr)
    return ExitStatus.OK
