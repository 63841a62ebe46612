"""Misuse of the runtime API: precise errors that say what would have been valid.

Content problems never reach the runtime (the compiler reports them) and a player pressing an
outdated button is an ordinary outcome, not an error. These exceptions are for callers (the
bot, the preview, tests) that ask for something impossible; all share one base class so an
adapter can catch them in one place.
"""

from __future__ import annotations


class RuntimeMisuse(Exception):
    """The caller asked the runtime for something impossible in the current state."""


class NotStarted(RuntimeMisuse):
    """A choice was made for a player who has not started the story."""

    def __init__(self) -> None:
        super().__init__("the player has not started the story; call start() first")


class StoryOver(RuntimeMisuse):
    """A choice was made while the player stands on an ending."""

    def __init__(self, fragment: str) -> None:
        self.fragment = fragment
        super().__init__(
            f"the story is over (ending '{fragment}'); call start() to play again "
            "or start(chapter=...) to replay a chapter"
        )


class MalformedChoiceRef(RuntimeMisuse):
    """A choice reference that no button could have carried."""

    def __init__(self, ref: object) -> None:
        self.ref = ref
        super().__init__(
            f"malformed choice reference {ref!r}; expected '<fragment id>.<choice id>' as "
            "carried by Button.ref, e.g. 'salon.vino'"
        )


class UnknownChoice(RuntimeMisuse):
    """A well-formed reference that names no choice anywhere in the story.

    A button of another fragment (an old message) is an ordinary outcome, `Outcome.STALE`;
    a reference no button of this story ever carried is the caller's mistake.
    """

    def __init__(self, ref: str, valid: list[str]) -> None:
        self.ref = ref
        here = ", ".join(valid) or "none (the player stands on a fragment without choices)"
        super().__init__(f"no choice '{ref}' in this story; the current fragment's are: {here}")


class UnknownChapter(RuntimeMisuse):
    def __init__(self, chapter: str, valid: list[str]) -> None:
        super().__init__(f"no chapter '{chapter}'; valid chapters: {', '.join(valid)}")


class UnknownOffer(RuntimeMisuse):
    def __init__(self, offer: str, valid: list[str]) -> None:
        names = ", ".join(valid) or "none (vip.yaml declares no offers)"
        super().__init__(f"no VIP offer '{offer}'; valid offers: {names}")


class UnknownTier(RuntimeMisuse):
    def __init__(self, tier: str, valid: list[str]) -> None:
        super().__init__(f"no VIP tier '{tier}'; valid tiers: {', '.join(valid)}")


class InvalidArgument(RuntimeMisuse):
    """An argument outside what the runtime accepts (naive time, unknown time zone...)."""


class StateFormatError(RuntimeMisuse):
    """Saved state that cannot be read: not JSON, a missing field or a wrong type."""


class StateFormatTooNew(StateFormatError):
    """Saved by a newer engine whose format this engine cannot read."""

    def __init__(self, written: int, minimum: int, supported: int) -> None:
        self.written = written
        self.minimum = minimum
        self.supported = supported
        super().__init__(
            f"player state format {written} needs a reader of format {minimum} or newer; "
            f"this engine reads state formats up to {supported}: upgrade the engine"
        )
