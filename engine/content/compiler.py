"""Compile validated files into the immutable runtime `Story`.

Order matters and is the same for every story: declarations (manifest, emotions, VIP tiers)
first, so that fragments, economy and responses can be resolved against them; texts are frozen
last, after translation files have been applied. Every problem is a diagnostic; a story with
errors still compiles as far as it can so that later stages can report theirs too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from pydantic import BaseModel

from engine.content import compiled as c
from engine.content import model as m
from engine.content.compile_bot import compile_bot
from engine.content.compile_config import ConfigCompiler
from engine.content.compile_fragments import FragmentCompiler
from engine.content.diagnostics import DiagnosticBag, Position
from engine.content.expressions import Type
from engine.content.symbols import ExpressionCompiler, SymbolTable, type_of
from engine.content.texts import TextTable
from engine.content.yamlsrc import Loc, YamlDocument

SINGLETONS = ("story", "economy", "vip", "emotions")
OPTIONAL_SINGLETONS = ("bot",)


@dataclass(frozen=True, slots=True)
class Validated:
    kind: str
    model: BaseModel
    doc: YamlDocument


@dataclass(slots=True)
class CompileResult:
    story: c.Story | None
    positions: dict[str, Position] = field(default_factory=dict)
    """Where things were declared: `text:<id>`, `var:<name>`, `state:<id>`, `level:<id>`..."""
    used_names: set[str] = field(default_factory=set)
    shadows: tuple[c.Fragment, ...] = ()
    """Later bodies of duplicated fragment ids (D301): checked, never played."""


def content_hash(
    files: Sequence[tuple[str, bytes]], media: Sequence[tuple[str, bytes]] = ()
) -> str:
    """The content version: a short digest of every content file's path and bytes, and of
    every media file's path and digest (a changed image is a new release).

    Paths are relative to the content folder with `/` separators, so the hash does not
    depend on how the folder was named on the command line or where it was run from.
    """
    h = hashlib.blake2b(digest_size=8)
    for tag, entries in ((b"file", files), (b"media", media)):
        for path, raw in sorted(entries):
            for part in (tag, path.encode(), raw):
                h.update(len(part).to_bytes(8, "big"))
                h.update(part)
    return h.hexdigest()


class _Compiler:
    def __init__(
        self,
        files: Sequence[Validated],
        bag: DiagnosticBag,
        root: str,
        digest: str,
        lines: Callable[[str], list[str]],
    ) -> None:
        self.files = files
        self.bag = bag
        self.root = root
        self.digest = digest
        self.positions: dict[str, Position] = {}
        self.singletons: dict[str, Validated] = {}
        for f in files:
            if f.kind in SINGLETONS or f.kind in OPTIONAL_SINGLETONS:
                if f.kind in self.singletons:
                    other = self.singletons[f.kind].doc.path
                    self.bag.add("D111", f.doc.positions.value(("kind",)), kind=f.kind, other=other)
                else:
                    self.singletons[f.kind] = f
        self.symbols = SymbolTable(bag)
        self.lines = lines

    def run(self) -> CompileResult:
        missing = [k for k in SINGLETONS if k not in self.singletons]
        for kind in missing:
            self.bag.add("D110", Position(self.root), kind=kind, path=self.root)
        if missing:
            return CompileResult(None)
        story_f = self.singletons["story"]
        story = story_f.model
        assert isinstance(story, m.StoryManifest)
        texts = TextTable(story.language, tuple(story.languages), self.bag)
        self.texts = texts
        self._declare(story, story_f.doc)
        emo_f = self.singletons["emotions"]
        assert isinstance(emo_f.model, m.Emotions)
        for name in emo_f.model.dimensions:
            at = emo_f.doc.positions.key(("dimensions", name))
            self.symbols.declare(name, "emotion", Type.NUMBER, at)
            self.positions[f"dim:{name}"] = at
        extra = frozenset(self.symbols.targets)
        texts.known_placeholders = texts.known_placeholders | extra

        chapters = [(f.model, f.doc) for f in self.files if isinstance(f.model, m.Chapter)]
        frags = self._index_fragments(chapters)
        choice_refs = {
            f"{fr.id}.{ch.id or ch.to}" for _, fr, _ in frags.values() for ch in fr.choices
        }
        exprs = ExpressionCompiler(self.symbols, frags, story.clues, choice_refs, self.lines)
        config = ConfigCompiler(self.bag, texts, exprs, self.positions, self.singletons)
        vip = config.vip()
        emotions = config.emotions(set(story.characters))
        economy = config.economy()
        fc = FragmentCompiler(
            self.bag,
            texts,
            exprs,
            self.symbols,
            vip,
            story,
            frags,
            set(emotions.responses),
            self.root,
        )
        fragments, chapter_map = fc.compile(chapters)
        bot = None
        bot_f = self.singletons.get("bot")
        if bot_f is not None:
            assert isinstance(bot_f.model, m.Bot)
            bot = compile_bot(bot_f.model, bot_f.doc, texts)
        if story.start not in frags:
            self.bag.add(
                "D302", story_f.doc.positions.value(("start",)), target=story.start, suggestion=""
            )
        for f in self.files:
            if isinstance(f.model, m.Translations):
                strings = f.model.strings
                texts.apply_translations(
                    f.model.language,
                    strings,
                    [f.doc.positions.key(("strings", k)) for k in strings],
                )
        texts.freeze()
        self.positions.update({f"text:{k}": v for k, v in texts.positions.items()})
        self.positions.update(fc.positions)
        built = c.Story(
            id=story.id,
            title=self.title,
            format_version=story.format,
            content_hash=self.digest,
            default_language=story.language,
            languages=tuple(story.languages),
            start=story.start,
            timezone=story.timezone,
            characters=MappingProxyType(self.characters),
            variables=MappingProxyType(dict(story.variables)),
            archetypes=MappingProxyType(self.archetypes),
            clues=MappingProxyType(self.clues),
            fragments=MappingProxyType({f.id: f for f in fragments}),
            by_index=tuple(fragments),
            chapters=MappingProxyType(chapter_map),
            economy=economy,
            vip=vip,
            emotions=emotions,
            bot=bot,
            replaced=MappingProxyType(fc.replaced),
        )
        return CompileResult(built, self.positions, self.symbols.used, tuple(fc.shadows))

    def _declare(self, story: m.StoryManifest, doc: YamlDocument) -> None:
        pos = doc.positions
        t = self.texts
        self.title = t.add("story.title", story.title, pos.value(("title",)))
        self.characters = {
            cid: t.add(
                f"character.{cid}.name",
                ch.name,
                pos.value(("characters", cid, "name")),
                neutral=True,
            )
            for cid, ch in story.characters.items()
        }
        self.archetypes: dict[str, c.Text] = {}
        self.clues: dict[str, c.Text] = {}
        for name, value in story.variables.items():
            at = pos.key(("variables", name))
            self.symbols.declare(name, "variable", type_of(value), at)
            self.positions[f"var:{name}"] = at
        for aid, arch in story.archetypes.items():
            at = pos.key(("archetypes", aid))
            self.symbols.declare(aid, "archetype", Type.NUMBER, at)
            self.positions[f"archetype:{aid}"] = at
            self.archetypes[aid] = t.add(
                f"archetype.{aid}.name", arch.name, pos.value(("archetypes", aid, "name"))
            )
        for clue_id, clue in story.clues.items():
            self.positions[f"clue:{clue_id}"] = pos.key(("clues", clue_id))
            self.clues[clue_id] = t.add(
                f"clue.{clue_id}.name", clue.name, pos.value(("clues", clue_id, "name"))
            )

    def _index_fragments(
        self, chapters: Sequence[tuple[m.Chapter, YamlDocument]]
    ) -> dict[str, tuple[YamlDocument, m.Fragment, Loc]]:
        seen: dict[str, tuple[YamlDocument, m.Fragment, Loc]] = {}
        chapter_ids: dict[str, Position] = {}
        for chapter, doc in chapters:
            cpos = doc.positions.value(("id",))
            if chapter.id in chapter_ids and chapter_ids[chapter.id].path == cpos.path:
                self.bag.add(
                    "D301", cpos, what="chapter", id=chapter.id, other=str(chapter_ids[chapter.id])
                )
            chapter_ids.setdefault(chapter.id, cpos)
            for i, frag in enumerate(chapter.fragments):
                loc: Loc = ("fragments", i)
                if frag.id in seen:
                    first_doc, _, first_loc = seen[frag.id]
                    self.bag.add(
                        "D301",
                        doc.positions.value((*loc, "id")),
                        what="fragment",
                        id=frag.id,
                        other=str(first_doc.positions.value((*first_loc, "id"))),
                    )
                    continue
                seen[frag.id] = (doc, frag, loc)
        return seen


def compile_story(
    files: Sequence[Validated],
    bag: DiagnosticBag,
    *,
    root: str,
    digest: str,
    lines: Callable[[str], list[str]],
) -> CompileResult:
    return _Compiler(files, bag, root, digest, lines).run()
