"""Semantic checks beyond the catalogue's fixtures: the cases each check must get right (and
must not fire on), Telegram HTML edge cases, and a large story checked without recursion."""

from __future__ import annotations

import random
import shutil
import textwrap
from pathlib import Path

import pytest

from engine.content import load_story
from engine.content.checks import run_checks, telegram
from engine.content.checks.graph import strongly_connected
from engine.content.checks.telegram import (
    parse_html,
)
from engine.content.compiler import CompileResult
from engine.content.diagnostics import DiagnosticBag
from engine.content.loader import ContentCache, LoadResult
from engine.content.synth import write_story

BASE = Path(__file__).parent / "diagnostics" / "_base"
MAIN = """\
kind: chapter
id: main
title: Principal
fragments:
"""


def make(tmp_path: Path, files: dict[str, str]) -> Path:
    """The fixtures' base story with `files` (relative path -> YAML) laid over it."""
    content = tmp_path / "content"
    shutil.copytree(BASE, content, dirs_exist_ok=True)
    for rel, text in files.items():
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text(textwrap.dedent(text), encoding="utf-8")
    return content


def load(tmp_path: Path, files: dict[str, str]) -> LoadResult:
    return load_story(make(tmp_path, files))


def chapter(body: str) -> dict[str, str]:
    """The main chapter replaced by `body` (its fragments, indented as list items)."""
    return {"chapters/main.yaml": MAIN + textwrap.indent(textwrap.dedent(body), "  ")}


def messages(result: LoadResult, code: str) -> list[str]:
    return [d.message for d in result.diagnostics.sorted() if d.code == code]


def errors(result: LoadResult) -> list[str]:
    return [str(d) for d in result.diagnostics.errors]


END = "{id: final, text: Fin., ending: {title: Fin}}"


# --- flow -------------------------------------------------------------------------------


def test_loop_with_a_way_out_is_not_a_no_exit(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        chapter(f"""\
        - {{id: inicio, text: Hola, choices: [{{label: A, to: patio}}]}}
        - {{id: patio, text: Patio, choices: [{{label: B, to: inicio}}, {{label: C, to: final}}]}}
        - {END}
        """),
    )
    assert errors(result) == []
    assert messages(result, "D503") == []


def test_closed_loop_is_reported_once_at_its_first_fragment(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        chapter(f"""\
        - {{id: inicio, text: Hola, choices: [{{label: A, to: pasillo}}, {{label: F, to: final}}]}}
        - {{id: pasillo, text: P, choices: [{{label: B, to: sala}}]}}
        - {{id: sala, text: S, choices: [{{label: C, to: cuarto}}]}}
        - {{id: cuarto, text: C, choices: [{{label: D, to: sala}}, {{label: E, to: cuarto}}]}}
        - {END}
        """),
    )
    # pasillo only leads into the loop: fixing the loop fixes it, so it is not reported
    assert messages(result, "D503") == [
        "from 'sala' no ending can ever be reached (2 fragments loop)"
    ]


def test_self_loop_without_exit_and_dead_end(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        chapter(f"""\
        - {{id: inicio, text: H, choices: [{{label: A, to: eco}}, {{label: B, to: nada}},
                                        {{label: F, to: final}}]}}
        - {{id: eco, text: Eco, choices: [{{label: Otra vez, to: eco}}]}}
        - {{id: nada, text: Nada}}
        - {END}
        """),
    )
    assert messages(result, "D503") == [
        "from 'eco' no ending can ever be reached (1 fragments loop)"
    ]
    assert messages(result, "D502") == ["fragment 'nada' has no choices and is not an ending"]


def test_once_only_strand_needs_a_cycle_and_no_sticky_choice(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        chapter(f"""\
        - {{id: inicio, text: H, choices: [{{label: A, to: sala, once: true}},
                                        {{label: B, to: final, once: true}}]}}
        - {{id: sala, text: S, choices: [{{label: C, to: patio, once: true}},
                                      {{label: D, to: final, once: true}}]}}
        - {{id: patio, text: P, choices: [{{label: E, to: sala}},
                                       {{label: F, to: final, once: true}}]}}
        - {END}
        """),
    )
    # inicio is not on a cycle; patio has a sticky choice; sala is revisited and runs dry
    assert messages(result, "D504") == [
        "fragment 'sala' can be revisited but all its choices are once-only"
    ]


