"""D901: variables, archetypes and clues that are declared but nothing reads or writes.

The compiler records every name a condition reads or an effect targets; to that come the
names shown in text (`{trust}` is a use), and for clues, the effects that unlock them and the
`has_clue()` calls that test them. Only names still unused after the cheap sources are looked
for in the texts. Runs even after errors: a name left unused by a broken expression is at
worst a spurious warning next to the error that explains it.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import repeat
from operator import contains
from typing import TYPE_CHECKING

from engine.content.compiled import Story, Text
from engine.content.expressions import ExprError, parse_substitutions

if TYPE_CHECKING:
    from engine.content.checks import CheckContext


def check(ctx: CheckContext) -> None:
    story, g = ctx.story, ctx.graph
    used = ctx.compiled.used_names
    unused = {name: ("variable", "var") for name in story.variables if name not in used}
    unused.update(
        (name, ("archetype", "archetype")) for name in story.archetypes if name not in used
    )
    if story.clues:
        clues = set(story.clues)
        for _, effects in g.on_enter:
            clues.difference_update(effects.clues)
        for _, _, effects in g.choice_effects:
            clues.difference_update(effects.clues)
        expressions = [
            *g.conditions,
            *(s.when for s in story.emotions.states),
            *(a.when for a in story.economy.achievements),
        ]
        for expr in expressions:
            clues.difference_update(arg for fn, arg in expr.references if fn == "has_clue")
        unused.update((name, ("clue", "clue")) for name in clues)
    if not unused:
        return
    for name in _shown(story, {n for n, (what, _) in unused.items() if what != "clue"}):
        del unused[name]
    for name, (what, prefix) in unused.items():
        pos = ctx.compiled.positions.get(f"{prefix}:{name}")
        if pos is not None:
            ctx.bag.add("D901", pos, what=what, name=name)


def _shown(story: Story, names: set[str]) -> set[str]:
    """Which of `names` some text substitutes, in any language."""
    found: set[str] = set()
    if not names:
        return found
    raws = [raw for text in _all_texts(story) for raw in text.values.values()]
    for name in names:
        braced = "{" + name + "}"
        if not any(map(contains, raws, repeat(braced))):
            continue  # the common case, settled by one C-level scan
        for raw in raws:  # confirm: `{{name}}` is a literal brace, not a substitution
            if braced in raw:
                subs = parse_substitutions(raw)
                if not isinstance(subs, ExprError) and any(n == name for n, _ in subs):
                    found.add(name)
                    break
    return found


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
