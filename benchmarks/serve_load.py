"""Load on the submission page: ``python -m benchmarks.serve_load [--uploads 30]`` starts the real
server (``pipeline.py serve``) on the example's inputs in a temporary folder, prints every
organisation's link with ``pipeline.py links``, and has that many contributors upload a workbook at
once (one asyncio task and connection each, the uploads spread over the organisations, every
workbook's bytes different). It checks that every upload was stored as its own version with its
exact bytes, and prints the response times of the validation requests (the upload's POST, which
checks the workbook before it answers): p50, p95 and max.

The same upload run is what ``tests/serve/test_load.py`` asserts nothing lost on (not the times:
the machines are shared and noisy). The exit status is 0 whatever the times.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from hki_intl.config.params import load_strategy
from tests.conftest import YEAR
from tests.serve.running import (
    XLSX,
    Links,
    Server,
    csrf_of,
    example_inputs,
    example_workbook,
    free_port,
    make_links,
    sha256,
    version_number,
    version_of,
)

UPLOADS = 30


@dataclass(frozen=True)
class Upload:
    """One contributor's upload: what was sent, how the server answered and how long it took."""

    organisation: str
    data: bytes
    status: int
    number: int | None  # the version the server said it stored
    seconds: float


def spread(organisations: Sequence[str], count: int) -> list[str]:
    """``count`` uploads over the organisations in turn (30 over 9: 4, 4, 4, 3, …)."""
    return [organisations[i % len(organisations)] for i in range(count)]


def payloads(inputs: Path, organisations: Sequence[str]) -> list[tuple[str, bytes]]:
    """A valid workbook of each upload's own organisation, its bytes unlike any other upload's."""
    return [(organisation, version_of(example_workbook(inputs, organisation), i)) for i, organisation in enumerate(organisations)]


async def upload_at_once(links: Links, sent: Sequence[tuple[str, bytes]]) -> list[Upload]:
    """Every upload at the same moment, each on its own connection, as the contributors' browsers."""
    limits = httpx.Limits(max_connections=len(sent) + 1, max_keepalive_connections=len(sent) + 1)
    async with httpx.AsyncClient(timeout=600, limits=limits) as client:
        pages = await asyncio.gather(*(client.get(links.contributors[organisation]) for organisation, _ in sent))
        tokens = [csrf_of(page.text) for page in pages]

        async def one(organisation: str, data: bytes, csrf: str, index: int) -> Upload:
            link = links.contributors[organisation]
            files = {"workbook": (f"toiminta-{index}.xlsx", data, XLSX)}
            started = time.perf_counter()
            answer = await client.post(f"{link}/upload", data={"csrf": csrf}, files=files, follow_redirects=False)
            seconds = time.perf_counter() - started
            number = version_number(answer.headers["location"]) if answer.status_code == 303 else None
            return Upload(organisation, data, answer.status_code, number, seconds)

        return await asyncio.gather(*(one(o, d, t, i) for i, ((o, d), t) in enumerate(zip(sent, tokens, strict=True))))


def stored(links: Links, uploads: Sequence[Upload]) -> dict[tuple[str, int], bytes]:
    """Every version the analyst can download of the organisations uploaded to, by (organisation, number)."""
    found: dict[tuple[str, int], bytes] = {}
    with httpx.Client(timeout=60) as client:
        for organisation in sorted({u.organisation for u in uploads}):
            number = 1
            while (got := client.get(f"{links.analyst}/o/{organisation}/v/{number}/workbook")).status_code == 200:
                found[(organisation, number)] = got.content
                number += 1
    return found


def lost(uploads: Sequence[Upload], versions: dict[tuple[str, int], bytes]) -> list[str]:
    """What went wrong, one line each: an upload refused or not stored with its exact bytes, a number
    given twice, a version nobody sent. Empty when nothing was lost."""
    problems = [f"{u.organisation}: answered {u.status}" for u in uploads if u.number is None]
    numbers = [(u.organisation, u.number) for u in uploads if u.number is not None]
    problems += [f"{o} version {n} given twice" for o, n in sorted(set(numbers)) if numbers.count((o, n)) > 1]
    for u in uploads:
        if u.number is not None and sha256(versions.get((u.organisation, u.number), b"")) != sha256(u.data):
            problems.append(f"{u.organisation} version {u.number}: not the bytes uploaded")
    problems += [f"{o} version {n}: nobody uploaded it" for o, n in sorted(set(versions) - set(numbers))]
    return problems


def response_times(uploads: Sequence[Upload]) -> tuple[float, float, float]:
    """p50, p95 and max of the uploads' response times, in seconds."""
    seconds = sorted(u.seconds for u in uploads)
    p95 = statistics.quantiles(seconds, n=100, method="inclusive")[94] if len(seconds) > 1 else seconds[0]
    return statistics.median(seconds), p95, seconds[-1]


def measure(root: Path, count: int) -> tuple[list[Upload], list[str]]:
    """The example's inputs under ``root``, the real server, ``count`` uploads at once; the uploads
    and what was lost."""
    inputs = example_inputs(root)
    organisations = spread(load_strategy().organisations_in(YEAR), count)
    sent = payloads(inputs, organisations)
    port = free_port()
    links = make_links(inputs, f"http://127.0.0.1:{port}")
    with Server(inputs, port, root / "serve.log"):
        uploads = asyncio.run(upload_at_once(links, sent))
        return uploads, lost(uploads, stored(links, uploads))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uploads", type=int, default=UPLOADS, help="contributors uploading at once")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="serve-load-") as folder:
        uploads, problems = measure(Path(folder), args.uploads)
    p50, p95, worst = response_times(uploads)
    organisations = len({u.organisation for u in uploads})
    print(f"{len(uploads)} uploads at once to {organisations} organisations on {platform.node()} ({os.cpu_count()} cores)")
    print(f"stored as their own versions with their exact bytes: {'all' if not problems else 'NOT ALL'}")
    for problem in problems:
        print(f"  {problem}")
    print(f"validation response: p50 {p50:.2f} s, p95 {p95:.2f} s, max {worst:.2f} s")


if __name__ == "__main__":
    main()