def test_chapter_starts_and_upsells_make_fragments_reachable(tmp_path: Path) -> None:
    files = chapter(f"""\
        - {{id: inicio, text: H, choices: [{{label: A, to: salon}}]}}
        - {{id: salon, text: S, vip: true, upsell: puerta, choices: [{{label: F, to: final}}]}}
        - {{id: puerta, text: P, choices: [{{label: F, to: final}}]}}
        - {{id: suelto, text: X, choices: [{{label: F, to: final}}]}}
        - {END}
        """)
    files["chapters/otro.yaml"] = """\
        kind: chapter
        id: otro
        title: Otro
        fragments:
          - {id: atajo, text: A, choices: [{label: F, to: final2}]}
          - {id: final2, text: Fin., ending: {title: Fin}}
        """
    result = load(tmp_path, files)
    assert errors(result) == []
    assert messages(result, "D501") == ["fragment 'suelto' cannot be reached from any start"]


def test_flow_and_economy_checks_skip_after_errors(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        chapter(f"""\
        - {{id: inicio, text: H, vip: true, choices: [{{label: A, to: nowhere}}]}}
        - {{id: nada, text: Nada}}
        - {END}
        """),
    )
    assert [d.code for d in result.diagnostics.errors] == ["D302"]


# --- releases: replaces ---------------------------------------------------------------


def test_replaces_compiles_to_the_removed_to_replacing_map(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        chapter("""\
        - {id: inicio, text: Hola, choices: [{label: A, to: new}]}
        - {id: new, text: Nuevo, replaces: [old], ending: {title: Fin}}
        """),
    )
    assert errors(result) == []
    assert result.story is not None
    assert result.story.replaced == {"old": "new"}


def test_replacing_a_vip_fragment_without_upsell_is_not_checked(tmp_path: Path) -> None:
    """The runtime handles gates when it relocates a player; the content is fine as it is."""
    result = load(
        tmp_path,
        chapter(f"""\
        - {{id: inicio, text: Hola, choices: [{{label: A, to: sala}}, {{label: B, to: final}}]}}
        - {{id: sala, text: Sala, vip: true, replaces: [salita], ending: {{title: Fin}}}}
        - {END}
        """),
    )
    assert errors(result) == []
    assert result.story is not None
    assert result.story.replaced == {"salita": "sala"}


def test_a_story_without_replaces_replaces_nothing(tmp_path: Path) -> None:
    result = load(tmp_path, {})
    assert result.story is not None
    assert result.story.replaced == {}


# --- economy and VIP --------------------------------------------------------------------


def economy_story(tmp_path: Path, body: str) -> LoadResult:
    result = load(tmp_path, chapter(body))
    assert {d.code for d in result.diagnostics.errors} <= {"D602", "D603"}, errors(result)
    return result


def test_cost_above_what_a_free_player_can_hold(tmp_path: Path) -> None:
    result = economy_story(
        tmp_path,
        f"""\
        - {{id: inicio, text: H, reward: 5, choices: [{{label: A, to: sala, cost: 10}}]}}
        - {{id: sala, text: S, choices: [{{label: B, to: final, cost: 6, reward: 2, id: caro}},
                                      {{label: C, to: final}}]}}
        - {END}
        """,
    )
    # 10 to start + 5 on inicio - 10 = 5 on arriving at sala: 6 is too much
    assert messages(result, "D601") == [
        "choice costs 6 but a free player earns at most 5 before it without daily gifts"
    ]


def test_rewards_on_the_best_route_count(tmp_path: Path) -> None:
    result = economy_story(
        tmp_path,
        f"""\
        - {{id: inicio, text: H, choices: [{{label: A, to: rico, reward: 20}},
                                        {{label: B, to: caro}}]}}
        - {{id: rico, text: R, choices: [{{label: C, to: caro}}]}}
        - {{id: caro, text: C, choices: [{{label: D, to: final, cost: 30}}]}}
        - {END}
        """,
    )
    assert messages(result, "D601") == []


