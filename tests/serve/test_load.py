"""Thirty contributors uploading at once to the real server on localhost: every upload is answered,
stored as its own version with its exact bytes, numbered once (``benchmarks/serve_load.py`` does the
uploads and prints the response times; here only what was lost counts, not the time)."""

from __future__ import annotations

import pytest

from benchmarks.serve_load import UPLOADS, Upload, lost, measure, response_times, spread


def upload(organisation: str, data: bytes, number: int | None, seconds: float = 1.0) -> Upload:
    return Upload(organisation, data, 303 if number else 429, number, seconds)


def test_uploads_are_spread_over_the_organisations_in_turn():
    assert spread(["a", "b", "c"], 7) == ["a", "b", "c", "a", "b", "c", "a"]


def test_lost_names_every_way_of_losing_an_upload():
    uploads = [upload("a", b"1", 1), upload("a", b"2", 1), upload("b", b"3", 1), upload("b", b"4", None)]
    versions = {("a", 1): b"1", ("b", 1): b"other", ("b", 2): b"4"}
    assert lost(uploads, versions) == [
        "b: answered 429",
        "a version 1 given twice",
        "a version 1: not the bytes uploaded",  # the second upload numbered 1 is not what version 1 holds
        "b version 1: not the bytes uploaded",
        "b version 2: nobody uploaded it",
    ]
    assert lost(uploads[:1] + uploads[2:3], {("a", 1): b"1", ("b", 1): b"3"}) == []


def test_response_times_are_the_median_the_95th_percentile_and_the_slowest():
    uploads = [upload("a", b"", n, seconds=float(n)) for n in range(1, 21)]
    assert response_times(uploads) == (10.5, pytest.approx(19.05), 20.0)


@pytest.mark.slow
def test_thirty_contributors_upload_at_once_and_nothing_is_lost(tmp_path):
    uploads, problems = measure(tmp_path, UPLOADS)
    assert len(uploads) == UPLOADS
    assert [u.status for u in uploads] == [303] * UPLOADS
    assert problems == []
    by_organisation: dict[str, list[int]] = {}
    for u in uploads:
        by_organisation.setdefault(u.organisation, []).append(u.number or 0)
    assert {o: sorted(n) for o, n in by_organisation.items()} == {
        o: list(range(1, len(n) + 1)) for o, n in by_organisation.items()
    }
