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

_LANGS = " Plain text, or one per language: {es: ..., en: ...}."
_ID = " Lowercase letters, digits and _ (at most 32)."


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
    name: LocalText = Field(
        description="The name shown above what this character says, e.g. Lucien. One name for "
        "every language, or one per language: {es: Narrador, en: Narrator}."
    )
    description: LocalText | None = Field(
        default=None, description="A note for writers on who this is; players never see it."
    )


class Named(_Model):
    name: LocalText = Field(
        description="The name players see (in /profile), e.g. {es: Una llave dorada, "
        "en: A golden key}."
    )
    description: LocalText | None = Field(
        default=None, description="A note for writers on what this means; players never see it."
    )


class StoryManifest(_Model):
    """story.yaml: what the story is and what it declares."""

    kind: Literal["story"] = Field(
        description="Always `story`: this file is the story manifest (one per story)."
    )
    format: Literal[1] = Field(description="Content-format version; this engine reads 1.")
    id: Id = Field(description="The story's id, e.g. diana." + _ID)
    title: LocalText = Field(description="The story's title." + _LANGS)
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

    photo: str | None = Field(
        default=None,
        description="A picture: its file path inside the content folder, e.g. media/mansion.png. "
        "Give only one of photo, video, voice or animation.",
    )
    video: str | None = Field(
        default=None,
        description="A video: its file path inside the content folder, e.g. media/amanecer.mp4.",
    )
    voice: str | None = Field(
        default=None,
        description="A voice note: an .ogg file (OPUS audio) inside the content folder, "
        "e.g. media/lucien_consejo.ogg.",
    )
    animation: str | None = Field(
        default=None,
        description="A GIF or a short silent MP4 loop, inside the content folder.",
    )
    caption: LocalText | None = Field(
        default=None,
        description="Text under the media, at most 1024 characters (substitutions counted at "
        "their longest)." + _LANGS,
    )


class Ending(_Model):
    title: LocalText = Field(
        description="The ending's name, shown to the player when they reach it, e.g. "
        "{es: Café para dos, en: Coffee for two}."
    )
    type: Literal["good", "bad", "neutral", "secret"] = Field(
        default="neutral",
        description="What kind of ending: good, bad, neutral (the default) or secret. "
        "Reports (diana stats, diana playtest) count endings by kind.",
    )


class Choice(_Model):
    """An inline button."""

    id: Id | None = Field(
        default=None, description="Stable id; defaults to the target's id (`to`)."
    )
    label: LocalText = Field(
        description="The button's text, e.g. {es: Entrar, en: Go in}. Keep it short: about 40 "
        "characters at most."
    )
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
    vip: VipGate = Field(
        default=False,
        description="Needs VIP: true for any tier, or a tier id (that tier or higher). Players "
        "without it see the button locked ('VIP') unless `locked: hide`. Default: false.",
    )
    effects: Effects | None = Field(
        default=None,
        description="What taking the choice changes: `set` variables, `add` to numbers, "
        "emotions and archetypes, unlock `clues`.",
    )
    response: Id | None = Field(
        default=None, description="A response set of Diana's to answer with after this choice."
    )


class Fragment(_Model):
    """What one Telegram message shows."""

    id: Id = Field(
        description="The fragment's id, unique across all files; choices lead here with `to:`, "
        "e.g. salon_principal." + _ID
    )
    speaker: Id | None = Field(default=None, description="A declared character; none: narrator.")
    text: LocalText = Field(
        description="The message, at most 4096 characters. Plain text (the default language) "
        "or {es: ..., en: ...}; may use Telegram HTML (<b>, <i>...) and substitutions such as "
        "{name}, {points} or any variable."
    )
    media: Media | None = Field(
        default=None,
        description="A photo, video, voice note or animation sent with the message, with an "
        "optional caption.",
    )
    pause: float = Field(
        default=0, ge=0, le=10, description="Seconds of 'typing…' before the message."
    )
    on_enter: Effects | None = Field(default=None, description="Effects on entering.")
    reward: Points = Field(default=0, description="Besitos awarded on the first visit only.")
    vip: VipGate = Field(
        default=False,
        description="Needs VIP: true for any tier, or a tier id (that tier or higher). Players "
        "without it go to `upsell` instead. A VIP chapter gates all its fragments anyway.",
    )
    upsell: Id | None = Field(
        default=None,
        description="Where a player without the VIP this fragment needs is sent instead.",
    )
    choices: list[Choice] = Field(
        default_factory=list,
        description="The buttons under the message, in order (at most 8). Only an ending may "
        "have none.",
    )
    ending: Ending | None = Field(default=None, description="Marks the fragment as an ending.")
    replaces: list[Id] = Field(
        default_factory=list,
        description="Ids of fragments this one replaces: a player saved on one of them "
        "(removed in a content release) continues here.",
    )