def test_a_paying_loop_makes_points_unbounded(tmp_path: Path) -> None:
    result = economy_story(
        tmp_path,
        f"""\
        - {{id: inicio, text: H, choices: [{{label: A, to: mina}}]}}
        - {{id: mina, text: M, choices: [{{label: Cavar, to: pozo, reward: 3}},
                                      {{label: Salir, to: caro}}]}}
        - {{id: pozo, text: P, choices: [{{label: Subir, to: mina, cost: 1}}]}}
        - {{id: caro, text: C, choices: [{{label: D, to: final, cost: 500}}]}}
        - {END}
        """,
    )
    assert messages(result, "D601") == []


def test_a_loop_that_costs_more_than_it_pays_is_bounded(tmp_path: Path) -> None:
    result = economy_story(
        tmp_path,
        f"""\
        - {{id: inicio, text: H, choices: [{{label: A, to: mina}}]}}
        - {{id: mina, text: M, choices: [{{label: Cavar, to: pozo, reward: 3}},
                                      {{label: Salir, to: caro}}]}}
        - {{id: pozo, text: P, choices: [{{label: Subir, to: mina, cost: 5}}]}}
        - {{id: caro, text: C, choices: [{{label: D, to: final, cost: 500}}]}}
        - {END}
        """,
    )
    # once around pays 3 at most before the cost of climbing back: 10 + 3
    assert messages(result, "D601") == [
        "choice costs 500 but a free player earns at most 13 before it without daily gifts"
    ]


def test_once_only_rewards_in_a_loop_count_once(tmp_path: Path) -> None:
    result = economy_story(
        tmp_path,
        f"""\
        - {{id: inicio, text: H, choices: [{{label: A, to: mina}}]}}
        - {{id: mina, text: M, reward: 2,
           choices: [{{label: Cavar, to: pozo, reward: 4, once: true}},
                     {{label: Salir, to: caro}}]}}
        - {{id: pozo, text: P, choices: [{{label: Subir, to: mina}}]}}
        - {{id: caro, text: C, choices: [{{label: D, to: final, cost: 17}}]}}
        - {END}
        """,
    )
    assert messages(result, "D601") == [
        "choice costs 17 but a free player earns at most 16 before it without daily gifts"
    ]


def test_vip_choices_shown_locked_or_with_upsell_are_not_dead_ends(tmp_path: Path) -> None:
    result = economy_story(
        tmp_path,
        f"""\
        - {{id: inicio, text: H, choices: [{{label: A, to: a}}, {{label: B, to: b}},
                                        {{label: C, to: c}}, {{label: F, to: final}}]}}
        - {{id: a, text: A, choices: [{{label: V, to: final, vip: true}}]}}
        - {{id: b, text: B, choices: [{{label: V, to: salon, locked: hide}}]}}
        - {{id: c, text: C, choices: [{{label: V, to: privado, locked: hide}}]}}
        - {{id: salon, text: S, vip: true, upsell: final, choices: [{{label: F, to: final}}]}}
        - {{id: privado, text: P, vip: true, choices: [{{label: F, to: final}}]}}
        - {END}
        """,
    )
    assert messages(result, "D602") == [
        "free players reach 'c' but every way on is VIP-only, hidden and without upsell"
    ]


def test_free_ending_through_an_upsell(tmp_path: Path) -> None:
    result = economy_story(
        tmp_path,
        f"""\
        - {{id: inicio, text: H, choices: [{{label: A, to: salon}}]}}
        - {{id: salon, text: S, vip: true, upsell: final, choices: [{{label: F, to: fin_vip}}]}}
        - {{id: fin_vip, text: V, vip: true, ending: {{title: VIP}}}}
        - {END}
        """,
    )
    assert messages(result, "D603") == []


def test_no_free_ending(tmp_path: Path) -> None:
    result = economy_story(
        tmp_path,
        f"""\
        - {{id: inicio, text: H, choices: [{{label: A, to: final, vip: true}},
                                        {{label: B, to: inicio}}]}}
        - {END}
        """,
    )
    assert messages(result, "D603") == ["no ending can be reached by a free player"]


def test_a_gated_start_is_only_reported_once(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        chapter(
            f"""\
        - {{id: inicio, text: H, vip: true, choices: [{{label: A, to: final}}]}}
        - {END}
        """
        ),
    )
    assert [d.code for d in result.diagnostics.errors] == ["D505"]


