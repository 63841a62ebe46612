"""Compile chapters, fragments and choices: resolve ids, gates, effects and conditions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from engine.content import compiled as c
from engine.content import model as m
from engine.content.diagnostics import DiagnosticBag, Position
from engine.content.media import MEDIA_KINDS, media_file
from engine.content.schema_stage import suggest
from engine.content.symbols import ExpressionCompiler, SymbolTable, type_of
from engine.content.texts import TextTable
from engine.content.yamlsrc import Loc, PositionMap, YamlDocument


class FragmentCompiler:
    def __init__(
        self,
        bag: DiagnosticBag,
        texts: TextTable,
        exprs: ExpressionCompiler,
        symbols: SymbolTable,
        vip: c.Vip,
        story: m.StoryManifest,
        index: dict[str, tuple[YamlDocument, m.Fragment, Loc]],
        response_sets: set[str],
        root: str,
    ) -> None:
        self.bag = bag
        self.texts = texts
        self.exprs = exprs
        self.symbols = symbols
        self.vip = vip
        self.story = story
        self.index = index
        self.response_sets = response_sets
        self.root = root
        self.positions: dict[str, Position] = {}
        self.replaced: dict[str, str] = {}
        """Removed fragment id -> the fragment whose `replaces:` names it."""
        self.shadows: list[c.Fragment] = []
        """Later bodies of a duplicated fragment id: checked like any other, never played."""
        self._copies: dict[str, int] = {}
        self._replaced_at: dict[str, Position] = {}
        self._next_index = 0

    def compile(
        self, chapters: Sequence[tuple[m.Chapter, YamlDocument]]
    ) -> tuple[list[c.Fragment], dict[str, c.Chapter]]:
        fragments: list[c.Fragment] = []
        by_chapter: dict[str, list[str]] = {}
        heads: dict[str, tuple[m.Chapter, YamlDocument]] = {}
        for chapter, doc in chapters:
            heads.setdefault(chapter.id, (chapter, doc))
            pos = doc.positions
            rank = self._rank(chapter.vip, pos, ("vip",))
            if chapter.upsell is not None:
                self._target(chapter.upsell, pos, ("upsell",))
            for i, frag in enumerate(chapter.fragments):
                entry = self.index.get(frag.id)
                if entry is None or entry[1] is not frag:  # a duplicate id, already reported
                    self.shadows.append(self._shadow(chapter, rank, frag, pos, ("fragments", i)))
                    continue
                fragments.append(self._fragment(chapter, rank, frag, pos, ("fragments", i)))
                by_chapter.setdefault(chapter.id, []).append(frag.id)
        out: dict[str, c.Chapter] = {}
        for cid, (chapter, doc) in heads.items():
            start = chapter.start or by_chapter.get(cid, [""])[0]
            if chapter.start is not None:
                self._target(chapter.start, doc.positions, ("start",))
            title = self.texts.add(
                f"chapter.{cid}.title", chapter.title, doc.positions.value(("title",))
            )
            out[cid] = c.Chapter(
                cid,
                title,
                start,
                self._rank(chapter.vip, doc.positions, ("vip",)),
                tuple(by_chapter.get(cid, ())),
            )
        return fragments, out

    def _shadow(
        self, chapter: m.Chapter, chapter_rank: int, f: m.Fragment, pos: PositionMap, loc: Loc
    ) -> c.Fragment:
        """Compile a second body of fragment id `f.id` for its own diagnostics only.

        Its texts get ids of their own (`salon#2.text`), so they do not overwrite the first
        body's; its `replaces:` is checked but not recorded.
        """
        copy = self._copies[f.id] = self._copies.get(f.id, 1) + 1
        return self._fragment(chapter, chapter_rank, f, pos, loc, key=f"{f.id}#{copy}")

    def _fragment(
        self,
        chapter: m.Chapter,
        chapter_rank: int,
        f: m.Fragment,
        pos: PositionMap,
        loc: Loc,
        *,
        key: str | None = None,
    ) -> c.Fragment:
        """Compile one fragment; `key` names a shadow's texts (see `_shadow`)."""
        at = pos.value(loc)
        shadow = key is not None
        key = key or f.id
        if not shadow:
            self.positions[f"fragment:{f.id}"] = at
        if f.speaker is not None and f.speaker not in self.story.characters:
            self.bag.add(
                "D303",
                pos.value((*loc, "speaker")),
                name=f.speaker,
                suggestion=suggest(f.speaker, sorted(self.story.characters)),
            )
        rank = max(chapter_rank, self._rank(f.vip, pos, (*loc, "vip")))
        upsell = f.upsell or (chapter.upsell if rank else None)
        if f.upsell is not None:
            self._target(f.upsell, pos, (*loc, "upsell"))
        self._replaces(f, pos, loc, record=not shadow)
        choices: list[c.Choice] = []
        seen: dict[str, Position] = {}
        for i, ch in enumerate(f.choices):
            cloc = (*loc, "choices", i)
            cid = ch.id or ch.to
            cpos = pos.value(cloc)
            if cid in seen:
                self.bag.add(
                    "D301",
                    pos.value((*cloc, "id") if ch.id else (*cloc, "to")),
                    what="choice",
                    id=cid,
                    other=str(seen[cid]),
                )
                continue
            seen[cid] = cpos
            choices.append(self._choice(key, cid, i, ch, pos, cloc))
        index = -1 if shadow else self._next_index
        self._next_index += not shadow
        return c.Fragment(
            id=f.id,
            index=index,
            chapter=chapter.id,
            speaker=f.speaker,
            text=self.texts.add(f"{key}.text", f.text, pos.value((*loc, "text"))),
            media=self._media(key, f.media, pos, (*loc, "media")),
            pause=f.pause,
            on_enter=self._effects(f.on_enter, pos, (*loc, "on_enter")),
            reward=f.reward,
            vip_rank=rank,
            upsell=upsell,
            choices=tuple(choices),
            ending=None
            if f.ending is None
            else c.Ending(
                self.texts.add(
                    f"{key}.ending", f.ending.title, pos.value((*loc, "ending", "title"))
                ),
                f.ending.type,
            ),
            pos=at,
        )

    def _choice(
        self, fid: str, cid: str, i: int, ch: m.Choice, pos: PositionMap, loc: Loc
    ) -> c.Choice:
        self._target(ch.to, pos, (*loc, "to"))
        condition = None
        if ch.if_ is not None:
            condition = self.exprs.compile(ch.if_, pos.value((*loc, "if")))
        if ch.response is not None and ch.response not in self.response_sets:
            self.bag.add(
                "D304",
                pos.value((*loc, "response")),
                what="response set",
                name=ch.response,
                suggestion=suggest(ch.response, sorted(self.response_sets)),
            )
        key = f"{fid}.c.{cid}"
        return c.Choice(
            id=cid,
            index=i,
            label=self.texts.add(f"{key}.label", ch.label, pos.value((*loc, "label"))),
            target=ch.to,
            condition=condition,
            show_when_locked=ch.locked == "show",
            show_vip_locked=ch.locked != "hide",
            locked_reason=None
            if ch.locked_reason is None
            else self.texts.add(
                f"{key}.locked", ch.locked_reason, pos.value((*loc, "locked_reason"))
            ),
            once=ch.once,
            fallback=ch.fallback,
            cost=ch.cost,
            reward=ch.reward,
            vip_rank=self._rank(ch.vip, pos, (*loc, "vip")),
            effects=self._effects(ch.effects, pos, (*loc, "effects")),
            response=ch.response,
            pos=pos.value(loc),
        )

    def _effects(self, e: m.Effects | None, pos: PositionMap, loc: Loc) -> c.Effects | None:
        if e is None:
            return None
        sets: list[tuple[str, c.Scalar]] = []
        for name, value in e.set.items():
            at = pos.key((*loc, "set", name))
            what = self.symbols.target(name, at, numeric=False)
            if what is None:
                continue
            if what != "variable":
                self.bag.add("D402", at, detail=f"'{name}' is an {what}; change it with add:")
            elif type_of(value) is not self.symbols.types[name]:
                self.bag.add(
                    "D402",
                    pos.value((*loc, "set", name)),
                    detail=f"'{name}' is {self.symbols.types[name].value}, "
                    f"not {type_of(value).value}",
                )
            else:
                sets.append((name, value))
        adds: list[tuple[c.Target, str, int]] = []
        for name, delta in e.add.items():
            what = self.symbols.target(name, pos.key((*loc, "add", name)), numeric=True)
            if what is not None:
                adds.append((what, name, delta))
        for i, clue in enumerate(e.clues):
            if clue not in self.story.clues:
                self.bag.add(
                    "D304",
                    pos.value((*loc, "clues", i)),
                    what="clue",
                    name=clue,
                    suggestion=suggest(clue, sorted(self.story.clues)),
                )
        return c.Effects(
            tuple(sets), tuple(adds), tuple(k for k in e.clues if k in self.story.clues)
        )

    def _media(self, fid: str, media: m.Media | None, pos: PositionMap, loc: Loc) -> c.Media | None:
        if media is None:
            return None
        given = [(k, getattr(media, k)) for k in MEDIA_KINDS if getattr(media, k)]
        if len(given) != 1:
            self.bag.add(
                "D204",
                pos.value(loc),
                where="media",
                detail=f"give exactly one of {', '.join(MEDIA_KINDS)}",
            )
            return None
        kind, file = given[0]
        found = media_file(Path(self.root), file)
        if isinstance(found, str):
            self.bag.add("D708", pos.value((*loc, kind)), file=file, detail=found)
        elif not found.is_file():
            self.bag.add("D707", pos.value((*loc, kind)), file=file)
        caption = None
        if media.caption is not None:
            caption = self.texts.add(f"{fid}.caption", media.caption, pos.value((*loc, "caption")))
        return c.Media(kind, file, caption)

    def _replaces(self, f: m.Fragment, pos: PositionMap, loc: Loc, *, record: bool) -> None:
        """Record `f.replaces`: only removed fragments, each replaced by one fragment."""
        for i, old in enumerate(f.replaces):
            at = pos.value((*loc, "replaces", i))
            if old in self.index:
                self.bag.add("D307", at, id=old)
            elif not record:
                continue
            elif old in self.replaced:
                self.bag.add(
                    "D308",
                    at,
                    id=old,
                    fragment=self.replaced[old],
                    other=str(self._replaced_at[old]),
                )
            else:
                self.replaced[old] = f.id
                self._replaced_at[old] = at

    def _rank(self, gate: bool | str, pos: PositionMap, loc: Loc) -> int:
        """0 for free, else the tier's rank; the position is only looked up on error."""
        if gate is False:
            return 0
        if gate is True:
            return 1
        rank = self.vip.rank(gate)
        if rank == 0:
            self.bag.add(
                "D306",
                pos.value(loc),
                name=gate,
                suggestion=suggest(gate, [t.id for t in self.vip.tiers]),
            )
            return 1
        return rank

    def _target(self, target: str, pos: PositionMap, loc: Loc) -> None:
        if target not in self.index:
            self.bag.add(
                "D302", pos.value(loc), target=target, suggestion=suggest(target, list(self.index))
            )
