"""Content: load, check and compile the story's YAML into an immutable `Story`."""

from engine.content.compiled import Story
from engine.content.diagnostics import Diagnostic, DiagnosticBag, Position, Severity
from engine.content.loader import ContentCache, LoadResult, load_story

__all__ = [
    "ContentCache",
    "Diagnostic",
    "DiagnosticBag",
    "LoadResult",
    "Position",
    "Severity",
    "Story",
    "load_story",
]
