"""Run a playtest over several profiles and report it as tables (people) or JSON (tools).

Uncovered fragments and choices are named with their file and line; every soft-lock comes with
a `diana preview` command that replays the path into it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from statistics import mean
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cli.play.explore import explore
from cli.play.playtest import Coverage, Tally, random_runs
from cli.play.profiles import Profile
from cli.play.seek import Found, seek
from engine.content.compiled import Story


@dataclass(frozen=True, slots=True)
class Options:
    seed: int = 1
    runs: int = 200
    max_steps: int = 200
    exhaustive: bool = False
    max_states: int = 20_000
    chapter: str | None = None
    seek: int = 5_000
    """States a directed search may see per missed choice and profile (0: none)."""


@dataclass
class Report:
    story: Story
    path: str
    options: Options
    tallies: list[Tally]
    coverage: Coverage
    found: list[Found] = field(default_factory=list)
    """Choices only the directed search reached, with the route to each."""

    @property
    def ok(self) -> bool:
        return not any(t.soft_locks or t.errors for t in self.tallies)

    def fragments(self) -> list[str]:
        chapter = self.options.chapter
        return [f.id for f in self.story.by_index if chapter is None or f.chapter == chapter]

    def uncovered(self) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        frags, choices = [], []
        for fid in self.fragments():
            fragment = self.story.fragments[fid]
            if fid not in self.coverage.fragments:
                frags.append({"id": fid, "at": f"{fragment.pos.path}:{fragment.pos.line}"})
            for c in fragment.choices:
                ref = f"{fid}.{c.id}"
                if ref not in self.coverage.choices:
                    choices.append({"id": ref, "at": f"{c.pos.path}:{c.pos.line}"})
        return frags, choices

    def replay_command(self, profile: Profile, path: Sequence[str]) -> str:
        flags = [" --vip" if profile.vip else ""]
        if profile.points is not None:
            flags.append(f" --points {profile.points}")
        flags += [f" --emotion {k}={v}" for k, v in profile.emotions.items()]
        if self.options.chapter:
            flags.append(f" --start {self.options.chapter}")
        steps = ",".join(["d"] * bool(profile.session) + [_replay_step(p) for p in path])
        return f'diana preview {self.path}{"".join(flags)} --choices "{steps}"'

    def to_json(self) -> dict[str, Any]:
        frags, choices = self.uncovered()
        total_choices = sum(len(self.story.fragments[f].choices) for f in self.fragments())
        endings = [f for f in self.fragments() if self.story.fragments[f].ending is not None]
        missed = [f["id"] for f in frags if f["id"] in set(endings)]
        o = self.options
        return {
            "story": self.story.id,
            "mode": "exhaustive" if o.exhaustive else "random",
            "seed": o.seed,
            "runs": None if o.exhaustive else o.runs,
            "max_steps": None if o.exhaustive else o.max_steps,
            "max_states": o.max_states if o.exhaustive else None,
            "chapter": o.chapter,
            "ok": self.ok,
            "coverage": {
                "fragments": {
                    "covered": len(self.fragments()) - len(frags),
                    "total": len(self.fragments()),
                    "uncovered": frags,
                },
                "choices": {
                    "covered": total_choices - len(choices),
                    "total": total_choices,
                    "uncovered": choices,
                },
                "endings": {
                    "covered": len(endings) - len(missed),
                    "total": len(endings),
                    "uncovered": missed,
                },
            },
            "profiles": {t.profile.name: self._profile(t) for t in self.tallies},
            "directed": None if o.exhaustive else {"budget": o.seek, "found": self._found()},
        }

    def _found(self) -> list[dict[str, Any]]:
        out = []
        for hit in self.found:
            out.append(
                {
                    "choice": hit.choice,
                    "to": hit.state.fragment,
                    "profile": hit.profile.name,
                    "states": hit.states,
                    "path": list(hit.path),
                    "replay": self.replay_command(hit.profile, hit.path),
                }
            )
        return out

    def _profile(self, t: Tally) -> dict[str, Any]:
        pts = t.points_at_endings
        total = t.states if self.options.exhaustive else t.runs
        unit = "states" if self.options.exhaustive else "runs"
        return {
            "description": t.profile.description,
            "runs": t.runs,
            "endings": dict(t.endings.most_common()),
            "ending_types": dict(t.ending_types.most_common()),
            "points_at_endings": (
                {"min": min(pts), "mean": round(mean(pts), 1), "max": max(pts)} if pts else None
            ),
            "paywall": {
                "counted_in": unit,
                "blocked": {unit: t.blocked, "rate": _rate(t.blocked, total)},
                "saw_locked": {unit: t.saw_locked, "rate": _rate(t.saw_locked, total)},
                "blocked_at": dict(t.blocked_at.most_common()),
                "upsell_redirects": dict(t.redirects.most_common()),
                "events": dict(t.paywall_events),
            },
            "soft_locks": [
                {
                    "fragment": fid,
                    "at": _at(self.story, fid),
                    "path": path,
                    "replay": self.replay_command(t.profile, path),
                }
                for fid, path in t.soft_locks.items()
            ],
            "unfinished": t.unfinished,
            "states": t.states,
            "truncated": t.truncated,
            "errors": t.errors,
        }


def _rate(count: int, total: int) -> float:
    return round(count / total, 3) if total else 0.0


def _share(count: int, rate: float, exhaustive: bool) -> str:
    return f"{count} ({rate:.0%})" if exhaustive else f"{rate:.0%}"


def _replay_step(step: str) -> str:
    return "t 1,d" if step == "checkin" else f"c {step}"


def _at(story: Story, fid: str) -> str:
    f = story.fragments.get(fid)
    return f"{f.pos.path}:{f.pos.line}" if f else "?"


def run(
    story: Story, path: str, profiles: Sequence[Profile], options: Options, now: datetime
) -> Report:
    coverage = Coverage()
    tallies = []
    for profile in profiles:
        if options.exhaustive:
            tally = explore(
                story,
                profile,
                coverage,
                max_states=options.max_states,
                now=now,
                chapter=options.chapter,
                seed=options.seed,
            )
        else:
            tally = random_runs(
                story,
                profile,
                coverage,
                seed=options.seed,
                runs=options.runs,
                max_steps=options.max_steps,
                now=now,
                chapter=options.chapter,
            )
        tallies.append(tally)
    found = []
    if not options.exhaustive and options.seek:
        found = seek(
            story,
            tallies,
            coverage,
            budget=options.seek,
            now=now,
            seed=options.seed,
            max_steps=options.max_steps,
            chapter=options.chapter,
        )
    return Report(story, path, options, tallies, coverage, found)


def print_text(report: Report, console: Console) -> None:
    data = report.to_json()
    o = report.options
    mode = (
        f"exhaustive, at most {o.max_states:,} states"
        if o.exhaustive
        else f"{o.runs} runs a profile, at most {o.max_steps} steps, seed {o.seed}"
        + (f"; directed search, at most {o.seek:,} states a target" if o.seek else "")
    )
    scope = f", chapter {o.chapter}" if o.chapter else ""
    console.print(f"[bold]playtest[/] {escape(report.path)}: {mode}{scope}")
    table = Table(title="profiles", title_justify="left")
    unit = "states" if o.exhaustive else "runs"
    for col in (
        "profile",
        unit,
        "endings",
        "points at endings",
        "paywall-blocked",
        "saw a lock",
        "soft-locks",
        "unfinished",
        "errors",
    ):
        table.add_column(col, justify="left" if col in {"profile", "endings"} else "right")
    for t in report.tallies:
        p = data["profiles"][t.profile.name]
        pts = p["points_at_endings"]
        table.add_row(
            t.profile.name,
            str(t.states if o.exhaustive else t.runs),
            ", ".join(f"{k} {v}" for k, v in p["ending_types"].items()) or "none",
            f"{pts['min']}/{pts['mean']}/{pts['max']}" if pts else "-",
            _share(t.blocked, p["paywall"]["blocked"]["rate"], o.exhaustive),
            _share(t.saw_locked, p["paywall"]["saw_locked"]["rate"], o.exhaustive),
            str(len(t.soft_locks)),
            str(t.unfinished) + (" (truncated)" if t.truncated else ""),
            str(len(t.errors)),
        )
    console.print(table)
    counted = "states (share of states)" if o.exhaustive else "share of runs"
    console.print(
        f"[dim]points at endings: min/mean/max; paywall-blocked: {counted} that reached a "
        "screen where every way on needed VIP or more points, or that a VIP gate sent to an "
        f"upsell; saw a lock: {counted} shown a locked VIP or cost button[/]",
        soft_wrap=True,
    )
    for t in report.tallies:
        walls = [f"{fid} {n}" for fid, n in t.blocked_at.most_common(4)]
        walls += [f"{fid} → upsell {n}" for fid, n in t.redirects.most_common(4)]
        if walls:
            console.print(
                f"[dim]paywalls ({escape(t.profile.name)}): {escape(', '.join(walls))}[/]",
                soft_wrap=True,
            )
    endings = Table(title="endings reached", title_justify="left")
    endings.add_column("ending")
    endings.add_column("type")
    for t in report.tallies:
        endings.add_column(t.profile.name, justify="right")
    in_scope = set(report.fragments())
    ending_ids = [f.id for f in report.story.by_index if f.ending is not None and f.id in in_scope]
    for fid in ending_ids:
        ending = report.story.fragments[fid].ending
        assert ending is not None
        endings.add_row(fid, ending.type, *(str(t.endings.get(fid, 0)) for t in report.tallies))
    if ending_ids:
        console.print(endings)
    cov = data["coverage"]
    for kind in ("fragments", "choices", "endings"):
        c = cov[kind]
        share = c["covered"] / c["total"] if c["total"] else 1.0
        console.print(f"[bold]{kind}[/] covered: {c['covered']}/{c['total']} ({share:.0%})")
        for item in c["uncovered"] if kind != "endings" else ():  # endings are fragments too
            console.print(f"  [yellow]never reached[/] {item['id']}  [dim]{item['at']}[/]")
    for hit in (data["directed"] or {}).get("found", []):
        console.print(
            f"[cyan]found by directed search[/] {hit['choice']} -> {hit['to']} "
            f"({hit['profile']}, {hit['states']} states)\n  replay: {escape(hit['replay'])}",
            soft_wrap=True,
        )
    for t in report.tallies:
        for lock in data["profiles"][t.profile.name]["soft_locks"]:
            console.print(
                f"[bold red]soft-lock[/] ({t.profile.name}) at {lock['fragment']} "
                f"[dim]{lock['at']}[/]: no button leads on\n  replay: {escape(lock['replay'])}",
                soft_wrap=True,
            )
        for err in t.errors:
            console.print(f"[bold red]error[/] ({t.profile.name}): {escape(str(err))}")
    if report.ok:
        console.print("[green]ok: no soft-locks, no errors[/]")
    else:
        locks = sum(len(t.soft_locks) for t in report.tallies)
        errors = sum(len(t.errors) for t in report.tallies)
        console.print(f"[bold red]{locks} soft-lock(s), {errors} error(s)[/]")
