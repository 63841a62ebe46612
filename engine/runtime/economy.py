"""The besitos economy as pure rules: daily check-in and streaks, engagement rewards with
cooldowns and daily caps, VIP grants, admin grants, achievements and levels.

Days are calendar days in the player's time zone (so "today" follows the player across DST and
travels), never 24-hour windows. Engagement rewards are multiplied for active VIPs; choice,
fragment and achievement rewards never are.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from engine.content.compiled import Participation, Reactions
from engine.runtime.errors import InvalidArgument, UnknownOffer, UnknownTier
from engine.runtime.evaluation import Context
from engine.runtime.events import (
    AchievementUnlocked,
    CommentCounted,
    DailyCheckIn,
    Event,
    LevelUp,
    PostCounted,
    ReactionCounted,
    StreakBroken,
    StreakIncreased,
    VipExpired,
    VipGranted,
)
from engine.runtime.output import Outcome, Step
from engine.runtime.state import Engagement
from engine.runtime.triggers import AdminGrant, Comment, GrantVip, Payment, Post, Reaction

if TYPE_CHECKING:
    from engine.runtime.turn import Turn


def local_day(now: datetime, timezone: str) -> date:
    """The player's calendar day at `now`."""
    return now.astimezone(ZoneInfo(timezone)).date()


def check_in(turn: Turn) -> Step:
    eco = turn.story.economy
    d = turn.d
    day = local_day(turn.now, d.timezone)
    last = d.last_checkin
    if last is not None and day <= last:
        return turn.finish(Outcome.ALREADY_CLAIMED)
    missed = 0 if last is None else (day - last).days - 1
    if last is not None and missed > eco.streak_grace_days:
        turn.emit(StreakBroken(d.streak, missed))
        d.streak = 1
    else:
        d.streak += 1
        turn.emit(StreakIncreased(d.streak))
    d.last_checkin = day
    turn.changed = True
    turn.emit(DailyCheckIn(day, d.streak))
    amount = turn.award(turn.boost(eco.daily_gift), "daily")
    turn.reply("daily_checkin", amount=amount)
    if eco.streak_every and d.streak % eco.streak_every == 0:
        bonus = turn.award(turn.boost(eco.streak_bonus), "streak_bonus")
        turn.reply("streak_bonus", amount=bonus)
    return turn.finish(Outcome.CHECKED_IN)


def engage(turn: Turn, trigger: Reaction | Comment | Post) -> Step:
    """A reaction, comment or post: points per kind (and emoji), cooldown, daily cap."""
    eco = turn.story.economy
    rule: Reactions | Participation | None
    if isinstance(trigger, Reaction):
        kind, rule = "reaction", eco.reactions
    elif isinstance(trigger, Comment):
        kind, rule = "comment", eco.comments
    else:
        kind, rule = "post", eco.posts
    if rule is None or not _channel_counts(turn, trigger.channel, kind):
        return turn.finish(Outcome.NOT_COUNTED)
    if isinstance(trigger, Reaction):
        assert isinstance(rule, Reactions)
        points = rule.points_for(trigger.emoji)
    else:
        assert isinstance(rule, Participation)
        points = rule.points
    if points <= 0:
        return turn.finish(Outcome.NOT_COUNTED)
    d = turn.d
    now = turn.now
    seen = d.engagement.get(kind)
    if seen is not None and now - seen.last_at < timedelta(seconds=rule.cooldown_seconds):
        return turn.finish(Outcome.COOLDOWN)
    day = local_day(now, d.timezone)
    earned = seen.earned if seen is not None and seen.day == day else 0
    amount = turn.boost(points)
    if rule.daily_cap:
        amount = min(amount, rule.daily_cap - earned)
        if amount <= 0:
            return turn.finish(Outcome.CAPPED)
    d.engagement = {**d.engagement, kind: Engagement(now, day, earned + amount)}
    turn.award(amount, kind)
    event: Event
    if isinstance(trigger, Reaction):
        event = ReactionCounted(trigger.emoji, amount, trigger.channel)
    elif isinstance(trigger, Comment):
        event = CommentCounted(amount, trigger.channel)
    else:
        event = PostCounted(amount, trigger.channel)
    turn.emit(event)
    turn.reply(kind, amount=amount)
    return turn.finish(Outcome.COUNTED)


