"""The runtime is pure: no adapters (aiogram, SQLAlchemy), no clock, no randomness, no I/O.
Checked on the source's AST, so it holds for code no test executes. (Its benchmark, which
times and draws random numbers, lives in engine/benchmarks.)"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

RUNTIME = Path(__file__).parent.parent.parent / "engine" / "runtime"
SOURCES = sorted(RUNTIME.glob("*.py"))

BANNED_MODULES = ("aiogram", "sqlalchemy", "random", "time", "secrets", "uuid", "os", "socket")
CLOCK_READS = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "monotonic"),
    ("time", "perf_counter"),
    ("time", "localtime"),
    ("time", "gmtime"),
}
BANNED_CALLS = {"open", "print", "input", "eval", "exec", "hash"}
"""`hash` is allowed in pmap.py only: in-memory bucketing, never saved."""


def _dotted(node: ast.AST) -> tuple[str, ...]:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return tuple(reversed(parts))


def problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            if name.split(".")[0] in BANNED_MODULES:
                found.append(f"{path.name}:{node.lineno} imports {name}")
            if name.split(".")[0] in ("aiogram", "sqlalchemy"):
                found.append(f"{path.name}:{node.lineno} imports {name}")
        if isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            if len(dotted) >= 2 and dotted[-2:] in CLOCK_READS:
                found.append(f"{path.name}:{node.lineno} reads the clock: {'.'.join(dotted)}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            allowed = name == "hash" and path.name == "pmap.py"
            if name in BANNED_CALLS and not allowed:
                found.append(f"{path.name}:{node.lineno} calls {name}()")
    return found


def test_there_is_a_runtime() -> None:
    assert len(SOURCES) > 10


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_runtime_module_is_pure(path: Path) -> None:
    assert problems(path) == []


def test_the_checker_catches_clock_reads(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import datetime\nimport time\nfrom aiogram import Bot\nimport sqlalchemy.orm\n"
        "a = datetime.datetime.now()\nb = datetime.date.today()\nc = time.time()\n"
        "d = datetime.datetime.utcnow()\nprint(hash('x'))\n"
    )
    found = "\n".join(problems(bad))
    for needle in (
        "imports aiogram",
        "imports sqlalchemy.orm",
        "datetime.datetime.now",
        "datetime.date.today",
        "time.time",
        "datetime.datetime.utcnow",
        "calls hash()",
        "calls print()",
        "imports time",
    ):
        assert needle in found, needle
