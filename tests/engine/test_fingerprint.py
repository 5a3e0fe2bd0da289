"""Content hashes: what keys the run's stages."""

from __future__ import annotations

import hashlib

from hki_intl.engine.fingerprint import combine, sha256_file


def test_a_file_hash_is_the_sha256_of_its_bytes(tmp_path):
    data = bytes(range(256)) * 9000  # over 2 MB: more than one block
    path = tmp_path / "workbook.xlsx"
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()
    path.write_bytes(b"")
    assert sha256_file(path) == hashlib.sha256(b"").hexdigest()


def test_a_key_does_not_depend_on_the_order_of_its_parts():
    assert combine(a=1, b=[2, 3]) == combine(b=[2, 3], a=1)
    assert combine(a=1, b=[2, 3]) != combine(a=1, b=[3, 2])
