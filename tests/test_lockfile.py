"""The lock files pin the dependency set CI tested: every requirement of pyproject.toml is pinned
at a version it allows, the environment the tests run in is exactly the lock, and the image is
built from the runtime lock. An upgrade is a deliberate commit (`make lock`), never a surprise
from a new release on PyPI."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
RUNTIME_LOCK = REPO / "requirements.lock"
DEV_LOCK = REPO / "requirements-dev.lock"


def pins(lock: Path) -> dict[str, Requirement]:
    """`name==version ; marker` lines of a uv/pip-tools lock (hashes and comments dropped)."""
    joined = re.sub(r"\\\n", " ", lock.read_text(encoding="utf-8"))
    found: dict[str, Requirement] = {}
    for line in joined.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        line = re.sub(r"\s--hash=\S+", "", line).strip()
        req = Requirement(line)
        assert len(req.specifier) == 1 and next(iter(req.specifier)).operator == "==", (
            f"{lock.name}: {line!r} is not pinned with =="
        )
        found[canonicalize_name(req.name)] = req
    return found


def applies(req: Requirement, extra: str = "") -> bool:
    return req.marker is None or req.marker.evaluate({"extra": extra})


def version_of(req: Requirement) -> str:
    return next(iter(req.specifier)).version


def declared() -> tuple[list[Requirement], list[Requirement]]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = [Requirement(r) for r in project["dependencies"]]
    dev = [Requirement(r) for r in project["optional-dependencies"]["dev"]]
    return runtime, dev


@pytest.mark.parametrize(
    ("lock", "with_dev"), [(RUNTIME_LOCK, False), (DEV_LOCK, True)], ids=["runtime", "dev"]
)
def test_every_declared_requirement_is_pinned_at_a_version_it_allows(
    lock: Path, with_dev: bool
) -> None:
    runtime, dev = declared()
    locked = pins(lock)
    for req in runtime + (dev if with_dev else []):
        if not applies(req, "dev"):
            continue
        pin = locked.get(canonicalize_name(req.name))
        assert pin is not None, (
            f"{req.name} is in pyproject.toml but not in {lock.name}: run `make lock`"
        )
        assert req.specifier.contains(version_of(pin), prereleases=True), (
            f"{lock.name} pins {req.name}=={version_of(pin)}, outside pyproject's "
            f"{req.specifier}: run `make lock`"
        )


def test_the_runtime_and_dev_locks_agree() -> None:
    dev = pins(DEV_LOCK)
    for name, pin in pins(RUNTIME_LOCK).items():
        assert name in dev, f"{name} is locked for the image but not for the tests"
        assert version_of(dev[name]) == version_of(pin), (
            f"{name}: the image gets {version_of(pin)}, the tests {version_of(dev[name])}"
        )


def test_the_tests_run_on_exactly_the_locked_versions() -> None:
    wrong = []
    for name, pin in pins(DEV_LOCK).items():
        if not applies(pin):
            continue
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            wrong.append(f"{name}: locked {version_of(pin)}, not installed")
            continue
        if installed != version_of(pin):
            wrong.append(f"{name}: locked {version_of(pin)}, installed {installed}")
    assert not wrong, "the environment is not the lock (run `make test` from a clean .venv):\n" + (
        "\n".join(wrong)
    )


def test_the_image_is_built_from_the_runtime_lock() -> None:
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert "--require-hashes -r requirements.lock" in dockerfile
    assert "!requirements.lock" in (REPO / ".dockerignore").read_text(encoding="utf-8")
