"""Events as one line of text: the headless output, the job panes and the log all say the same."""

from __future__ import annotations

from amts.engine import events as ev


def describe_event(event: ev.Event, *, with_pipeline: bool = True) -> str:
    """One plain line for an event; `with_pipeline` prefixes the sub-pipeline's name."""
    who = f"[{event.pipeline}] " if with_pipeline and event.pipeline else ""
    match event:
        case ev.StageStarted(stage=stage):
            return f"{who}{stage} started"
        case ev.StageFinished(stage=stage, seconds=seconds):
            return f"{who}{stage} finished in {seconds:.1f} s"
        case ev.Progress(stage=stage, done=done, total=total):
            return f"{who}{stage} {done}/{total}"
        case ev.ResourceStatus(name=name, status=status, imported=imported, failed=failed,
                               skipped=skipped):
            return (f"{who}parallel data {name}: {status} (imported {imported}, failed {failed}, "
                    f"skipped {skipped})")
        case ev.JobStatus(job_id=job_id, status=status, documents_done=done,
                          documents_total=total, message=message):
            docs = f" {done}/{total} documents" if total else ""
            return f"{who}job {job_id}: {status}{docs}" + (f" — {message}" if message else "")
        case ev.CostEstimated(variant=variant, characters=chars, usd=usd):
            return f"{who}cost estimate: {chars} characters, ${usd:.4f} ({variant})"
        case ev.Warning(message=message, path=path, line=line):
            where = f"{path}:{line}: " if path and line else f"{path}: " if path else ""
            return f"{who}warning: {where}{message}"
        case ev.Failed(message=message, stage=stage, status=status):
            said = "STOPPED" if status == ev.PipelineStatus.STOPPED else "FAILED"
            return f"{who}{said}" + (f" at {stage}" if stage else "") + f": {message}"
        case ev.Finished(bleu=bleu, chrf=chrf):
            scores = f" BLEU {bleu:.2f} chrF {chrf:.2f}" if bleu is not None and chrf is not None else ""
            return f"{who}finished{scores}"
        case ev.RunFinished(succeeded=ok):
            return f"run {'succeeded' if ok else 'failed'}"
    return f"{who}{type(event).__name__}"
