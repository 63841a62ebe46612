"""The authored content model: what writers may say in YAML, one pydantic model per file kind.

This model is the single source of truth for the format: the JSON Schemas in `schemas/` are
generated from it (`diana schemas`), and a test fails when they drift. Field descriptions become
the hover help in editors, so they are written for writers, not programmers.

The runtime never sees these classes: `compiler.py` turns them into the immutable runtime model.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

FORMAT_VERSION = 1

Id = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9_]*$", max_length=32),
    Field(description="A stable id: lowercase letters, digits and _ (at most 32)."),
]
Lang = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z]{2}$"),
    Field(description="A two-letter language code, e.g. es or en."),
]
LocalText = Annotated[
    str | dict[Lang, str],
    Field(
        description="Text shown to players: either plain text in the story's default language, "
        "or one text per language, e.g. {es: Hola, en: Hello}. May use Telegram HTML "
        "(<b>, <i>, <u>, <s>, <a href>, <tg-spoiler>) and substitutions such as {name}."
    ),
]
Expr = Annotated[
    str,
    Field(
        description='A condition, e.g. `points >= 10 and trust > 40`, `visited("salon")`, '
        '`vip`, `streak >= 7`, `has_clue("llave")`, `state == "curious"`.'
    ),
]
VipGate = Annotated[
    bool | Id,
    Field(description="true: only VIP players (any tier); a tier id: that tier or higher."),
]
Points = Annotated[int, Field(ge=0, le=1_000_000)]
Scalar = bool | int | str


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# --- effects ------------------------------------------------------------------------------


class Effects(_Model):
    """What happens: applied in the order set, add, clues."""

    set: dict[Id, Scalar] = Field(
        default_factory=dict,
        description="Set declared variables to a value, e.g. {met_lucien: true, mood: calm}.",
    )
    add: dict[Id, int] = Field(
        default_factory=dict,
        description="Add to (or, negative, take from) numeric variables, Diana's emotions and "
        "archetype scores, e.g. {trust: 5, romantic: 1}. Emotions stay within their bounds.",
    )
    clues: list[Id] = Field(default_factory=list, description="Clues the player unlocks.")


# --- the story manifest -------------------------------------------------------------------


class Character(_Model):
    name: LocalText
    description: LocalText | None = None


class Named(_Model):
    name: LocalText
    description: LocalText | None = None


class StoryManifest(_Model):
    """story.yaml: what the story is and what it declares."""

    kind: Literal["story"]
    format: Literal[1] = Field(description="Content-format version; this engine reads 1.")
    id: Id
    title: LocalText
    language: Lang = Field(description="Default language: plain texts are in this language.")
    languages: list[Lang] = Field(
        min_length=1, description="Every language the story is offered in, default included."
    )
    start: Id = Field(description="The fragment where every new player begins.")
    timezone: str = Field(
        default="Europe/Madrid",
        description="Default time zone (IANA name) for calendar days: daily gift and streaks.",
    )
    characters: dict[Id, Character] = Field(description="Who can speak: {diana: {name: Diana}}.")
    variables: dict[Id, Scalar] = Field(
        default_factory=dict,
        description="Story variables with their start value; the value's type is the "
        "variable's type (true/false, number or text).",
    )
    archetypes: dict[Id, Named] = Field(
        default_factory=dict,
        description="Player archetypes scored by choices (explorer, romantic...), from 0.",
    )
    clues: dict[Id, Named] = Field(default_factory=dict, description="Clues players collect.")


# --- chapters and fragments ---------------------------------------------------------------


class Media(_Model):
    """One photo, video, voice note or animation, with an optional caption."""

    photo: str | None = None
    video: str | None = None
    voice: str | None = None
    animation: str | None = None
    caption: LocalText | None = None


class Ending(_Model):
    title: LocalText
    type: Literal["good", "bad", "neutral", "secret"] = "neutral"


class Choice(_Model):
    """An inline button."""

    id: Id | None = Field(
        default=None, description="Stable id; defaults to the target's id (`to`)."
    )
    label: LocalText
    to: Id = Field(description="The fragment this choice leads to.")
    if_: Expr | None = Field(
        default=None, alias="if", description="Offered only when this condition holds."
    )
    locked: Literal["hide", "show"] | None = Field(
        default=None,
        description="When unavailable: hide the button, or show it locked with a reason. "
        "Default: VIP and cost locks are shown, failed conditions hidden.",
    )
    locked_reason: LocalText | None = Field(
        default=None, description="Shown on a locked button, e.g. 'Needs the golden key'."
    )
    once: bool = Field(default=False, description="Offered only until it is taken once.")
    fallback: bool = Field(
        default=False, description="Offered only when no other choice is available."
    )
    cost: Points = Field(default=0, description="Besitos charged when the choice is taken.")
    reward: Points = Field(default=0, description="Besitos awarded when the choice is taken.")
    vip: VipGate = False
    effects: Effects | None = None
    response: Id | None = Field(
        default=None, description="A response set of Diana's to answer with after this choice."
    )


class Fragment(_Model):
    """What one Telegram message shows."""

    id: Id
    speaker: Id | None = Field(default=None, description="A declared character; none: narrator.")
    text: LocalText
    media: Media | None = None
    pause: float = Field(
        default=0, ge=0, le=10, description="Seconds of 'typing…' before the message."
    )
    on_enter: Effects | None = Field(default=None, description="Effects on entering.")
    reward: Points = Field(default=0, description="Besitos awarded on the first visit only.")
    vip: VipGate = False
    upsell: Id | None = Field(
        default=None,
        description="Where a player without the VIP this fragment needs is sent instead.",
    )
    choices: list[Choice] = Field(default_factory=list)
    ending: Ending | None = Field(default=None, description="Marks the fragment as an ending.")
    replaces: list[Id] = Field(
        default_factory=list,
        description="Ids of fragments this one replaces: a player saved on one of them "
        "(removed in a content release) continues here.",
    )


class Chapter(_Model):
    """A chapter file: a list of fragments; chapters may be split over several files."""

    kind: Literal["chapter"]
    id: Id
    title: LocalText
    vip: VipGate = False
    upsell: Id | None = Field(
        default=None, description="Upsell for every VIP fragment of the chapter without one."
    )
    start: Id | None = Field(
        default=None,
        description="Entry point (deep links, relocation after a fragment is removed); "
        "default: the first fragment.",
    )
    fragments: list[Fragment] = Field(min_length=1)


# --- economy ------------------------------------------------------------------------------


class Currency(_Model):
    name: LocalText
    symbol: str = Field(max_length=8)


class DailyGift(_Model):
    points: Points


class Streak(_Model):
    bonus_every: int = Field(ge=1, le=365, description="Pay the bonus every N consecutive days.")
    bonus: Points
    grace_days: int = Field(
        default=0, ge=0, le=7, description="Missed days forgiven before the streak resets."
    )


class Participation(_Model):
    points: Points
    cooldown_seconds: int = Field(default=0, ge=0)
    daily_cap: int = Field(default=0, ge=0, description="Most points per day; 0: no cap.")


class Reactions(_Model):
    emoji: dict[str, Points] = Field(description="Points per emoji, e.g. {'❤': 2, '🔥': 3}.")
    default: Points = Field(default=0, description="Points for any other emoji.")
    cooldown_seconds: int = Field(default=0, ge=0)
    daily_cap: int = Field(default=0, ge=0, description="Most points per day; 0: no cap.")


class Channel(_Model):
    id: Id
    chat: int | str = Field(description="Chat id (-100…) or @username.")
    reactions: bool = True
    comments: bool = True
    posts: bool = False


class Level(_Model):
    id: Id
    name: LocalText
    min_points: Points = Field(description="Lifetime besitos needed.")


class Achievement(_Model):
    id: Id
    name: LocalText
    description: LocalText | None = None
    when: Expr
    reward: Points = 0


class Economy(_Model):
    """economy.yaml: the besitos economy."""

    kind: Literal["economy"]
    currency: Currency
    starting_points: Points = 0
    daily_gift: DailyGift
    streak: Streak | None = None
    reactions: Reactions | None = None
    comments: Participation | None = None
    posts: Participation | None = None
    channels: list[Channel] = Field(default_factory=list)
    vip_multiplier: float = Field(
        default=1, ge=1, le=10, description="Multiplies engagement rewards for VIP players."
    )
    levels: list[Level] = Field(min_length=1)
    achievements: list[Achievement] = Field(default_factory=list)


# --- VIP ----------------------------------------------------------------------------------


class Tier(_Model):
    id: Id
    name: LocalText


class Offer(_Model):
    id: Id
    tier: Id
    title: LocalText
    description: LocalText
    stars: int = Field(ge=1, le=10_000, description="Price in Telegram Stars.")
    period_days: int = Field(default=30, description="Subscription period (Telegram: 30).")


class VipChannel(_Model):
    chat: int | str
    tier: Id
    counts_as_vip: bool = True


class Vip(_Model):
    """vip.yaml: VIP tiers (lowest first) and how players obtain them."""

    kind: Literal["vip"]
    tiers: list[Tier] = Field(min_length=1)
    offers: list[Offer] = Field(default_factory=list)
    invite_days: int = Field(default=30, ge=1, description="Default VIP days per invite token.")
    admin_grant_days: int = Field(default=30, ge=1)
    channel: VipChannel | None = None
    reminder_days: list[int] = Field(default_factory=lambda: [3, 1])


# --- Diana's emotional model --------------------------------------------------------------


class Dimension(_Model):
    name: LocalText | None = None
    min: int = 0
    max: int = 100
    start: int
    decay_per_day: int = Field(
        default=0, ge=0, description="Moves back towards `start` by this much per day away."
    )


class State(_Model):
    id: Id
    name: LocalText
    when: Expr


Variants = Annotated[list[LocalText], Field(min_length=1)]


class Emotions(_Model):
    """emotions.yaml: Diana's dimensions, named states (first match wins) and responses."""

    kind: Literal["emotions"]
    character: Id
    dimensions: dict[Id, Dimension] = Field(min_length=1)
    states: list[State] = Field(min_length=1)
    responses: dict[Id, dict[Id, Variants]] = Field(
        default_factory=dict,
        description="Response sets: {set: {state or any: [variants]}}. Built-in sets: "
        "after_choice, vip_locked, short_of_points, return_after_absence, daily_checkin, "
        "streak_bonus, reaction, comment.",
    )


