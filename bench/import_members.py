"""Members import at scale: N rows (default 100 000) with 1 % bad rows, on DynamoDB Local.

Writes the CSV straight to the file store (as an operator's PUT to the upload URL would),
starts the import through the API (``POST /v1/admin/imports/uploads``, then ``.../start``;
the job runs inline in this process), and prints what it imported and rejected, the time,
the DynamoDB calls and the memory: the Python heap's peak while the job runs (tracemalloc)
and the process's peak resident size before and after it (ru_maxrss). Then posts the same
file again: it must import 0 (every good row is skipped, the bad ones are rejected again).

Usage: python bench/import_members.py [N] [--no-tracemalloc]
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import threading
import time
import tracemalloc

from _support import ROOT, OpTimer, call, local_stack

HEADER = b"member_id,phone,email,birthday,points,expires_on\n"
BAD_EVERY = 100  # 1 % of the rows
BAD_KINDS = (
    ("{id},,,,-5,2099-12-31", "points"),
    ("{id},12345,,,10,2099-12-31", "phone"),
    ("{id},,no-at-sign,,10,2099-12-31", "email"),
    ("{id},,,1990-13-01,10,2099-12-31", "birthday"),
    ("{id},,,,10,2001-01-01", "expires_on in the past"),
    ("m-0000001,,,,10,2099-12-31", "duplicate member id"),  # m-0000001 is on row 3
)


def rows(n: int):
    """The file's lines: good members with phone, e-mail and birthday; every 100th bad."""
    for i in range(n):
        member_id = f"m-{i:07d}"
        if i % BAD_EVERY == BAD_EVERY - 1:
            template, _ = BAD_KINDS[(i // BAD_EVERY) % len(BAD_KINDS)]
            yield template.format(id=member_id).encode() + b"\n"
            continue
        phone = f"13{i % 10}{i:08d}"
        line = f"{member_id},{phone},member{i}@example.com,{1 + i % 12:02d}-{1 + i % 28:02d},"
        yield f"{line}{100 + i % 5000},2099-12-31\n".encode()


def write_file(key: str, n: int) -> int:
    from shared import files

    with files.open_writer(key) as out:
        out.write(HEADER)
        for line in rows(n):
            out.write(line)
    return files.size(key) or 0


def watch(import_id: str, started: float, stop: threading.Event) -> None:
    """Print the import's progress every minute (the status item, as GET shows it)."""
    from shared.dynamodb import imports as repo

    while not stop.wait(60):
        job = repo.load(import_id)
        if job is not None:
            elapsed = time.perf_counter() - started
            print(
                f"  … {elapsed:6.0f} s: rows {job.rows}, imported {job.imported}, skipped "
                f"{job.skipped}, rejected {job.rejected_count} ({job.rows / elapsed:,.0f} rows/s)",
                flush=True,
            )


def run_import(gateway, token: str, n: int, traced: bool) -> tuple[dict, float, int, int]:
    """Create an upload, put the file, start (inline): (final status, seconds, heap peak,
    ru_maxrss growth in KiB)."""
    status, created = call(gateway, token, "POST", "/v1/admin/imports/uploads")
    assert status == 201, created
    import_id = created["import_id"]
    size = write_file(f"imports/{import_id}.csv", n)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    stop = threading.Event()
    threading.Thread(target=watch, args=(import_id, started, stop), daemon=True).start()
    status, body = call(gateway, token, "POST", f"/v1/admin/imports/{import_id}/start")
    elapsed = time.perf_counter() - started
    stop.set()
    peak = tracemalloc.get_traced_memory()[1] if traced else 0
    if traced:
        tracemalloc.stop()
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    assert status == 202, body
    status, got = call(gateway, token, "GET", f"/v1/admin/imports/{import_id}?limit=1000")
    assert status == 200, got
    got["file_bytes"] = size
    return got, elapsed, peak, rss_growth


def report(label: str, got: dict, elapsed: float, peak: int, rss_growth: int) -> None:
    print(
        f"{label}: status {got['status']}, rows {got['rows']}, imported {got['imported']}, "
        f"skipped {got['skipped']}, rejected {got['rejected_count']} "
        f"(file {got['file_bytes'] / 1e6:.1f} MB)"
    )
    print(
        f"  time {elapsed:.1f} s ({got['rows'] / elapsed:,.0f} rows/s); "
        f"peak Python heap during the job {peak / 2**20:.1f} MiB (tracemalloc); "
        f"ru_maxrss grew {rss_growth / 1024:.1f} MiB during the job"
    )


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 100_000
    traced = "--no-tracemalloc" not in sys.argv
    files_dir = tempfile.mkdtemp(prefix="import-bench-")
    os.environ["FILES_DIR"] = files_dir
    os.environ["BACKGROUND_JOBS"] = "inline"
    os.environ.setdefault("PII_HMAC_KEY", "bench-only-pii-hmac-key-0123456789abcdef")
    print(f"members import, {n} rows, 1 % bad (repo {ROOT.name}; DynamoDB Local, in memory):")
    with local_stack(table="import-bench") as gateway:
        from shared.dynamodb import connection
        from shared.imports import job

        token = gateway.signer.sign("op-bench", ["operators"])
        timings = OpTimer(connection.connection().client)
        print(f"  chunk {job.CHUNK_ROWS} rows, {job.WORKERS} rows in flight")
        got, elapsed, peak, rss = run_import(gateway, token, n, traced)
        report("first post", got, elapsed, peak, rss)
        sys.stdout.flush()
        print("  DynamoDB: " + timings.summary())
        reasons: dict[str, int] = {}
        for rejected in got["rejected"]:
            kind = rejected["error"].split(" ")[0]
            reasons[kind] = reasons.get(kind, 0) + 1
        print(f"  first page of reasons by first word: {reasons}")
        print(f"  e.g. {got['rejected'][:3]}")
        timings.totals.clear()
        again, elapsed, peak, rss = run_import(gateway, token, n, traced)
        report("re-post of the same file", again, elapsed, peak, rss)
        print("  DynamoDB: " + timings.summary())
        bad = n // BAD_EVERY
        assert (got["imported"], got["rejected_count"]) == (n - bad, bad), got
        # A repeated member id whose first row is skipped (imported by the first post) is
        # skipped too on the re-post, not reported as a duplicate again: nothing is imported.
        assert again["imported"] == 0, again
        assert again["skipped"] + again["rejected_count"] == n, again
        print(
            f"\nimported {got['imported']}, rejected {got['rejected_count']}, "
            f"re-post imported {again['imported']}",
            flush=True,
        )


if __name__ == "__main__":
    main()
