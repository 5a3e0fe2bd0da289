"""The pinned requirements and environment.yml must agree."""

import re
import sys

import yaml

from hki_intl import PROJECT_ROOT

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_requirements() -> tuple[dict[str, str], dict[str, str]]:
    """(direct, all) pins from requirements.txt; the direct ones come before the marker line."""
    direct, every, in_direct = {}, {}, True
    for line in (PROJECT_ROOT / "requirements.txt").read_text().splitlines():
        if line.startswith("# --- transitive"):
            in_direct = False
        match = PIN.match(line.strip())
        if match:
            name, version = _canonical(match[1]), match[2]
            every[name] = version
            if in_direct:
                direct[name] = version
        elif line.strip() and not line.startswith("#"):
            raise AssertionError(f"requirements.txt: not an exact pin: {line!r}")
    return direct, every


def test_every_requirement_is_pinned_exactly_and_once():
    direct, _every = pinned_requirements()
    assert {
        "papermill",
        "nbconvert",
        "nbformat",
        "ipykernel",
        "pandas",
        "python-calamine",
        "openpyxl",
        "altair",
        "vl-convert-python",
        "scrapbook",
        "six",
        "pyyaml",
    } <= set(direct)
    lines = [PIN.match(line)[1] for line in (PROJECT_ROOT / "requirements.txt").read_text().splitlines() if PIN.match(line)]
    assert len(lines) == len({_canonical(n) for n in lines}), "a package is pinned twice"


def test_environment_yml_lists_the_direct_pins_with_the_same_versions():
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    listed = {}
    for entry in pip_section:
        match = PIN.match(entry)
        assert match, f"environment.yml: not an exact pin: {entry!r}"
        listed[_canonical(match[1])] = match[2]
    direct, _ = pinned_requirements()
    assert listed == direct


def test_environment_python_matches_the_supported_version():
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python == "python=3.11"
    assert sys.version_info >= (3, 11)