def test_free_players_are_sent_along_upsells(tmp_path: Path) -> None:
    result = economy_story(
        tmp_path,
        f"""\
        - {{id: inicio, text: H, choices: [{{label: A, to: salon, reward: 7}}]}}
        - {{id: salon, text: S, vip: true, upsell: antesala, choices: [{{label: F, to: final}}]}}
        - {{id: antesala, text: A, vip: true, upsell: puerta, choices: [{{label: F, to: final}}]}}
        - {{id: puerta, text: P, choices: [{{label: Pagar, to: final, cost: 18}},
                                        {{label: Gratis, to: salon, locked: hide}}]}}
        - {END}
        """,
    )
    # 10 + 7 on the way to salon, then two upsells to puerta: 18 is one too many
    assert messages(result, "D601") == [
        "choice costs 18 but a free player earns at most 17 before it without daily gifts"
    ]
    assert messages(result, "D602") == messages(result, "D603") == []


# --- emotions ---------------------------------------------------------------------------


def emotions(states: list[str], dims: str) -> str:
    lines = ["kind: emotions", "character: diana", "dimensions:", f"  {dims}", "states:"]
    return "\n".join(lines + [f"  - {state}" for state in states]) + "\n"


def states_story(
    tmp_path: Path, states: list[str], body: str, dims: str = "trust: {start: 20}"
) -> list[str]:
    files = chapter(body)
    files["emotions.yaml"] = emotions(states, dims)
    result = load(tmp_path, files)
    assert errors(result) == []
    return messages(result, "D604")


LOOP = f"""\
    - {{id: inicio, text: H, choices: [{{label: A, to: inicio, effects: {{add: {{trust: 1}}}}}},
                                    {{label: B, to: final, effects: {{add: {{trust: -5}}}}}}]}}
    - {END}
    """


def test_first_match_shadows_a_later_state(tmp_path: Path) -> None:
    found = states_story(
        tmp_path,
        [
            '{id: warm, name: Warm, when: "trust >= 30"}',
            '{id: fond, name: Fond, when: "trust >= 40 and trust < 90"}',
            '{id: guarded, name: Guarded, when: "true"}',
        ],
        LOOP,
    )
    assert found == ["Diana's state 'fond' can never be reached"]


def test_adds_in_a_loop_open_the_range_and_single_adds_bound_it(tmp_path: Path) -> None:
    found = states_story(
        tmp_path,
        [
            '{id: devoted, name: Devoted, when: "trust >= 100"}',
            '{id: cold, name: Cold, when: "trust <= 15"}',
            '{id: frozen, name: Frozen, when: "trust < 14"}',
            '{id: guarded, name: Guarded, when: "true"}',
        ],
        LOOP,
    )
    # +1 repeats (a loop): up to 100; -5 only once: down to 15, never below
    assert found == ["Diana's state 'frozen' can never be reached"]


def test_states_may_read_variables_and_functions(tmp_path: Path) -> None:
    found = states_story(
        tmp_path,
        [
            '{id: open, name: Open, when: "abierto and trust >= 20"}',
            '{id: seen, name: Seen, when: \'visited("final") and has_clue("llave")\'}',
            '{id: guarded, name: Guarded, when: "true"}',
        ],
        f"""\
        - {{id: inicio, text: H, choices: [{{label: A, to: final,
              effects: {{set: {{abierto: true}}, add: {{romantic: 1}}, clues: [llave]}}}}]}}
        - {END}
        """,
    )
    assert found == []


