"""Resume a state saved under an older content version with the current story.

Content releases add, rename and remove things while players are mid-story. Nothing here
fails: unknown variables, emotions, archetypes and clues are dropped, new ones start at their
declared defaults, emotions are clamped to the new bounds, and a player whose fragment was
removed is moved to the fragment declared to replace it (`replaces:`), else to the start of
the chapter it was in, else to the story start.
"""

from __future__ import annotations

from engine.content.compiled import Scalar
from engine.runtime.emotions import initial_mood
from engine.runtime.events import ContentUpdated, PlayerRelocated
from engine.runtime.flow import enter
from engine.runtime.turn import Turn


def migrate(turn: Turn) -> bool:
    """Bring `turn`'s state to the story's content version; True if it had to.

    A state that claims the current version but stands on an unknown fragment (edited by
    hand, or saved by a buggy build) is repaired the same way rather than crashing.
    """
    story = turn.story
    d = turn.d
    if d.content_version == story.content_hash and (
        d.fragment is None or d.fragment in story.fragments
    ):
        return False
    if d.content_version != story.content_hash:
        turn.emit(ContentUpdated(d.content_version, story.content_hash))
        d.content_version = story.content_hash
    turn.changed = True
    variables: dict[str, Scalar] = {}
    for name, default in story.variables.items():
        value = d.variables.get(name, default)
        variables[name] = value if type(value) is type(default) else default
    d.variables = variables
    d.emotions = {
        name: dim.clamp(d.emotions.get(name, dim.start))
        for name, dim in story.emotions.dimensions.items()
    }
    d.archetypes = {name: d.archetypes.get(name, 0) for name in story.archetypes}
    d.clues = frozenset(c for c in d.clues if c in story.clues)
    if all(s.id != d.mood for s in story.emotions.states):
        d.mood = initial_mood(story)
    if d.fragment is not None:
        fragment = story.fragments.get(d.fragment)
        if fragment is not None:
            d.chapter = fragment.chapter
        else:
            _relocate(turn, d.fragment)
    return True


def _relocate(turn: Turn, removed: str) -> None:
    story = turn.story
    d = turn.d
    chapter = story.chapters.get(d.chapter) if d.chapter is not None else None
    replacement = story.replaced.get(removed)
    if replacement is not None and replacement in story.fragments:
        target, reason = replacement, "replaced"
    elif chapter is not None and chapter.start in story.fragments:
        target, reason = chapter.start, "chapter_start"
    else:
        target, reason = story.start, "story_start"
    at = len(turn.events)
    if not enter(turn, target) and target != story.start:
        target, reason = story.start, "story_start"
        enter(turn, target)
    if d.fragment == removed:  # both gated without an upsell: a content error; still move
        d.fragment, d.chapter = story.start, story.fragments[story.start].chapter
    turn.events.insert(at, PlayerRelocated(removed, d.fragment or target, reason))