class Chapter(_Model):
    """A chapter file: a list of fragments; chapters may be split over several files."""

    kind: Literal["chapter"] = Field(description="Always `chapter`.")
    id: Id = Field(
        description="The chapter's id, e.g. salones; deep links (/start salones) and "
        "`diana preview --start` use it." + _ID
    )
    title: LocalText = Field(description="The chapter's title, shown to players." + _LANGS)
    vip: VipGate = Field(
        default=False,
        description="Every fragment of the chapter needs VIP: true for any tier, or a tier id. "
        "Default: false (free).",
    )
    upsell: Id | None = Field(
        default=None, description="Upsell for every VIP fragment of the chapter without one."
    )
    start: Id | None = Field(
        default=None,
        description="Entry point (deep links, relocation after a fragment is removed); "
        "default: the first fragment.",
    )
    fragments: list[Fragment] = Field(
        min_length=1,
        description="The chapter's fragments (at least one); it starts at the first unless "
        "`start` says otherwise.",
    )


# --- economy ------------------------------------------------------------------------------


class Currency(_Model):
    name: LocalText = Field(
        description="The currency's name, e.g. {es: besitos, en: kisses}; texts show it with "
        "{currency}."
    )
    symbol: str = Field(
        max_length=8, description="A short symbol shown beside amounts, e.g. 💋 (at most 8)."
    )


class DailyGift(_Model):
    points: Points = Field(
        description="Besitos for collecting the daily gift (/daily), once per calendar day."
    )


class Streak(_Model):
    bonus_every: int = Field(ge=1, le=365, description="Pay the bonus every N consecutive days.")
    bonus: Points = Field(
        description="Extra besitos paid on each bonus day, e.g. 25 on every 7th day."
    )
    grace_days: int = Field(
        default=0, ge=0, le=7, description="Missed days forgiven before the streak resets."
    )


class Participation(_Model):
    points: Points = Field(description="Besitos for each one, e.g. 2 per comment.")
    cooldown_seconds: int = Field(
        default=0,
        ge=0,
        description="Seconds before the same player's next one counts again; 0: no wait.",
    )
    daily_cap: int = Field(default=0, ge=0, description="Most points per day; 0: no cap.")


class Reactions(_Model):
    emoji: dict[str, Points] = Field(description="Points per emoji, e.g. {'❤': 2, '🔥': 3}.")
    default: Points = Field(default=0, description="Points for any other emoji.")
    cooldown_seconds: int = Field(
        default=0,
        ge=0,
        description="Seconds before the same player's next reaction counts again; 0: no wait.",
    )
    daily_cap: int = Field(default=0, ge=0, description="Most points per day; 0: no cap.")


class Channel(_Model):
    id: Id = Field(description="A short id for this chat, e.g. los_kinkys." + _ID)
    chat: int | str = Field(description="Chat id (-100…) or @username.")
    reactions: bool = Field(default=True, description="Reactions here earn besitos (default).")
    comments: bool = Field(default=True, description="Comments here earn besitos (default).")
    posts: bool = Field(
        default=False, description="Posts here earn besitos (default: they do not)."
    )


class Level(_Model):
    id: Id = Field(description="The level's id, e.g. confidente." + _ID)
    name: LocalText = Field(
        description="The level's name players see ({level}, /profile), e.g. "
        "{es: Rostro conocido, en: Familiar face}."
    )
    min_points: Points = Field(description="Lifetime besitos needed.")


