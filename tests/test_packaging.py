"""The wheel carries what a fresh install needs: the code, the schemas editors use and the
shipped story (with its media and writers' transcripts), so `diana validate` works on it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parent.parent
SHIPPED = ("pyproject.toml", "README.md", "engine", "cli", "schemas", "content")


def test_the_wheel_ships_schemas_and_the_story(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    for name in SHIPPED:  # build from a copy: building writes build/ and *.egg-info
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, source / name)
    out = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "-w",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("diana-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    data = next(n.split("/data/")[0] for n in names if ".data/data/share/diana/" in n)
    shared = {n.removeprefix(f"{data}/data/share/diana/") for n in names if n.startswith(data)}
    expected = {
        str(p.relative_to(ROOT))
        for folder in ("schemas", "content")
        for p in (ROOT / folder).rglob("*")
        if p.is_file()
    }
    assert expected <= shared, sorted(expected - shared)
    assert "engine/runtime/engine.py" in names and "cli/main.py" in names