# --- Telegram ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "visible"),
    [
        ("plain text", "plain text"),
        ("<b>bold</b> <i>it</i> <u>u</u> <s>s</s> <code>x</code>", "bold it u s x"),
        ('<a href="https://x.es/?a=1&amp;b=2">link</a>', "link"),
        ('<pre><code class="language-python">x = 1</code></pre>', "x = 1"),
        ('<span class="tg-spoiler">hidden</span><tg-spoiler>too</tg-spoiler>', "hiddentoo"),
        ('<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>', "👍"),
        ("<blockquote expandable>q</blockquote><BLOCKQUOTE>Q</BLOCKQUOTE>", "qQ"),
        (
            "1 &lt; 2 &amp;&amp; 3 &gt; 2 &quot;x&quot; &#128512; &#x1F600;",
            '1 < 2 && 3 > 2 "x" 😀 😀',
        ),
        ("<b>{name}</b> > tú", "{name} > tú"),
    ],
)
def test_valid_telegram_html(html: str, visible: str) -> None:
    assert parse_html(html) == (visible, None)


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ("a & b", "a bare '&' (write &amp;)"),
        ("&amp without semicolon", "a bare '&' (write &amp;)"),
        ("&nbsp;", "unsupported entity &nbsp; (Telegram knows &lt; &gt; &amp; &quot; and &#NN;)"),
        ("&#0;", "unsupported entity &#0; (Telegram knows &lt; &gt; &amp; &quot; and &#NN;)"),
        ("1 < 2", "a bare '<' that starts no tag (write &lt;)"),
        ("<!-- note -->", "a bare '<' that starts no tag (write &lt;)"),
        ("line<br>break", "<br> is not a Telegram tag"),
        ("<b>open", "<b> is never closed"),
        ("<b><i>x</b></i>", "</b> found where </i> was expected"),
        ("x</b>", "</b> closes no open tag"),
        ("<b/>", "<b/> must be written <b>...</b>"),
        ("<a>no link</a>", "<a> needs an href"),
        ('<span class="bold">x</span>', '<span> is only allowed as <span class="tg-spoiler">'),
        ("<tg-emoji>👍</tg-emoji>", "<tg-emoji> needs an emoji-id"),
        ("<b>x</b >", None),
        ('<a href="x">y</a foo>', "</a> cannot have attributes"),
    ],
)
def test_invalid_telegram_html(html: str, problem: str | None) -> None:
    assert parse_html(html)[1] == problem


def test_the_fast_html_path_agrees_with_the_tokenizer() -> None:
    pieces = [
        "<b>",
        "</b>",
        "<i>",
        "</i>",
        "<code>",
        "</code>",
        "<B>",
        "<br>",
        "text ",
        "ñ",
        "<",
        "{name}",
        "<a href='x'>",
        "</a>",
        "</ b>",
        "<b >",
        "&amp;",
        "&",
    ]
    rng = random.Random(5)
    for _ in range(3000):
        html = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 7)))
        assert parse_html(html) == telegram._parse(html), html


def test_lengths_count_placeholders_at_their_longest(tmp_path: Path) -> None:
    files = chapter(f"""\
        - id: inicio
          text: "{"a" * 4000}{{name}}{{humor}}"
          media: {{photo: foto.jpg, caption: "<b>{"&amp;" * 1000}</b>{{currency}}{{points}}"}}
          choices:
            - {{label: "{{name}}", to: final, effects: {{set: {{humor: "{"x" * 40}"}}}}}}
            - {{label: "{"ñ" * 40}", to: final, id: corta}}
        - {END}
        """)
    files["story.yaml"] = (
        (BASE / "story.yaml")
        .read_text()
        .replace("  abierto: false", '  abierto: false\n  humor: "bien"')
    )
    files["foto.jpg"] = "not really a photo"
    result = load(tmp_path, files)
    # 4000 + a name (64) + the longest value humor is ever set to (40)
    assert messages(result, "D701") == ["text can reach 4104 characters (es); Telegram allows 4096"]
    # 1000 entities of one character each + "besitos" + a number (10): 1017 fits
    assert messages(result, "D702") == []
    assert messages(result, "D703") == ["button label is 64 characters (es); keep it to 40"]
    assert [d.code for d in result.diagnostics.errors] == ["D701"]


# --- unused -----------------------------------------------------------------------------


def test_text_placeholders_and_has_clue_count_as_uses(tmp_path: Path) -> None:
    files = chapter(f"""\
        - {{id: inicio, text: "{{abierto}} {{romantic}}",
           choices: [{{label: A, to: final, if: 'has_clue("llave")'}}]}}
        - {END}
        """)
    files["story.yaml"] = (BASE / "story.yaml").read_text() + "  mapa: {name: Mapa}\n"
    result = load(tmp_path, files)
    assert errors(result) == []
    assert messages(result, "D901") == ["clue 'mapa' is declared but never used"]


# --- scale ------------------------------------------------------------------------------


def reach(succ: list[list[int]], roots: list[int]) -> list[bool]:
    seen = [False] * len(succ)
    todo = list(roots)
    while todo:
        v = todo.pop()
        if not seen[v]:
            seen[v] = True
            todo.extend(succ[v])
    return seen


