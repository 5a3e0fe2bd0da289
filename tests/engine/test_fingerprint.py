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


def test_the_code_fingerprint_leaves_out_the_example_generator(tmp_path, monkeypatch):
    """Editing demo data must not invalidate every cached report stage; editing the report's code must."""
    import shutil

    from hki_intl import PROJECT_ROOT
    from hki_intl.engine import fingerprint

    package = tmp_path / "hki_intl"
    shutil.copytree(PROJECT_ROOT / "hki_intl", package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(fingerprint, "PACKAGE_DIR", package)
    of = fingerprint.code_fingerprint.__wrapped__  # the cached one is for the real package
    before = of()
    (package / "example.py").write_text("# other demo data\n")
    (package / "report" / "explore.py").write_text("# other labels for the analyst's own questions\n")
    assert of() == before
    (package / "report" / "analysis.py").write_text("# other figures\n")
    assert of() != before


def test_the_explore_notebook_is_not_one_of_the_reports():
    """notebooks/explore.ipynb is the analyst's: changing it re-runs no report notebook."""
    from hki_intl import EXPLORE_NOTEBOOK
    from hki_intl.engine.fingerprint import notebook_fingerprints

    assert EXPLORE_NOTEBOOK.is_file()
    assert set(notebook_fingerprints()) == {"competence", "recognition", "influence", "goal", "summary"}


def test_the_targets_file_is_part_of_the_params_key(tmp_path):
    """params/targets.yaml keys every stage like the other params files: a changed target
    reruns the notebooks that judge it."""
    import shutil

    from hki_intl import PARAMS_DIR
    from hki_intl.engine.fingerprint import params_fingerprint

    folder = tmp_path / "params"
    shutil.copytree(PARAMS_DIR, folder)
    before = params_fingerprint(folder)
    path = folder / "targets.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("value: 190", "value: 200"), encoding="utf-8")
    assert params_fingerprint(folder) != before