class Achievement(_Model):
    id: Id = Field(description="The achievement's id, e.g. primera_pista." + _ID)
    name: LocalText = Field(description="Its name, shown in /profile." + _LANGS)
    description: LocalText | None = Field(
        default=None, description="What the player did to earn it, in a sentence." + _LANGS
    )
    when: Expr = Field(
        description='When it is earned (once), e.g. `streak >= 7` or `has_clue("llave")`; '
        "checked after every action."
    )
    reward: Points = Field(default=0, description="Besitos awarded once, when earned; default 0.")


class Economy(_Model):
    """economy.yaml: the besitos economy."""

    kind: Literal["economy"] = Field(description="Always `economy`.")
    currency: Currency = Field(description="The currency's name and symbol.")
    starting_points: Points = Field(
        default=0, description="Besitos every new player starts with; default 0."
    )
    daily_gift: DailyGift = Field(description="The gift players collect once a day with /daily.")
    streak: Streak | None = Field(
        default=None,
        description="A bonus for daily check-ins on consecutive days; none: no streak bonus.",
    )
    reactions: Reactions | None = Field(
        default=None,
        description="Besitos for reactions in the listed channels, per emoji; none: nothing.",
    )
    comments: Participation | None = Field(
        default=None, description="Besitos for comments in the listed channels; none: nothing."
    )
    posts: Participation | None = Field(
        default=None, description="Besitos for posts in the listed channels; none: nothing."
    )
    channels: list[Channel] = Field(
        default_factory=list,
        description="The Telegram chats where reactions, comments and posts earn besitos; "
        "activity anywhere else earns nothing.",
    )
    vip_multiplier: float = Field(
        default=1, ge=1, le=10, description="Multiplies engagement rewards for VIP players."
    )
    levels: list[Level] = Field(
        min_length=1,
        description="Levels by lifetime besitos (all ever earned), lowest first; the first "
        "usually needs 0.",
    )
    achievements: list[Achievement] = Field(
        default_factory=list, description="Achievements players earn once, with a reward."
    )


# --- VIP ----------------------------------------------------------------------------------


class Tier(_Model):
    id: Id = Field(description="The tier's id, e.g. divan; `vip: divan` asks for it." + _ID)
    name: LocalText = Field(
        description="The tier's name players see, e.g. {es: El Diván, en: El Diván}."
    )


class Offer(_Model):
    id: Id = Field(description="The offer's id, e.g. divan_mensual." + _ID)
    tier: Id = Field(description="The tier it grants: an id from `tiers`.")
    title: LocalText = Field(description="Its title in /vip and on the Telegram invoice.")
    description: LocalText = Field(
        description="What the player gets, in /vip and on the invoice (which shows the first "
        "255 characters)."
    )
    stars: int = Field(ge=1, le=10_000, description="Price in Telegram Stars.")
    period_days: int = Field(default=30, description="Subscription period (Telegram: 30).")


class VipChannel(_Model):
    chat: int | str = Field(
        description="The private VIP channel: chat id (-100…) or @username. The bot must be "
        "an administrator there."
    )
    tier: Id = Field(description="The tier a player needs to join: an id from `tiers`.")
    counts_as_vip: bool = Field(
        default=True,
        description="true (default): a member of the channel counts as VIP of this tier while "
        "a member.",
    )


class Vip(_Model):
    """vip.yaml: VIP tiers (lowest first) and how players obtain them."""

    kind: Literal["vip"] = Field(description="Always `vip`.")
    tiers: list[Tier] = Field(min_length=1, description="VIP tiers, lowest first (at least one).")
    offers: list[Offer] = Field(
        default_factory=list,
        description="What /vip sells for Telegram Stars; none: VIP only by invite, admin grant "
        "or the VIP channel.",
    )
    invite_days: int = Field(default=30, ge=1, description="Default VIP days per invite token.")
    admin_grant_days: int = Field(
        default=30, ge=1, description="VIP days an admin's /vip_grant gives when it names none."
    )
    channel: VipChannel | None = Field(
        default=None, description="The private VIP channel, if there is one."
    )
    reminder_days: list[int] = Field(
        default_factory=lambda: [3, 1],
        description="Days before VIP ends on which the player is reminded; default [3, 1].",
    )


