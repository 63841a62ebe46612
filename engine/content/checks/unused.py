"""D901: variables, archetypes and clues that are declared but nothing reads or writes.

The compiler records every name a condition reads or an effect targets; to that come the
names shown in text (`{trust}` is a use), and for clues, the effects that unlock them and the
`has_clue()` calls that test them. Runs even after errors: a name left unused by a broken
expression is at worst a spurious warning next to the error that explains it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from engine.content.compiled import Effects, Story, Text
from engine.content.expressions import ExprError, Expression, parse_substitutions

if TYPE_CHECKING:
    from engine.content.checks import CheckContext


def check(ctx: CheckContext) -> None:
    story = ctx.story
    used = set(ctx.compiled.used_names)
    used.update(_placeholders(story))
    clues: set[str] = set()
    for effects in _effects(story):
        clues.update(effects.clues)
    for expr in _expressions(story):
        clues.update(arg for function, arg in expr.references if function == "has_clue")
    declared = (
        [("variable", "var", name) for name in story.variables]
        + [("archetype", "archetype", name) for name in story.archetypes]
        + [("clue", "clue", name) for name in story.clues]
    )
    for what, prefix, name in declared:
        if name in (clues if what == "clue" else used):
            continue
        pos = ctx.compiled.positions.get(f"{prefix}:{name}")
        if pos is not None:
            ctx.bag.add("D901", pos, what=what, name=name)


def _placeholders(story: Story) -> Iterator[str]:
    """Every name any text substitutes, in any language."""
    for text in _all_texts(story):
        for raw in text.values.values():
            if "{" in raw:
                found = parse_substitutions(raw)
                if not isinstance(found, ExprError):
                    yield from (name for name, _ in found)


def _all_texts(story: Story) -> Iterator[Text]:
    yield story.title
    for f in story.by_index:
        yield f.text
        if f.media is not None and f.media.caption is not None:
            yield f.media.caption
        for c in f.choices:
            yield c.label
            if c.locked_reason is not None:
                yield c.locked_reason
        if f.ending is not None:
            yield f.ending.title
    for by_state in story.emotions.responses.values():
        for variants in by_state.values():
            yield from variants
    eco, vip = story.economy, story.vip
    yield eco.currency_name
    yield from (ch.title for ch in story.chapters.values())
    yield from (s.name for s in story.emotions.states)
    yield from (level.name for level in eco.levels)
    for a in eco.achievements:
        yield a.name
        if a.description is not None:
            yield a.description
    yield from (t.name for t in vip.tiers)
    for o in vip.offers:
        yield o.title
        yield o.description


def _effects(story: Story) -> Iterator[Effects]:
    for f in story.by_index:
        if f.on_enter is not None:
            yield f.on_enter
        for c in f.choices:
            if c.effects is not None:
                yield c.effects


def _expressions(story: Story) -> Iterator[Expression]:
    for f in story.by_index:
        for c in f.choices:
            if c.condition is not None:
                yield c.condition
    for state in story.emotions.states:
        yield state.when
    for a in story.economy.achievements:
        yield a.when
