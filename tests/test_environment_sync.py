"""environment.yml (Binder) and pyproject.toml must ask for the same runtime dependencies."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

ROOT = Path(__file__).resolve().parents[1]


def _requirements(lines: list[str]) -> dict[str, SpecifierSet]:
    parsed = [Requirement(line) for line in lines]
    return {req.name.lower().replace("_", "-"): req.specifier for req in parsed}


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def _environment_pip_lines(environment: dict) -> list[str]:
    pip_sections = [d["pip"] for d in environment["dependencies"] if isinstance(d, dict)]
    assert len(pip_sections) == 1, "environment.yml should have exactly one pip: section"
    return pip_sections[0]


def test_environment_yml_lists_the_same_runtime_dependencies_as_pyproject():
    declared = _requirements(_pyproject()["project"]["dependencies"])
    environment = _requirements(_environment_pip_lines(_environment()))
    only_pyproject = sorted(set(declared) - set(environment))
    only_environment = sorted(set(environment) - set(declared))
    assert not only_pyproject, f"in pyproject.toml but not environment.yml: {only_pyproject}"
    assert not only_environment, f"in environment.yml but not pyproject.toml: {only_environment}"
    different = {
        name: (str(declared[name]), str(environment[name]))
        for name in declared
        if declared[name] != environment[name]
    }
    assert not different, f"version constraints differ (pyproject, environment.yml): {different}"


def test_environment_python_satisfies_requires_python():
    requires = SpecifierSet(_pyproject()["project"]["requires-python"])
    pythons = [
        d.split("=", 1)[1]
        for d in _environment()["dependencies"]
        if isinstance(d, str) and d.startswith("python=")
    ]
    assert pythons, "environment.yml pins no python version"
    assert requires.contains(pythons[0] + ".0"), (pythons[0], str(requires))


def test_binder_uses_the_root_environment():
    binder_env = ROOT / "binder" / "environment.yml"
    assert binder_env.exists(), "binder/environment.yml is missing: Binder ignores the root one"
    assert binder_env.read_text(encoding="utf-8") == (ROOT / "environment.yml").read_text(
        encoding="utf-8"
    )