# --- Diana's emotional model --------------------------------------------------------------


class Dimension(_Model):
    name: LocalText | None = Field(
        default=None,
        description="A readable name for writers, e.g. {es: Confianza, en: Trust}; optional.",
    )
    min: int = Field(
        default=0, description="The lowest value; effects never go below it. Default 0."
    )
    max: int = Field(
        default=100, description="The highest value; effects never go above it. Default 100."
    )
    start: int = Field(description="The value for a new player, between min and max.")
    decay_per_day: int = Field(
        default=0, ge=0, description="Moves back towards `start` by this much per day away."
    )


class State(_Model):
    id: Id = Field(
        description='The state\'s id, used in conditions (`state == "curious"`) and as a key in '
        "`responses`." + _ID
    )
    name: LocalText = Field(
        description="The state's name players may read through {state}, e.g. "
        "{es: Intrigada, en: Curious}."
    )
    when: Expr = Field(
        description="When Diana is in this state, e.g. `trust >= 40`. States are tried in "
        "order and the first that holds wins; make the last one `true`."
    )


Variants = Annotated[list[LocalText], Field(min_length=1)]


class Emotions(_Model):
    """emotions.yaml: Diana's dimensions, named states (first match wins) and responses."""

    kind: Literal["emotions"] = Field(description="Always `emotions`.")
    character: Id = Field(
        description="Whose emotions these are: a character declared in story.yaml, e.g. diana."
    )
    dimensions: dict[Id, Dimension] = Field(
        min_length=1,
        description="Emotions as numbers, e.g. {trust: {start: 20}}. Conditions, `add:` "
        "effects and texts ({trust}) use them by name.",
    )
    states: list[State] = Field(
        min_length=1, description="Named states, tried in order: the first that holds wins."
    )
    responses: dict[Id, dict[Id, Variants]] = Field(
        default_factory=dict,
        description="Response sets: {set: {state or any: [variants]}}. Built-in sets: "
        "after_choice, vip_locked, short_of_points, return_after_absence, daily_checkin, "
        "streak_bonus, reaction, comment.",
    )


# --- translations -------------------------------------------------------------------------


class Translations(_Model):
    """A per-language file of translations by string id (e.g. `salon.text`)."""

    kind: Literal["translations"] = Field(description="Always `translations`.")
    language: Lang = Field(description="The language this file supplies, e.g. en.")
    strings: dict[str, str] = Field(
        description="Texts by string id, e.g. {salon.text: ..., salon.c.vino.label: ...}: a "
        "fragment's .text, .caption and .ending; a choice's FRAGMENT.c.CHOICE.label and "
        ".locked. `diana lint` names every missing one."
    )


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

    starting: LocalText = _t("The besitos a new player starts with.")
    daily: LocalText = _t("The daily gift.")
    streak_bonus: LocalText = _t("A streak bonus.")
    choice: LocalText = _t("A choice's cost or reward.")
    fragment: LocalText = _t("A fragment's first-visit reward.")
    reaction: LocalText = _t("A counted reaction in a channel.")
    comment: LocalText = _t("A counted comment in a channel.")
    post: LocalText = _t("A counted post in a channel.")
    achievement: LocalText = _t("An achievement's reward.")
    admin: LocalText = _t("Besitos an admin gave (/grant) or took away.")


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

    kind: Literal["bot"] = _t("Always `bot`.")
    languages: dict[Lang, str] = Field(
        description="Each language's name as its speakers write it, for /language: "
        "{es: Español, en: English}."
    )
    commands: BotCommands = _t("Players' commands in Telegram's menu, per language.")
    admin_commands: AdminCommands = _t("Admin commands, shown only in admins' menus.")
    reasons: BotReasons = _t("How /points names each kind of movement.")
    texts: BotTexts = _t("Every other message the bot sends: notices, /points, /profile, /vip...")


FILE_KINDS: dict[str, type[_Model]] = {
    "story": StoryManifest,
    "chapter": Chapter,
    "economy": Economy,
    "vip": Vip,
    "emotions": Emotions,
    "translations": Translations,
    "bot": Bot,
}
