"""The bot's use cases, in Telegram terms but without aiogram's plumbing: a user starts, taps
a button, sends a command. Each one is one `Store` action (one short transaction, idempotent
per update or callback id) followed by what to show; handlers.py wires them to aiogram.

Replies are decided here and sent by `Delivery` after the commit, in tracked tasks, so no
transaction is ever open during a Telegram call and the callback is answered before any slow
work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.persistence import PlayerBlocked, Start, Store, UnknownPlayer
from engine.persistence.ledger import history
from engine.persistence.rows import Extras
from engine.runtime import (
    CheckIn,
    Html,
    Outcome,
    PlayerState,
    Step,
)
from engine.runtime.errors import UnknownChapter
from engine.telegram.bot.callbacks import (
    BadCallback,
    CallbackCodec,
    ChoiceButton,
    LanguageButton,
)
from engine.telegram.bot.present import Outgoing, Presenter, language_names, ref_of


@dataclass(frozen=True, slots=True)
class Tap:
    """What to do after a tap: the pop-up (None: a silent answer) and the messages."""

    notice: str | None
    messages: list[Outgoing]
    edit: bool = False
    """The messages may replace the tapped message (navigation)."""
    alert: bool = False
    outcome: Outcome | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """The Telegram user behind an update, as far as the story cares."""

    id: int
    first_name: str
    language_code: str | None = None


class BotService:
    def __init__(
        self,
        store: Store,
        codec: CallbackCodec,
        *,
        default_language: str | None = None,
        timezone: str | None = None,
    ) -> None:
        self.store = store
        self.codec = codec
        self.default_language = default_language
        self.timezone = timezone
        self.presenter = Presenter(store.engine, codec)

    def use_story(self) -> None:
        """Call after `store.use_story(...)`: the buttons' indices follow the new story."""
        self.presenter = Presenter(self.store.engine, self.codec)

    @property
    def clock_now(self) -> datetime:
        return self.store.clock.now()

    # -- players -----------------------------------------------------------------------------

    async def player(self, person: Person) -> PlayerState:
        """The player's state, registering them with their Telegram language if offered."""
        story = self.store.engine.story
        code = (person.language_code or "")[:2].lower()
        language = code if code in story.languages else self.default_language
        if language not in story.languages:
            language = story.default_language
        return await self.store.ensure_player(
            person.id, name=person.first_name, language=language, timezone=self.timezone
        )

    # -- the story ---------------------------------------------------------------------------

    async def start(self, person: Person, payload: str, key: str) -> list[Outgoing]:
        """/start: begin, resume where the player was, or follow a deep link to a chapter."""
        state = await self.player(person)
        p = self.presenter
        notices: list[Outgoing] = []
        chapter = payload.strip() or None
        if chapter is not None:
            try:
                step = await self.store.act(person.id, Start(chapter), key)
            except UnknownChapter:
                notices.append(Outgoing(p.text(state, "unknown_chapter", chapter=chapter)))
            else:
                return p.messages(step.state, step.output)
        view = self.store.engine.view(state, self.clock_now)
        if state.fragment is not None and not view.ended and not notices:
            return p.messages(state, view)
        if state.fragment is not None and not view.ended:
            return notices + p.messages(state, view)
        step = await self.store.act(person.id, Start(), key)
        return notices + p.messages(step.state, step.output)

    async def tap(self, person: Person, data: str | None, key: str) -> Tap:
        """A tapped inline button; see callbacks.py for what the data carries."""
        state = await self.player(person)
        p = self.presenter
        try:
            payload = self.codec.decode(data)
        except BadCallback:
            return Tap(p.plain(state, "invalid_button"), [])
        if isinstance(payload, LanguageButton):
            return await self._language(person, state, payload.language, key)
        assert isinstance(payload, ChoiceButton)
        ref = ref_of(p, payload)
        if ref is None:
            return Tap(p.plain(state, "stale_button"), [])
        engine = self.store.engine
        fragment = engine.story.by_index[payload.fragment].id

        def compute(s: PlayerState, now: datetime) -> Step:
            if s.fragment != fragment or p.screen(s) != payload.screen:
                return Step(s, engine.view(s, now), (), Outcome.STALE)
            return engine.choose(s, ref, now)

        step = await self.store.perform(person.id, compute, key, None, Extras("choose"))
        after = step.state
        outcome = step.outcome
        if outcome is Outcome.MOVED:
            return Tap(None, p.messages(after, step.output), edit=True)
        if outcome is Outcome.UNCHANGED:  # a redelivered callback: show where the player is
            return Tap(None, p.messages(after, step.output), edit=True)
        if outcome is Outcome.STALE:
            return Tap(p.plain(after, "stale_button"), [])
        button = p.button_at(after, engine.view(after, self.clock_now), ref)
        notice = p.lock_notice(after, button)
        # Diana's answer (short of points, VIP) arrives as messages; the buttons are resent.
        messages = p.messages(after, step.output) if step.output.parts else []
        return Tap(notice, messages, outcome=outcome)

    async def _language(self, person: Person, state: PlayerState, language: str, key: str) -> Tap:
        story = self.store.engine.story
        if language not in story.languages:
            return Tap(self.presenter.plain(state, "invalid_button"), [])
        state = await self.store.update_profile(person.id, language=language, idempotency_key=key)
        p = self.presenter
        name = language_names(story)[language]
        messages = [Outgoing(p.text(state, "language_set", language=name))]
        if state.fragment is not None:
            messages += p.messages(state, self.store.engine.view(state, self.clock_now))
        return Tap(None, messages)

    # -- commands ----------------------------------------------------------------------------

    async def daily(self, person: Person, key: str) -> list[Outgoing]:
        await self.player(person)
        step = await self.store.act(person.id, CheckIn(), key)
        p = self.presenter
        if step.outcome is Outcome.ALREADY_CLAIMED or not step.output.parts:
            return [Outgoing(p.text(step.state, "daily_already"))]
        return p.messages(step.state, step.output._replace(buttons=()))

    async def points(self, person: Person) -> list[Outgoing]:
        state = await self.player(person)
        p = self.presenter
        lines = [
            p.text(
                state,
                "points_line",
                amount=f"{e.amount:+d}",
                reason=Html(self._reason(state, e.reason)),
                date=e.created_at.strftime("%d/%m"),
                balance=e.balance_after,
            )
            for e in await history(self.store.db, person.id, limit=8)
        ]
        recent = "\n".join(lines) if lines else p.text(state, "points_none")
        return [Outgoing(p.text(state, "points", recent=Html(recent)))]

    def _reason(self, state: PlayerState, reason: str) -> str:
        bot = self.store.engine.story.bot
        kind = reason.split(":", 1)[0]
        text = bot.reasons.get(kind) if bot is not None else None
        return self.presenter.content_text(state, text) if text is not None else kind

    async def profile(self, person: Person) -> list[Outgoing]:
        state = await self.player(person)
        story = self.store.engine.story
        p = self.presenter
        render = p.content_text
        nothing = p.text(state, "nothing")
        now = self.clock_now
        if state.vip_tier is not None and (state.vip_until is None or state.vip_until > now):
            until = state.vip_until.strftime("%d/%m/%Y") if state.vip_until else "∞"
            vip = p.text(state, "vip_active", tier=p.tier_name(state, state.vip_tier), until=until)
        else:
            vip = p.text(state, "vip_none")
        best = max(state.archetypes.items(), key=lambda kv: kv[1], default=None)
        archetype = render(state, story.archetypes[best[0]]) if best and best[1] > 0 else nothing
        clues = ", ".join(render(state, story.clues[c]) for c in sorted(state.clues)) or nothing
        names = {a.id: a.name for a in story.economy.achievements}
        achievements = (
            ", ".join(render(state, names[a]) for a in sorted(state.achievements) if a in names)
            or nothing
        )
        chapter = story.chapters.get(state.chapter or "")
        text = p.text(
            state,
            "profile",
            vip=Html(vip),
            archetype=Html(archetype),
            clues=Html(clues),
            achievements=Html(achievements),
            chapter=Html(render(state, chapter.title)) if chapter else nothing,
            visited=sum(1 for _ in state.visits.items()),
            total=len(story.fragments),
        )
        return [Outgoing(text)]

    async def help(self, person: Person, admin: bool) -> list[Outgoing]:
        state = await self.player(person)
        out = [Outgoing(self.presenter.text(state, "help"))]
        if admin:
            out.append(Outgoing(self.presenter.text(state, "admin_help")))
        return out

    async def language_menu(self, person: Person) -> list[Outgoing]:
        state = await self.player(person)
        names = language_names(self.store.engine.story)
        keyboard = tuple(
            ((name, self.codec.encode(LanguageButton(lang))),) for lang, name in names.items()
        )
        return [Outgoing(self.presenter.text(state, "language_prompt"), keyboard=keyboard)]

    async def say(self, person: Person, key: str, **values: object) -> list[Outgoing]:
        """A bot.yaml notice for this person (free text, unknown command, blocked...)."""
        try:
            state = await self.player(person)
        except PlayerBlocked:
            state = await self.store.state(person.id)
        return [Outgoing(self.presenter.text(state, key, **values))]

    async def known(self, player_id: int) -> bool:
        try:
            await self.store.state(player_id)
        except UnknownPlayer:
            return False
        return True
