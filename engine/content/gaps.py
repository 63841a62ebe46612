"""Files that could not be read, and the knock-on reports they would cause elsewhere.

A file whose YAML or schema failed has no model, so the compiler never sees what it declares:
every reference to one of its fragments would be reported as unknown (D302) and a broken
`story.yaml` would look missing (D110). Those reports are echoes of the file's own error, so
they are muted while it stands, and the file's first error notes how many went unchecked.

What can still be read is used, so that only echoes are muted: the `kind:` of a file with a
syntax error (from its top-level `kind:` line), and the fragment ids of a chapter whose schema
failed (from its plain data). When a file's kind or a chapter's ids cannot be read, every
reference it might answer is muted: being quiet is sound, guessing is not.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from engine.content.diagnostics import DiagnosticBag, Severity
from engine.content.model import FILE_KINDS
from engine.content.yamlsrc import YamlDocument

_KIND_LINE = re.compile(r"""kind:[ \t]*["']?([A-Za-z_]+)["']?[ \t]*(?:#.*)?$""")


@dataclass(frozen=True, slots=True)
class Unread:
    """What is known of a file that has no model."""

    path: str
    kind: str | None
    """None when even the kind could not be read."""
    fragments: frozenset[str] | None
    """The fragment ids a chapter declares; None when they could not be read."""

    def may_declare(self, fragment: str) -> bool:
        if self.kind is None:
            return True
        return self.kind == "chapter" and (self.fragments is None or fragment in self.fragments)


def unread(doc: YamlDocument) -> Unread:
    """What can still be said about `doc`, whose model could not be built."""
    data = doc.data
    kind: object = None
    if isinstance(data, dict):
        kind = data.get("kind")
    elif data is None:  # a syntax error: look for the top-level `kind:` line
        kind = next((m.group(1) for line in doc.lines if (m := _KIND_LINE.match(line))), None)
    if not isinstance(kind, str) or kind not in FILE_KINDS:
        return Unread(doc.path, None, None)
    fragments = None
    if kind == "chapter" and isinstance(data, dict):
        items = data.get("fragments")
        if isinstance(items, list):
            ids = [item.get("id") if isinstance(item, dict) else None for item in items]
            if all(isinstance(i, str) for i in ids):
                fragments = frozenset(str(i) for i in ids)
    return Unread(doc.path, kind, fragments)


@dataclass(slots=True)
class Gaps:
    """The unread files of one load; `explains` is the bag's mute rule while compiling."""

    files: list[Unread] = field(default_factory=list)
    explained: Counter[str] = field(default_factory=Counter)
    """Per unread file, how many reports it may explain (and so were muted)."""

    def explains(self, code: str, fields: Mapping[str, object]) -> bool:
        """Whether some unread file may make this report untrue; records which files."""
        if code == "D110":  # "no story file" beside the story file's own error: not noted
            return any(f.kind in (None, fields.get("kind")) for f in self.files)
        if code == "D302":
            culprits = [f for f in self.files if f.may_declare(str(fields.get("target")))]
        elif code == "D304" and fields.get("what") == "choice":
            fragment = str(fields.get("name")).partition(".")[0]
            culprits = [f for f in self.files if f.may_declare(fragment)]
        elif code == "D804":  # a translation for a text the unread file may hold
            culprits = [f for f in self.files if f.kind in (None, "chapter")]
        else:
            return False
        self.explained.update(f.path for f in culprits)
        return bool(culprits)

    def annotate(self, bag: DiagnosticBag) -> None:
        """Note on each culprit's first error how many reports it kept unchecked."""
        for path, count in self.explained.items():
            first = min(
                (
                    i
                    for i, d in enumerate(bag.items)
                    if d.position.path == path and d.severity is Severity.ERROR
                ),
                key=lambda i: bag.items[i].sort_key(),
                default=None,
            )
            if first is not None:
                s = "" if count == 1 else "s"
                note = (
                    f"{count} reference{s} in other files to ids this file may define "
                    "went unchecked; fix this file first"
                )
                bag.items[first] = replace(bag.items[first], note=note)
