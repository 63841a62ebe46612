"""Moving through the story: start, choose, enter a fragment, and the VIP gate on the way.

A pressed button is re-assessed exactly as it would be shown now; anything that no longer
applies (another fragment, a condition now false, a once-only choice already taken) is an
outcome with the state untouched. A cost is charged in the same step that moves the player.
"""

from __future__ import annotations

import re

from engine.content.compiled import Fragment
from engine.runtime.choices import Status, assess, assess_all
from engine.runtime.effects import apply_effects
from engine.runtime.errors import (
    MalformedChoiceRef,
    NotStarted,
    StoryOver,
    UnknownChapter,
    UnknownChoice,
)
from engine.runtime.events import (
    ChoiceMade,
    FragmentEntered,
    NotEnoughPoints,
    PlayerRelocated,
    StoryEnded,
    VipGateBlocked,
)
from engine.runtime.output import Outcome, Step
from engine.runtime.turn import Turn

_REF = re.compile(r"([a-z0-9][a-z0-9_]*)\.([a-z0-9][a-z0-9_]*)")
MAX_UPSELL_HOPS = 4

_REFUSALS = {
    Status.TAKEN: Outcome.ALREADY_TAKEN,
    Status.CONDITION: Outcome.UNAVAILABLE,
    Status.NOT_OFFERED: Outcome.UNAVAILABLE,
}


def enter(turn: Turn, fragment_id: str, choice: str | None = None) -> bool:
    """Put the player on `fragment_id`, or on its upsell when a VIP gate stops them.

    Returns False (and changes nothing but events) when a gate stops the player and there is
    no upsell to show instead.
    """
    story = turn.story
    fragment = story.fragments[fragment_id]
    rank = turn.rank()
    hops = 0
    while fragment.vip_rank > rank:
        upsell = fragment.upsell
        turn.emit(VipGateBlocked(fragment.id, fragment.vip_rank, upsell, choice))
        if upsell is None or upsell not in story.fragments or hops == MAX_UPSELL_HOPS:
            return False
        fragment = story.fragments[upsell]
        hops += 1
    _arrive(turn, fragment)
    return True


def _arrive(turn: Turn, fragment: Fragment) -> None:
    d = turn.d
    fid = fragment.id
    d.fragment = fid
    d.chapter = fragment.chapter
    count = d.visits.get(fid, 0) + 1
    d.visits = d.visits.set(fid, count)
    turn.changed = True
    turn.scene = True
    turn.emit(FragmentEntered(fid, fragment.chapter, count))
    if count == 1 and fragment.reward:
        turn.award(fragment.reward, f"fragment:{fid}")
    if fragment.on_enter is not None:
        apply_effects(turn, fragment.on_enter)
    if fragment.ending is not None:
        turn.emit(StoryEnded(fid, fragment.ending.type))


def regate(turn: Turn) -> None:
    """Move a player off VIP content their VIP no longer covers (it lapsed or was revoked
    while they stood on it): to its upsell, else to the story start, and show where they are
    now. Never the content, not even in a view."""
    d = turn.d
    fid = d.fragment
    if fid is None or fid not in turn.plan.gated:
        return
    if turn.story.fragments[fid].vip_rank <= turn.rank():
        return
    at = len(turn.events)
    if not enter(turn, fid):  # the gate emits VipGateBlocked and leads to the upsell, if any
        enter(turn, turn.story.start)
    turn.events.insert(at, PlayerRelocated(fid, d.fragment or fid, "vip_lapsed"))


def start(turn: Turn, chapter: str | None) -> Step:
    story = turn.story
    target = story.start
    if chapter is not None:
        found = story.chapters.get(chapter)
        if found is None or found.start not in story.fragments:
            raise UnknownChapter(chapter, sorted(story.chapters))
        target = found.start
    if not enter(turn, target):
        turn.reply("vip_locked")
        return turn.finish(Outcome.VIP_LOCKED)
    return turn.finish(Outcome.STARTED)


def parse_ref(ref: object) -> tuple[str, str]:
    """Split a button reference; anything no button could carry is misuse."""
    if not isinstance(ref, str):
        raise MalformedChoiceRef(ref)
    match = _REF.fullmatch(ref)
    if match is None:
        raise MalformedChoiceRef(ref)
    return match.group(1), match.group(2)


def choose(turn: Turn, ref: str) -> Step:
    d = turn.d
    story = turn.story
    known = turn.plan.by_ref.get(ref) if type(ref) is str else None
    if known is None:
        parse_ref(ref)  # raises when no button could have carried it
    if d.fragment is None:
        raise NotStarted
    current = story.fragments[d.fragment]
    if current.ending is not None:
        raise StoryOver(current.id)
    if known is None:
        if turn.base.content_version != story.content_hash:
            return turn.finish(Outcome.STALE)  # a button of the content the state was saved on
        raise UnknownChoice(ref, [o.ref for o in turn.plan.options[current.id]])
    if known[0] != current.id:
        return turn.finish(Outcome.STALE)
    option = known[1]
    choice = option.choice
    rank = turn.rank()
    if choice.fallback:  # offered only when nothing else is: assess the whole fragment
        status = next(
            s
            for o, s, _ in assess_all(turn.ctx, rank, turn.plan.options[current.id])
            if o is option
        )
    else:
        status = assess(turn.ctx, rank, option)[0]
    if status is Status.VIP:
        turn.emit(VipGateBlocked(choice.target, option.need, None, option.ref))
        turn.reply("vip_locked")
        return turn.finish(Outcome.VIP_LOCKED)
    if status is Status.COST:
        turn.emit(NotEnoughPoints(choice.cost, d.points, option.ref))
        turn.reply("short_of_points", cost=choice.cost, missing=choice.cost - d.points)
        return turn.finish(Outcome.SHORT_OF_POINTS)
    if status is not Status.AVAILABLE:
        return turn.finish(_REFUSALS[status])
    ref = option.ref
    if choice.cost:
        turn.charge(choice.cost, f"choice:{ref}")
    turn.events.append(ChoiceMade(current.id, choice.id, choice.target))
    d.chosen = d.chosen.set(ref, d.chosen.get(ref, 0) + 1)
    turn.changed = True
    if choice.effects is not None:
        apply_effects(turn, choice.effects)
    if choice.reward:
        turn.award(choice.reward, f"choice:{ref}")
    if enter(turn, choice.target, ref):
        turn.reply(choice.response or "after_choice")
    else:  # only when an upsell is itself gated (content the checks should refuse)
        turn.scene = True
        turn.reply("vip_locked")
    return turn.finish(Outcome.MOVED)


def view(turn: Turn) -> Step:
    turn.scene = True
    return turn.finish(Outcome.UNCHANGED)
