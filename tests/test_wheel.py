"""The wheel works outside the checkout: built, listed, installed into a folder and run from there.

The checkout is copied first (sources only) and the wheel built from the copy, because pip and
setuptools write `build/` and `tutor.egg-info/` into the folder they build: building the checkout
itself would write into the working tree (and into the editable install's metadata) on every run.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCE_FOLDERS = ("tutor", "ingest", "eval", "ui", "data")
REQUIRED = ["tutor/data/genai_interview_guide.txt", "tutor/grading/scoring.json",
            "tutor/data/rubrics/genai_interview_guide.yaml", "tutor/ui/app.py", "tutor/py.typed"]
PROMPTS = re.compile(r"^tutor/prompts/[^/]+\.txt$")
DIST_INFO = re.compile(r"^tutor-[^/]+\.dist-info$")
PIP_ENV = {"PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}  # nothing from the network


def run(args: list[str], cwd: Path, env: dict[str, str],
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, (f"{' '.join(args)} exited {done.returncode}\n"
                                  f"stdout:\n{done.stdout[-3000:]}\nstderr:\n{done.stderr[-3000:]}")
    return done


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without any tutor configuration or Python path, plus `extra`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("TUTOR_", "OPENAI_", "PYTHON"))}
    return {**env, **PIP_ENV, **extra}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel pip builds from a copy of the checkout's sources."""
    work = tmp_path_factory.mktemp("wheel-build")
    source = work / "src"
    source.mkdir()
    for name in SOURCE_FOLDERS:
        shutil.copytree(ROOT / name, source / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    out = work / "dist"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(source)], cwd=work, env=clean_env())
    (built,) = out.glob("tutor-*.whl")
    return built


@pytest.fixture(scope="module")
def wheel_files(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def test_wheel_holds_only_the_tutor_package(wheel_files):
    top = {name.split("/")[0] for name in wheel_files}
    others = sorted(t for t in top if t != "tutor" and not DIST_INFO.match(t))
    assert not others, f"top-level names other than tutor in the wheel: {others}"
    assert any(DIST_INFO.match(t) for t in top)


def test_wheel_ships_the_package_data(wheel_files):
    missing = [name for name in REQUIRED if name not in wheel_files]
    assert not missing, f"missing from the wheel: {missing}"
    assert any(PROMPTS.match(name) for name in wheel_files), "no tutor/prompts/*.txt"
    source_prompts = {f"tutor/prompts/{p.name}" for p in (ROOT / "tutor" / "prompts").glob("*.txt")}
    assert source_prompts <= set(wheel_files)


def named_resources() -> dict[str, list[str]]:
    """Wheel path -> [file:line] of every `resources.files("pkg").joinpath("name")` in the code,
    i.e. every package resource the library opens by a literal name."""
    found: dict[str, list[str]] = {}
    for name in SOURCE_FOLDERS:
        for path in sorted((ROOT / name).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                package, resource = _joinpath_literals(node)
                if package and resource:
                    found.setdefault(f"{package.replace('.', '/')}/{resource}", []).append(
                        f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _joinpath_literals(node: ast.AST) -> tuple[str | None, str | None]:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "joinpath" and node.args
            and isinstance(node.args[0], ast.Constant)):
        return None, None
    files = node.func.value
    if (isinstance(files, ast.Call) and files.args and isinstance(files.args[0], ast.Constant)
            and getattr(files.func, "attr", getattr(files.func, "id", "")) == "files"):
        return str(files.args[0].value), str(node.args[0].value)
    return None, None


@pytest.mark.parametrize(("wanted", "where"), sorted(named_resources().items()),
                         ids=sorted(named_resources()))
def test_every_resource_the_code_opens_is_in_the_wheel(wheel_files, wanted, where):
    """A resource named in the code but absent from the wheel fails only once installed
    (or, worse, is quietly replaced by a default)."""
    names = set(wheel_files)
    assert wanted in names or any(n.startswith(wanted + "/") for n in names), (
        f"{where} opens {wanted}, which the wheel does not contain")


def test_installed_wheel_ingests_and_searches_outside_the_checkout(wheel, tmp_path):
    site, data, cwd = tmp_path / "site", tmp_path / "data", tmp_path / "cwd"
    cwd.mkdir()
    run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site),
         str(wheel)], cwd=cwd, env=clean_env())
    env = clean_env(PYTHONPATH=str(site), TUTOR_DATA_DIR=str(data), HF_HUB_OFFLINE="1",
                    XDG_DATA_HOME=str(tmp_path / "xdg"), ANONYMIZED_TELEMETRY="False")

    where = run([sys.executable, "-c",
                 "import tutor, tutor.ingest, tutor.eval, tutor.ui\n"
                 "from tutor.core.settings import BUNDLED_GUIDE\n"
                 "for m in (tutor, tutor.ingest, tutor.eval, tutor.ui): print(m.__file__)\n"
                 "print(BUNDLED_GUIDE)"], cwd=cwd, env=env).stdout.split()
    outside = [path for path in where if not Path(path).resolve().is_relative_to(site)]
    assert not outside, f"not imported from the installed wheel under {site}: {outside}"

    run([sys.executable, "-m", "tutor.cli", "ingest"], cwd=cwd, env=env)
    found = run([sys.executable, "-m", "tutor.cli", "search", "lora", "--json"], cwd=cwd, env=env)
    hits = json.loads(found.stdout)["hits"]
    assert hits and "LoRA" in hits[0]["section"], hits[:1]
    assert (data / "index").is_dir() and not (cwd / "data").exists()