def _channel_counts(turn: Turn, channel: str | None, kind: str) -> bool:
    if channel is None:
        return True
    for ch in turn.story.economy.channels:
        if ch.id == channel:
            return {"reaction": ch.reactions, "comment": ch.comments, "post": ch.posts}[kind]
    return False


def pay(turn: Turn, trigger: Payment) -> Step:
    vip = turn.story.vip
    offer = next((o for o in vip.offers if o.id == trigger.offer), None)
    if offer is None:
        raise UnknownOffer(trigger.offer, [o.id for o in vip.offers])
    grant_vip(turn, offer.tier, offer.period_days, f"payment:{offer.id}")
    return turn.finish(Outcome.VIP_GRANTED)


def grant(turn: Turn, trigger: GrantVip) -> Step:
    days = turn.story.vip.invite_days if trigger.days is None else trigger.days
    if days < 0:
        raise InvalidArgument(f"VIP days must be 0 (no expiry) or more, got {days}")
    grant_vip(turn, trigger.tier, days, trigger.source)
    return turn.finish(Outcome.VIP_GRANTED)


def grant_vip(turn: Turn, tier: str | None, days: int, source: str) -> None:
    """Grant `tier` for `days` (0: no expiry), extending VIP that is still running."""
    tiers = turn.story.vip.tiers
    if tier is None:
        tier = tiers[0].id
    elif all(t.id != tier for t in tiers):
        raise UnknownTier(tier, [t.id for t in tiers])
    d = turn.d
    until: datetime | None = None
    if days > 0:
        running = d.vip_active(turn.now)
        if running and d.vip_until is None:
            until = None  # unlimited VIP stays unlimited
        else:
            base = d.vip_until if running and d.vip_until is not None else turn.now
            until = base + timedelta(days=days)
    d.vip_tier = tier
    d.vip_until = until
    turn.changed = True
    turn.emit(VipGranted(tier, until, source))


def expire(turn: Turn) -> Step:
    d = turn.d
    if d.vip_tier is None:
        return turn.finish(Outcome.UNCHANGED)
    turn.emit(VipExpired(d.vip_tier))
    d.vip_tier = None
    d.vip_until = None
    turn.changed = True
    return turn.finish(Outcome.VIP_EXPIRED)


def admin(turn: Turn, trigger: AdminGrant) -> Step:
    if trigger.vip_days < 0:
        raise InvalidArgument(f"VIP days must be 0 (none) or more, got {trigger.vip_days}")
    if trigger.points > 0:
        turn.award(trigger.points, "admin")
    elif trigger.points < 0:
        turn.charge(-trigger.points, "admin")
    if trigger.vip_days > 0:
        grant_vip(turn, trigger.tier, trigger.vip_days, "admin")
    return turn.finish(Outcome.GRANTED if turn.changed else Outcome.UNCHANGED)


def unlock_achievements(turn: Turn, ctx: Context) -> bool:
    """Award every achievement whose `when` now holds, once; repeat while rewards unlock more."""
    d = turn.d
    achievements = turn.story.economy.achievements
    unlocked = False
    progress = len(d.achievements) < len(achievements)  # all unlocked: nothing to check
    while progress:
        progress = False
        for achievement in achievements:
            if achievement.id in d.achievements or not achievement.when.fn(ctx):
                continue
            d.achievements = d.achievements | {achievement.id}
            turn.emit(AchievementUnlocked(achievement.id))
            turn.notes.append(("achievement", achievement.name))
            turn.award(achievement.reward, f"achievement:{achievement.id}")
            unlocked = progress = True
    return unlocked


def level_ups(turn: Turn) -> None:
    """One LevelUp per level crossed since the call began (levels follow lifetime points)."""
    before, after = turn.base.lifetime_points, turn.d.lifetime_points
    if after <= before:
        return
    previous = turn.story.economy.level_for(before)
    for level in turn.story.economy.levels:
        if before < level.min_points <= after:
            turn.emit(LevelUp(level.id, previous.id))
            turn.notes.append(("level", level.name))
            previous = level