# --- translations -------------------------------------------------------------------------


class Translations(_Model):
    """A per-language file of translations by string id (e.g. `salon.text`)."""

    kind: Literal["translations"]
    language: Lang
    strings: dict[str, str]


# --- the Telegram bot's own texts ---------------------------------------------------------


def _t(help_text: str) -> Any:
    return Field(description=help_text)


class BotCommands(_Model):
    """Descriptions shown in Telegram's command menu (setMyCommands), per language."""

    start: LocalText = _t("/start: begin the story, or come back to where you were.")
    points: LocalText = _t("/points: balance, level and recent movements.")
    daily: LocalText = _t("/daily: collect the daily gift and keep the streak.")
    profile: LocalText = _t("/profile: level, streak, VIP, archetype, clues, achievements.")
    language: LocalText = _t("/language: choose the language.")
    help: LocalText = _t("/help: what the bot does.")
    vip: LocalText = _t("/vip: VIP with Telegram Stars, and your VIP status.")
    paysupport: LocalText = _t("/paysupport: help with payments (Telegram requires it).")


class AdminCommands(_Model):
    """Descriptions of the admin commands, shown only to admins' menus."""

    grant: LocalText = _t("/grant PLAYER AMOUNT [note]: give besitos.")
    vip: LocalText = _t("/vip_grant PLAYER [DAYS]: grant or extend VIP.")
    player: LocalText = _t("/player PLAYER: look a player up.")
    reset: LocalText = _t("/reset PLAYER: reset a player's progress (points kept).")
    publish: LocalText = _t("/publish: publish the content folder as a new release.")
    stats: LocalText = _t("/stats: players, activity, VIP.")
    invite: LocalText = _t("/invite [DAYS] [USES]: a VIP invite link.")
    refund: LocalText = _t("/refund PLAYER CHARGE_ID: refund a Stars payment, ending its VIP.")


