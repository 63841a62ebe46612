"""Semantic checks over a compiled story: flow, economy, emotions, Telegram limits, unused names.

Each check module exposes `check(ctx)`; they all run, and each reports every problem it finds.
Checks that need a consistent graph (flow, economy, emotions) skip themselves when earlier
stages reported errors: a dangling reference would make their findings misleading. The story
graph is built once, on first use, and shared by every module through the context.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from engine.content.checks import economy, emotions, flow, telegram, unused
from engine.content.checks.graph import Graph, build_graph
from engine.content.compiled import Story
from engine.content.diagnostics import DiagnosticBag

if TYPE_CHECKING:  # the compiler is not needed to run checks; keep the import graph light
    from engine.content.compiler import CompileResult

__all__ = ["CheckContext", "run_checks"]


@dataclass(slots=True)
class CheckContext:
    """What every check reads: the compiled story, where things are, and where to report."""

    compiled: CompileResult
    story: Story
    bag: DiagnosticBag
    root: Path
    has_errors_before: bool
    _graph: Graph | None = field(default=None, repr=False)

    @property
    def graph(self) -> Graph:
        """The story graph with reachability and SCCs, built once for all checks."""
        if self._graph is None:
            self._graph = build_graph(self.story)
        return self._graph


def run_checks(compiled: CompileResult, bag: DiagnosticBag, root: Path) -> None:
    """Run every semantic check on `compiled`, appending diagnostics to `bag`."""
    if compiled.story is None:
        return
    ctx = CheckContext(compiled, compiled.story, bag, root, bag.has_errors())
    for module in (flow, economy, emotions, telegram, unused):
        module.check(ctx)
