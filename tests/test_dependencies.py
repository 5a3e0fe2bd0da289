"""The pinned requirements and environment.yml must agree."""

import re
import sys
from pathlib import Path

import yaml

from hki_intl import PROJECT_ROOT

PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_requirements(name: str = "requirements.txt") -> tuple[dict[str, str], dict[str, str]]:
    """(direct, all) pins of a requirements file; the direct ones come before the marker line.
    requirements-lab.txt includes requirements.txt with its one ``-r`` line (not counted here)."""
    direct, every, in_direct = {}, {}, True
    for line in (PROJECT_ROOT / name).read_text().splitlines():
        if line.startswith("# --- transitive"):
            in_direct = False
        match = PIN.match(line.strip())
        if match:
            canonical, version = _canonical(match[1]), match[2]
            every[canonical] = version
            if in_direct:
                direct[canonical] = version
        elif line.strip() and not line.startswith("#") and line != LAB_INCLUDES:
            raise AssertionError(f"{name}: not an exact pin: {line!r}")
    return direct, every


LAB = "requirements-lab.txt"
LAB_INCLUDES = "-r requirements.txt"


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
    lab, _ = pinned_requirements(LAB)
    assert listed == direct | lab


def test_the_lab_requirements_pin_jupyterlab_on_top_of_the_reports():
    """requirements-lab.txt includes requirements.txt and pins only what JupyterLab adds: none of
    the report's pins is repeated (with another version it would change the report's install)."""
    lines = (PROJECT_ROOT / LAB).read_text().splitlines()
    assert [line for line in lines if line.startswith("-")] == [LAB_INCLUDES]
    lab, every_lab = pinned_requirements(LAB)
    _, every = pinned_requirements()
    assert set(lab) == {"jupyterlab"}
    assert {"jupyter-server", "jupyterlab-server"} <= set(every_lab)
    assert not set(every_lab) & set(every), "a package of requirements.txt is pinned again"
    names = [PIN.match(line)[1] for line in lines if PIN.match(line)]
    assert len(names) == len({_canonical(n) for n in names}), "a package is pinned twice"


def test_environment_python_matches_the_supported_version():
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python == "python=3.11"
    assert sys.version_info >= (3, 11)


def _pyproject() -> dict:
    import tomllib

    return tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_package_declares_the_direct_pins():
    """pyproject's runtime dependencies and its dev extra are exactly requirements.txt's direct pins."""
    project = _pyproject()["project"]
    declared = {}
    for entry in [*project["dependencies"], *project["optional-dependencies"]["dev"]]:
        match = PIN.match(entry)
        assert match, f"pyproject.toml: not an exact pin: {entry!r}"
        declared[_canonical(match[1])] = match[2]
    direct, _ = pinned_requirements()
    assert declared == direct
    runtime = {_canonical(PIN.match(e)[1]) for e in project["dependencies"]}
    assert not runtime & {"pytest", "ruff", "mypy", "hypothesis", "pypdf"}  # tools stay in the dev extra


def test_the_package_declares_the_lab_pin_as_its_lab_extra():
    lab = {_canonical(PIN.match(e)[1]): PIN.match(e)[2] for e in _pyproject()["project"]["optional-dependencies"]["lab"]}
    assert lab == pinned_requirements(LAB)[0]


def test_the_package_ships_every_file_it_reads():
    """Every non-Python file in hki_intl/ (templates, styles, the chart script, the world map) is
    package data, so an installed package has them too."""
    from fnmatch import fnmatch

    patterns = _pyproject()["tool"]["setuptools"]["package-data"]["*"]
    files = [p for p in (PROJECT_ROOT / "hki_intl").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    unshipped = [p.name for p in files if p.suffix != ".py" and not any(fnmatch(p.name, pat) for pat in patterns)]
    assert files and unshipped == []


def test_the_hki_intl_command_is_installed_and_runs():
    """`make` installs the package (editable) into .venv, with its console script."""
    import subprocess

    script = _pyproject()["project"]["scripts"]["hki-intl"]
    assert script == "hki_intl.cli:main"
    command = Path(sys.executable).parent / "hki-intl"
    assert command.is_file(), f"{command} is missing: run make (it installs the package with pip install -e .)"
    done = subprocess.run([str(command), "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "templates" in done.stdout and "run" in done.stdout