class BotReasons(_Model):
    """How /points names each kind of ledger movement."""

    starting: LocalText
    daily: LocalText
    streak_bonus: LocalText
    choice: LocalText
    fragment: LocalText
    reaction: LocalText
    comment: LocalText
    post: LocalText
    achievement: LocalText
    admin: LocalText


class BotTexts(_Model):
    """The bot's own messages. Besides {name}, {points}, {currency}, {level}, {streak}... each
    may use the placeholders its description lists."""

    help: LocalText = _t("The /help message.")
    stale_button: LocalText = _t("Tap on a button of an old message (short: a pop-up).")
    invalid_button: LocalText = _t("Tap on a button the bot cannot read (short).")
    slow_down: LocalText = _t("Too many taps or messages in a row (short).")
    error: LocalText = _t("Something failed on our side; nothing was lost.")
    unknown_command: LocalText = _t("An unknown /command (non-admins get it for admin ones).")
    free_text: LocalText = _t("The player typed text instead of tapping a button.")
    not_started: LocalText = _t("A command that needs the story started first.")
    story_over: LocalText = _t("After an ending: how to play again.")
    unknown_chapter: LocalText = _t("/start linking to a chapter that does not exist: {chapter}.")
    blocked: LocalText = _t("The player's access is suspended.")
    locked_vip: LocalText = _t("Pop-up for a VIP-locked button: {reason}.")
    locked_cost: LocalText = _t("Pop-up for a button the player cannot afford: {cost}, {missing}.")
    locked_condition: LocalText = _t("Pop-up for a button locked by a condition: {reason}.")
    button_cost: LocalText = _t("Label of a button that costs besitos: {label}, {cost}, {symbol}.")
    button_locked: LocalText = _t("Label of a locked button: {label}, {reason}.")
    points: LocalText = _t("/points: {recent} is the list of recent movements.")
    points_line: LocalText = _t("One movement in /points: {amount}, {reason}, {date}, {balance}.")
    points_none: LocalText = _t("/points before any movement.")
    daily_already: LocalText = _t("/daily when today's gift was already collected.")
    profile: LocalText = _t(
        "/profile: {vip}, {archetype}, {clues}, {achievements}, {chapter}, {visited}, {total}."
    )
    vip_active: LocalText = _t("VIP status in /profile: {tier}, {until} (a date).")
    vip_none: LocalText = _t("VIP status in /profile for a free player.")
    nothing: LocalText = _t("How an empty list reads (no clues yet...).")
    language_prompt: LocalText = _t("/language: the question above the language buttons.")
    language_set: LocalText = _t("After choosing: {language}.")
    vip_offer: LocalText = _t(
        "/vip: one offer. {title}, {description}, {stars}, {days}; above its buy button."
    )
    vip_buy: LocalText = _t("The buy button's label: {stars}.")
    vip_status: LocalText = _t("/vip for a VIP player: {tier}, {until}; offers follow to extend.")
    vip_none_offered: LocalText = _t("/vip when the story sells no VIP offer.")
    vip_welcome: LocalText = _t("After a payment or an invite: {tier}, {until}.")
    vip_canceled: LocalText = _t("/vip cancel: renewal stopped; VIP lasts until {until}.")
    vip_cancel_none: LocalText = _t("/vip cancel without a Stars subscription to cancel.")
    vip_unavailable: LocalText = _t("Checkout refused: the offer changed or ended (short).")
    vip_refunded: LocalText = _t("To the player after a refund: {tier} ended.")
    vip_reminder: LocalText = _t("Before expiry: {tier}, {until}, {days} days left.")
    vip_expired: LocalText = _t("When VIP ends (and they leave the VIP channel): {tier}.")
    paysupport: LocalText = _t("/paysupport: how to get help with a payment.")
    invite_rejected: LocalText = _t("/start with an invite that is expired, used up or unknown.")
    join_declined: LocalText = _t("To someone asking to join the VIP channel without VIP.")
    engagement: LocalText = _t(
        "In private, after a counted reaction or comment: {amount}, {channel}."
    )
    admin_help: LocalText = _t("Admins' /help: the admin commands.")
    admin_usage: LocalText = _t("An admin command with wrong arguments: {usage}.")
    admin_no_player: LocalText = _t("An admin command naming an unknown player: {player}.")
    admin_points: LocalText = _t("After /grant: {player}, {amount}, {balance}.")
    admin_vip: LocalText = _t("After /vip_grant: {player}, {tier}, {until}.")
    admin_reset: LocalText = _t("After /reset: {player}.")
    admin_player: LocalText = _t(
        "/player: {player}, {player_name}, {language}, {fragment}, {balance}, {vip}, "
        "{blocked}, {checkins}, {recent}."
    )
    admin_published: LocalText = _t("After /publish: {release}, {moved} players moved.")
    admin_unchanged: LocalText = _t("/publish with content identical to the active release.")
    admin_invalid: LocalText = _t("/publish refused: {count} errors, the first: {first}.")
    admin_stats: LocalText = _t("/stats: {players}, {active}, {vip}, {actions}, {release}.")
    admin_invite: LocalText = _t("After /invite: {link}, {days}, {uses}.")
    admin_refunded: LocalText = _t("After /refund: {player}, {charge}.")
    admin_refund_failed: LocalText = _t("/refund refused by Telegram: {error}.")


class Bot(_Model):
    """bot.yaml: what the Telegram bot itself says (commands, notices, /points, /profile)."""

    kind: Literal["bot"]
    languages: dict[Lang, str] = Field(
        description="Each language's name as its speakers write it, for /language: "
        "{es: Español, en: English}."
    )
    commands: BotCommands
    admin_commands: AdminCommands
    reasons: BotReasons
    texts: BotTexts


FILE_KINDS: dict[str, type[_Model]] = {
    "story": StoryManifest,
    "chapter": Chapter,
    "economy": Economy,
    "vip": Vip,
    "emotions": Emotions,
    "translations": Translations,
    "bot": Bot,
}
