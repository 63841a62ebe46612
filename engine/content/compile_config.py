"""Compile the story-wide configuration: VIP tiers and offers, Diana's emotions, the economy."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from engine.content import compiled as c
from engine.content import model as m
from engine.content.diagnostics import DiagnosticBag, Position
from engine.content.expressions import Expression, Type
from engine.content.schema_stage import suggest
from engine.content.symbols import ExpressionCompiler
from engine.content.texts import RESPONSE_PLACEHOLDERS, TextTable
from engine.content.yamlsrc import YamlDocument

BUILTIN_RESPONSE_SETS = (
    "after_choice",
    "vip_locked",
    "short_of_points",
    "return_after_absence",
    "daily_checkin",
    "streak_bonus",
    "reaction",
    "comment",
)
_ALWAYS_TRUE = "true"


class ConfigCompiler:
    def __init__(
        self,
        bag: DiagnosticBag,
        texts: TextTable,
        exprs: ExpressionCompiler,
        positions: dict[str, Position],
        files: Mapping[str, object],
    ) -> None:
        self.bag = bag
        self.texts = texts
        self.exprs = exprs
        self.positions = positions
        self.files = files

    def _file(self, kind: str) -> tuple[object, YamlDocument]:
        f = self.files[kind]
        return f.model, f.doc  # type: ignore[attr-defined]

    def vip(self) -> c.Vip:
        vip, doc = self._file("vip")
        assert isinstance(vip, m.Vip)
        pos = doc.positions
        tiers = tuple(
            c.Tier(
                t.id,
                rank,
                self.texts.add(f"tier.{t.id}.name", t.name, pos.value(("tiers", i, "name"))),
            )
            for i, (rank, t) in enumerate(zip(range(1, len(vip.tiers) + 1), vip.tiers, strict=True))
        )
        ids = [t.id for t in tiers]
        offers = []
        for i, o in enumerate(vip.offers):
            self._tier(o.tier, ids, pos.value(("offers", i, "tier")))
            if o.period_days != 30:
                self.bag.add(
                    "D605", pos.value(("offers", i, "period_days")), offer=o.id, days=o.period_days
                )
            self.positions[f"offer:{o.id}"] = pos.value(("offers", i))
            offers.append(
                c.Offer(
                    o.id,
                    o.tier,
                    self.texts.add(
                        f"offer.{o.id}.title", o.title, pos.value(("offers", i, "title"))
                    ),
                    self.texts.add(
                        f"offer.{o.id}.description",
                        o.description,
                        pos.value(("offers", i, "description")),
                    ),
                    o.stars,
                    o.period_days,
                )
            )
        if vip.channel is not None:
            self._tier(vip.channel.tier, ids, pos.value(("channel", "tier")))
        return c.Vip(
            tiers=tiers,
            offers=tuple(offers),
            invite_days=vip.invite_days,
            admin_grant_days=vip.admin_grant_days,
            channel_chat=vip.channel.chat if vip.channel else None,
            channel_tier=vip.channel.tier if vip.channel else None,
            channel_counts_as_vip=bool(vip.channel and vip.channel.counts_as_vip),
            reminder_days=tuple(sorted(set(vip.reminder_days), reverse=True)),
        )

    def _tier(self, tier: str, ids: list[str], at: Position) -> None:
        if tier not in ids:
            self.bag.add("D306", at, name=tier, suggestion=suggest(tier, ids))

    def emotions(self, characters: set[str]) -> c.Emotions:
        emo, doc = self._file("emotions")
        assert isinstance(emo, m.Emotions)
        pos = doc.positions
        if emo.character not in characters:
            self.bag.add(
                "D303",
                pos.value(("character",)),
                name=emo.character,
                suggestion=suggest(emo.character, sorted(characters)),
            )
        dims = {}
        for name, d in emo.dimensions.items():
            if not d.min <= d.start <= d.max:
                self.bag.add(
                    "D607",
                    pos.value(("dimensions", name, "start")),
                    name=name,
                    start=d.start,
                    low=d.min,
                    high=d.max,
                )
            dims[name] = c.Dimension(name, d.min, d.max, d.start, d.decay_per_day)
        states = []
        for i, s in enumerate(emo.states):
            at = pos.value(("states", i, "when"))
            self.positions[f"state:{s.id}"] = pos.value(("states", i))
            when = self.exprs.compile(s.when, at) or _never(s.when)
            states.append(
                c.EmotionalState(
                    s.id,
                    self.texts.add(f"state.{s.id}.name", s.name, pos.value(("states", i))),
                    when,
                )
            )
        if emo.states and emo.states[-1].when.strip() != _ALWAYS_TRUE:
            self.bag.add("D608", pos.value(("states", len(emo.states) - 1, "when")))
        state_ids = [s.id for s in emo.states]
        responses: dict[str, Mapping[str, tuple[c.Text, ...]]] = {}
        for set_id, by_state in emo.responses.items():
            self.positions[f"response:{set_id}"] = pos.key(("responses", set_id))
            variants: dict[str, tuple[c.Text, ...]] = {}
            for state_id, texts in by_state.items():
                loc = ("responses", set_id, state_id)
                if state_id != "any" and state_id not in state_ids:
                    self.bag.add(
                        "D304",
                        pos.key(loc),
                        what="state",
                        name=state_id,
                        suggestion=suggest(state_id, [*state_ids, "any"]),
                    )
                variants[state_id] = tuple(
                    self.texts.add(
                        f"response.{set_id}.{state_id}.{n}",
                        text,
                        pos.value((*loc, n)),
                        extra_placeholders=RESPONSE_PLACEHOLDERS,
                    )
                    for n, text in enumerate(texts)
                )
            responses[set_id] = MappingProxyType(variants)
        return c.Emotions(
            emo.character, MappingProxyType(dims), tuple(states), MappingProxyType(responses)
        )

    def economy(self) -> c.Economy:
        eco, doc = self._file("economy")
        assert isinstance(eco, m.Economy)
        pos = doc.positions
        levels = []
        previous: int | None = None
        for i, lv in enumerate(eco.levels):
            if previous is not None and lv.min_points <= previous:
                self.bag.add(
                    "D606", pos.value(("levels", i, "min_points")), id=lv.id, points=lv.min_points
                )
            previous = lv.min_points
            self.positions[f"level:{lv.id}"] = pos.value(("levels", i))
            levels.append(
                c.Level(
                    lv.id,
                    self.texts.add(
                        f"level.{lv.id}.name", lv.name, pos.value(("levels", i, "name"))
                    ),
                    lv.min_points,
                )
            )
        achievements = []
        for i, a in enumerate(eco.achievements):
            at = pos.value(("achievements", i, "when"))
            self.positions[f"achievement:{a.id}"] = pos.value(("achievements", i))
            achievements.append(
                c.Achievement(
                    a.id,
                    self.texts.add(
                        f"achievement.{a.id}.name", a.name, pos.value(("achievements", i, "name"))
                    ),
                    None
                    if a.description is None
                    else self.texts.add(
                        f"achievement.{a.id}.description",
                        a.description,
                        pos.value(("achievements", i, "description")),
                    ),
                    self.exprs.compile(a.when, at) or _never(a.when),
                    a.reward,
                )
            )
        return c.Economy(
            currency_name=self.texts.add(
                "currency.name", eco.currency.name, pos.value(("currency", "name"))
            ),
            currency_symbol=eco.currency.symbol,
            starting_points=eco.starting_points,
            daily_gift=eco.daily_gift.points,
            streak_every=eco.streak.bonus_every if eco.streak else 0,
            streak_bonus=eco.streak.bonus if eco.streak else 0,
            streak_grace_days=eco.streak.grace_days if eco.streak else 0,
            reactions=None
            if eco.reactions is None
            else c.Reactions(
                MappingProxyType(dict(eco.reactions.emoji)),
                eco.reactions.default,
                eco.reactions.cooldown_seconds,
                eco.reactions.daily_cap,
            ),
            comments=_participation(eco.comments),
            posts=_participation(eco.posts),
            channels=tuple(
                c.Channel(ch.id, ch.chat, ch.reactions, ch.comments, ch.posts)
                for ch in eco.channels
            ),
            vip_multiplier_percent=round(eco.vip_multiplier * 100),
            levels=tuple(levels),
            achievements=tuple(achievements),
        )


def _participation(p: m.Participation | None) -> c.Participation | None:
    return None if p is None else c.Participation(p.points, p.cooldown_seconds, p.daily_cap)


def _never(source: str) -> Expression:
    """Stand-in for an expression that failed to compile (its error is already reported)."""
    return Expression(source, Type.BOOL, frozenset(), (), lambda _ctx: False)