def test_graph_algorithms_are_iterative() -> None:
    n = 50_000
    ring = [[i + 1] for i in range(n - 1)] + [[0]]
    comp, cyclic, topo = strongly_connected(ring, [0])
    assert set(comp) == {0} and cyclic == [True] and len(topo) == n
    line = [[i + 1] for i in range(n - 1)] + [[]]
    comp, cyclic, topo = strongly_connected(line, [0])
    assert len(cyclic) == n and not any(cyclic)
    assert comp[0] == n - 1 and comp[-1] == 0 and topo == list(range(n - 1, -1, -1))


def test_strongly_connected_matches_mutual_reachability() -> None:
    rng = random.Random(3)
    for _ in range(200):
        n = rng.randint(1, 12)
        succ = [[rng.randrange(n) for _ in range(rng.randint(0, 3))] for _ in range(n)]
        roots = rng.sample(range(n), rng.randint(1, n))
        comp, cyclic, topo = strongly_connected(succ, roots)
        seen = reach(succ, roots)
        assert [c >= 0 for c in comp] == seen
        assert sorted(topo) == [v for v in range(n) if seen[v]]
        assert [comp[v] for v in topo] == sorted(comp[v] for v in topo)  # grouped, sinks first
        first = reach(succ, roots[:1])
        assert [0 <= c <= comp[roots[0]] for c in comp] == first
        reaches = [reach(succ, [v]) for v in range(n)]
        for u in (v for v in range(n) if seen[v]):
            assert cyclic[comp[u]] == any(reaches[w][u] for w in succ[u])
            for v in (v for v in range(n) if seen[v]):
                assert (comp[u] == comp[v]) == (reaches[u][v] and reaches[v][u])
                if v in succ[u] and comp[u] != comp[v]:
                    assert comp[u] > comp[v]


def test_ten_thousand_fragments(tmp_path: Path) -> None:
    """The loader's generated story: deep chains and loops, no recursion, and fast."""
    result = load_story(write_story(tmp_path / "synth", 10_000))
    assert result.story is not None and len(result.story.by_index) == 10_000
    assert [str(d) for d in result.diagnostics.sorted()] == []
    assert result.timings["checks"] < 1.0  # measured near 0.1 s; this catches a quadratic slip


def test_run_checks_without_a_story() -> None:
    run_checks(CompileResult(None), DiagnosticBag(), Path("."))


# --- the loader: content hash, media paths, duplicates and cascades -----------------------


def test_content_hash_does_not_depend_on_how_the_folder_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = load(tmp_path, {}).root
    hashes = set()
    for cwd, spelling in (
        (tmp_path, "content"),
        (tmp_path, str(tmp_path / "content")),
        (tmp_path / "content", "."),
        (tmp_path / "content" / "chapters", ".."),
    ):
        monkeypatch.chdir(cwd)
        story = load_story(spelling).story
        assert story is not None, content
        hashes.add(story.content_hash)
    assert len(hashes) == 1


def test_content_hash_covers_media_bytes(tmp_path: Path) -> None:
    image = tmp_path / "content" / "media" / "salon.png"
    image.parent.mkdir(parents=True)
    image.write_bytes(b"\x89PNG one")
    body = chapter("""\
    - {id: inicio, text: Hola, media: {photo: media/salon.png}, choices: [{label: A, to: final}]}
    - {id: final, text: Fin., ending: {title: Fin}}
    """)
    first = load(tmp_path, body)
    assert errors(first) == [] and first.story is not None
    image.write_bytes(b"\x89PNG two")
    cache = ContentCache()
    second = load_story(tmp_path / "content", cache=cache)
    assert second.story is not None
    assert second.story.content_hash != first.story.content_hash
    image.write_bytes(b"\x89PNG three, a longer file")  # the cache notices media changes too
    third = load_story(tmp_path / "content", cache=cache)
    assert third.story is not None
    assert third.story.content_hash not in {first.story.content_hash, second.story.content_hash}


@pytest.mark.parametrize("path", ["../../../../etc/passwd", "/etc/passwd", "media/../../x.jpg"])
def test_media_outside_the_content_folder_is_refused(tmp_path: Path, path: str) -> None:
    result = load(
        tmp_path,
        chapter(
            f"- {{id: inicio, text: Hola, media: {{photo: '{path}'}}, ending: {{title: Fin}}}}\n"
        ),
    )
    assert [d.code for d in result.diagnostics.errors] == ["D708"]
    detail = " (an absolute path)" if path.startswith("/") else ""
    assert messages(result, "D708") == [
        f"media path '{path}' leads outside the content folder{detail}"
    ]


def test_media_symlink_leading_outside_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("password")
    media = tmp_path / "content" / "media"
    media.mkdir(parents=True)
    (media / "ok.jpg").symlink_to(secret)
    (media / "out").symlink_to(tmp_path)
    (media / "real.jpg").write_bytes(b"jpg")
    (media / "inside.jpg").symlink_to(media / "real.jpg")  # a link that stays inside is fine
    result = load(
        tmp_path,
        chapter("""\
        - id: inicio
          text: Hola
          media: {photo: media/ok.jpg}
          choices: [{label: A, to: dos}]
        - id: dos
          text: Dos
          media: {photo: media/out/../content/media/real.jpg}
          choices: [{label: A, to: tres}]
        - {id: tres, text: Tres, media: {photo: media/inside.jpg}, ending: {title: Fin}}
        """),
    )
    assert [(d.code, d.position.line) for d in result.diagnostics.errors] == [
        ("D708", 7),
        ("D708", 11),
    ]
    assert all(m.endswith("(through a symbolic link)") for m in messages(result, "D708"))


def test_a_duplicate_fragment_body_is_still_checked(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        chapter(f"""\
        - {{id: inicio, text: Hola, choices: [{{label: A, to: final}}]}}
        - {END}
        - id: inicio
          text: "<b>roto"
          media: {{photo: media/nope.jpg, caption: "a & b"}}
          choices: [{{label: B, to: nowhere}}]
        """),
    )
    got = sorted((d.code, d.position.line) for d in result.diagnostics.errors)
    assert got == [("D301", 7), ("D302", 10), ("D706", 8), ("D706", 9), ("D707", 9)]
    assert result.story is not None
    assert result.story.fragments["inicio"].text.get("es", "es") == "Hola"  # the first is kept
    assert len(result.story.by_index) == 2


def test_a_broken_file_hides_no_errors_but_causes_none_elsewhere(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        {
            "chapters/main.yaml": MAIN
            + "  - {id: inicio, text: Hola, choices: [{label: A, to: lejos}]}\n"
            "  - {id: dos, text: Dos, choices: "
            "[{label: B, to: inicio, if: 'chose(\"lejos.x\")'}]}\n",
            "chapters/other.yaml": "kind: chapter\nid: other\nfragments: [{id: lejos\n",
        },
    )
    assert [(d.code, d.position.path.rsplit("/", 1)[-1]) for d in result.diagnostics.errors] == [
        ("D101", "other.yaml")
    ]
    (broken,) = result.diagnostics.errors
    assert broken.note.startswith("2 references in other files to ids this file may define")


def test_a_chapter_with_a_schema_error_mutes_only_references_to_its_own_ids(
    tmp_path: Path,
) -> None:
    result = load(
        tmp_path,
        {
            "chapters/main.yaml": MAIN + "  - {id: inicio, text: Hola, choices: "
            "[{label: A, to: lejos}, {label: B, to: typo}]}\n",
            "chapters/other.yaml": "kind: chapter\nid: other\ntitle: O\n"
            "fragments: [{id: lejos, text: L, colour: red, ending: {title: Fin}}]\n",
        },
    )
    got = sorted((d.code, d.message) for d in result.diagnostics.errors)
    assert [code for code, _ in got] == ["D203", "D302"]
    assert "'typo' is not a fragment" in got[1][1]


def test_an_invalid_story_file_is_not_reported_missing(tmp_path: Path) -> None:
    story = (BASE / "story.yaml").read_text(encoding="utf-8").replace("format: 1", "format: 2")
    result = load(tmp_path, {"story.yaml": story})
    codes = [d.code for d in result.diagnostics.errors]
    assert codes and "D110" not in codes
    assert {d.position.path.rsplit("/", 1)[-1] for d in result.diagnostics} == {"story.yaml"}


def test_a_missing_file_is_still_reported_beside_a_broken_one(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    (content / "economy.yaml").unlink()
    (content / "story.yaml").write_text("kind: story\nformat: 2\n")
    result = load_story(content)
    assert messages(result, "D110") == [
        f"no economy file (one with `kind: economy`) in {result.root}"
    ]
