"""`diana graph` and `diana stats`: the story map (Mermaid, DOT, rendered SVG) and the figures,
on the shipped story and on small stories written into tmp_path. Expectations are computed from
the loaded `Story` (or by hand for the small stories), never hard-coded for content/."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from engine.content import Story, load_story
from engine.content.graph_export import dot_text, mermaid_text

ROOT = Path(__file__).parent.parent
CONTENT = ROOT / "content"
BASE = ROOT / "tests" / "diagnostics" / "_base"
DIANA = Path(sys.executable).parent / "diana"
runner = CliRunner()

TRICKY = 'Invitarla \\"ya\\" <ahora> | #1 \\\\ %% 💋'  # YAML double-quoted: \" and \\

MAIN = f"""\
kind: chapter
id: main
title: {{es: 'Principal "uno" <b>&', en: Main}}
fragments:
  - id: inicio
    speaker: diana
    reward: 3
    text: {{es: "Hola, {{name}}. <b>Bienvenido</b>\\na la casa.", en: "Hello, {{name}}."}}
    choices:
      - label: {{es: "{TRICKY}", en: Invite her}}
        to: final
        cost: 15
        if: "not abierto and romantic >= 0 and trust >= 0"
        effects: {{set: {{abierto: true}}, add: {{romantic: 1, trust: 40}}, clues: [llave]}}
      - label: {{es: Esperar, en: Wait}}
        to: final
        id: esperar
        reward: 4
      - label: {{es: La puerta, en: The door}}
        to: salon_vip
        vip: true
      - label: {{es: El secreto, en: The secret}}
        to: secreto
  - id: secreto
    vip: true
    upsell: final
    text: {{es: "Un secreto.", en: "A secret."}}
    choices:
      - label: {{es: Salir, en: Leave}}
        to: final
  - id: final
    text: {{es: Fin., en: The end.}}
    ending: {{title: {{es: Fin, en: The End}}, type: good}}
  - id: olvidado
    text: {{es: "Nadie llega aquí.", en: "Nobody gets here."}}
    choices:
      - label: {{es: Volver, en: Back}}
        to: inicio
"""

VIP_CHAPTER = """\
kind: chapter
id: reservado
title: {es: El Diván, en: The Divan}
vip: true
upsell: final
fragments:
  - id: salon_vip
    text: {es: "Un salón privado.", en: "A private salon."}
    choices:
      - label: {es: Terminar, en: Finish}
        to: final_vip
  - id: final_vip
    text: "Solo en español."
    ending: {title: {es: Secreto, en: Secret}, type: secret}
"""

ACHIEVEMENT = """
achievements:
  - {id: primera, name: {es: Primera, en: First}, when: 'visited("final")', reward: 7}
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """_base plus a VIP chapter, a VIP fragment with its own upsell, an unreachable fragment,
    a cost, rewards, a condition, an achievement and a label full of characters to escape."""
    content = tmp_path / "content"
    shutil.copytree(BASE, content)
    (content / "chapters" / "main.yaml").write_text(MAIN, encoding="utf-8")
    (content / "chapters" / "vip.yaml").write_text(VIP_CHAPTER, encoding="utf-8")
    with (content / "economy.yaml").open("a", encoding="utf-8") as f:
        f.write(ACHIEVEMENT)
    return content


@pytest.fixture(scope="module")
def shipped() -> Story:
    result = load_story(CONTENT)
    assert result.ok and result.story is not None
    return result.story


def _story(path: Path) -> Story:
    result = load_story(path)
    assert result.ok, [str(d) for d in result.diagnostics.sorted()]
    assert result.story is not None
    return result.story


def _invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


# --- parsing the two formats back ----------------------------------------------------------

NODE_MMD = re.compile(r'^ {8}(n\d+)(\[|\(\[|\(\(\()"([^"]*)"(\]|\]\)|\)\)\))$')
EDGE_MMD = re.compile(r'^ {4}(n\d+|c\d+) (-->|-\.->)\|"([^"]*)"\| (n\d+)$')
QUOTED = r'"(?:[^"\\]|\\.)*"'
NODE_DOT = re.compile(rf"^ {{8}}({QUOTED}) \[(.*)\];$")
EDGE_DOT = re.compile(rf"^ {{4}}({QUOTED}) -> ({QUOTED}) \[(.*)\];$")
ATTR_DOT = re.compile(rf"(\w+)=({QUOTED})")


def _unquote(s: str) -> str:
    """A DOT quoted string's value: `\\n` is a line break, `\\x` is x."""
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] == "n" else m[1], s[1:-1])


def parse_mermaid(text: str) -> tuple[dict[str, tuple[str, str]], list[tuple[str, str, str, str]]]:
    """{node id: (shape opener, label)}, [(source, arrow, label, target)]."""
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    nodes = {m[1]: (m[2], m[3]) for line in lines if (m := NODE_MMD.match(line))}
    edges = [(m[1], m[2], m[3], m[4]) for line in lines if (m := EDGE_MMD.match(line))]
    assert len(nodes) == sum(ln.startswith("        n") for ln in lines)  # every node parsed
    assert len(edges) == sum(bool(re.match(r"^ {4}\S+ (-->|-\.->)\|", ln)) for ln in lines)
    return nodes, edges


def parse_dot(text: str) -> tuple[dict[str, dict[str, str]], list[tuple[str, str, dict[str, str]]]]:
    def attrs(s: str) -> dict[str, str]:
        return {k: _unquote(v) for k, v in ATTR_DOT.findall(s)}

    lines = text.splitlines()
    nodes = {_unquote(m[1]): attrs(m[2]) for ln in lines if (m := NODE_DOT.match(ln))}
    edges = [
        (_unquote(m[1]), _unquote(m[2]), attrs(m[3])) for ln in lines if (m := EDGE_DOT.match(ln))
    ]
    return nodes, edges


def check_dot_syntax(text: str) -> None:
    """Balanced braces and quotes always; and Graphviz itself parses it when installed."""
    unquoted = re.sub(QUOTED, "", text)
    assert '"' not in unquoted
    assert unquoted.count("{") == unquoted.count("}") == len(re.findall(r"\{\n", unquoted))
    assert text.startswith("digraph story {\n") and text.endswith("}\n")
    dot = shutil.which("dot")
    if dot is not None:
        done = subprocess.run([dot, "-Tsvg"], input=text.encode(), capture_output=True, check=False)
        assert done.returncode == 0, done.stderr.decode()
        assert b"<svg" in done.stdout and not done.stderr


def _choices(story: Story) -> Counter[tuple[str, str]]:
    return Counter((f.id, c.target) for f in story.by_index for c in f.choices)


# --- graph: the shipped story --------------------------------------------------------------


def test_mermaid_of_shipped_story(shipped: Story) -> None:
    out = _invoke("graph", str(CONTENT))
    nodes, edges = parse_mermaid(out)
    by_node = {f"n{f.index}": f for f in shipped.by_index}
    assert set(nodes) == set(by_node)  # every fragment, once
    for nid, (shape, label) in nodes.items():
        f = by_node[nid]
        assert label.startswith(f.id + "<br/>")
        assert (shape == "(((") == (f.ending is not None)
        assert (f"ending: {f.ending.type}" in label) if f.ending else "ending" not in label
    choice_edges = [e for e in edges if e[1] == "-->"]
    assert Counter((by_node[s].id, by_node[t].id) for s, _, _, t in choice_edges) == _choices(
        shipped
    )
    titles = re.findall(r'^    subgraph c\d+\["(.*)"\]$', out, re.M)
    assert [t.removesuffix(" · VIP") for t in titles] == [
        ch.title.get("es", "es") for ch in shipped.chapters.values()
    ]
    vip = {f"n{f.index}" for f in shipped.by_index if f.vip_rank}
    classes = re.findall(r"^    class (\S+) vip$", out, re.M)
    assert set(",".join(classes).split(",")) - {""} == vip
    for i, ch in enumerate(shipped.chapters.values()):
        assert (f"    style c{i} fill:" in out) == (ch.vip_rank > 0)
    upsells = [e for e in edges if e[1] == "-.->"]
    assert {by_node[t].id for *_, t in upsells} == {
        f.upsell for f in shipped.by_index if f.vip_rank and f.upsell
    }


def test_dot_of_shipped_story(shipped: Story) -> None:
    out = _invoke("graph", str(CONTENT), "--format", "dot", "--lang", "en")
    check_dot_syntax(out)
    nodes, edges = parse_dot(out)
    assert set(nodes) == set(shipped.fragments)
    assert Counter((s, t) for s, t, a in edges if "style" not in a) == _choices(shipped)
    assert out.count("subgraph cluster_") == len(shipped.chapters)
    for f in shipped.by_index:
        attrs = nodes[f.id]
        assert attrs["label"].split("\n")[0] == f.id
        assert (attrs.get("shape") == "doubleoctagon") == (f.ending is not None)
        assert (attrs.get("fillcolor") == "#eebefa") == (f.vip_rank > 0)
        assert attrs["tooltip"] == f"{f.pos.path}:{f.pos.line}"
    labels = {a["label"] for *_, a in edges}
    for f in shipped.by_index:  # English button labels start their edge labels
        for c in f.choices:
            assert any(lb.startswith(c.label.get("en", "es")) for lb in labels)
    costly = [c for f in shipped.by_index for c in f.choices if c.cost]
    symbol = shipped.economy.currency_symbol
    for c in costly:  # the price once: in the label when the writer put it there, as Telegram
        price = f"{c.cost} {symbol}"
        assert any(lb.count(price) == 1 for lb in labels if lb.startswith(c.label.get("en", "es")))


# --- graph: a small story with every feature -----------------------------------------------


def test_small_story_mermaid_marks_everything(small: Path) -> None:
    story = _story(small)
    out = _invoke("graph", str(small))
    nodes, edges = parse_mermaid(out)
    idx = {f.id: f"n{f.index}" for f in story.by_index}
    assert len(nodes) == 6 and len([e for e in edges if e[1] == "-->"]) == 7
    assert "⚠ unreachable" in nodes[idx["olvidado"]][1]
    assert re.search(rf"^    class {idx['olvidado']} unreachable$", out, re.M)
    assert "stroke-dasharray" in out and "classDef unreachable stroke:#e03131" in out
    vip_line = re.search(r"^    class (\S+) vip$", out, re.M)
    assert vip_line and set(vip_line[1].split(",")) == {
        idx["secreto"],
        idx["salon_vip"],
        idx["final_vip"],
    }
    assert nodes[idx["final"]][0] == nodes[idx["final_vip"]][0] == "((("
    assert nodes[idx["inicio"]][0] == "(["  # the start
    labels = {e[2] for e in edges}
    # the tricky label: every markup character as an entity code, costs and conditions shown
    assert (
        "Invitarla #quot;ya#quot; #lt;ahora#gt; #124; #35;1 \\ #37;#37; 💋 · "
        "if not abierto and romantic #gt;= 0 a…" in labels
    )
    assert "Esperar · +4 💋" in labels and "La puerta · VIP" in labels
    upsells = {(s, t) for s, arrow, _, t in edges if arrow == "-.->"}
    assert upsells == {("c1", idx["final"]), (idx["secreto"], idx["final"])}
    assert 'subgraph c0["Principal #quot;uno#quot; #lt;b#gt;#amp;"]' in out
    assert 'subgraph c1["El Diván · VIP"]' in out
    assert "Hola, {name}. Bienvenido a la casa." in nodes[idx["inicio"]][1]  # tags stripped


def test_small_story_dot_marks_everything(small: Path) -> None:
    story = _story(small)
    out = _invoke("graph", str(small), "-f", "dot")
    check_dot_syntax(out)
    nodes, edges = parse_dot(out)
    assert set(nodes) == set(story.fragments)
    lost = nodes["olvidado"]
    assert lost["color"] == "#e03131" and "dashed" in lost["style"]
    assert all("dashed" not in a.get("style", "") for k, a in nodes.items() if k != "olvidado")
    assert nodes["final_vip"]["shape"] == "doubleoctagon"
    assert nodes["final_vip"]["label"].endswith("VIP · 🏁 ending: secret")
    labels = [a["label"] for *_, a in edges]
    assert 'Invitarla "ya" <ahora> | #1 \\ %% 💋 · if not abierto and romantic >= 0 a…' in labels
    dotted = [(s, t, a.get("ltail")) for s, t, a in edges if a.get("style") == "dotted"]
    assert sorted(dotted, key=str) == sorted(
        [("salon_vip", "final", "cluster_1"), ("secreto", "final", None)], key=str
    )
    assert re.search(r'subgraph cluster_1 \{\n        label="El Diván · VIP";', out)
    assert 'label="Principal \\"uno\\" <b>&";' in out


def test_escaping_helpers() -> None:
    assert mermaid_text('a"b<c>&d|e#f`g%\nh') == "a#quot;b#lt;c#gt;#amp;d#124;e#35;f#96;g#37;<br/>h"
    assert dot_text('say "hi"\\now\nnext 💋') == '"say \\"hi\\"\\\\now\\nnext 💋"'


def test_output_files(small: Path, tmp_path: Path) -> None:
    outputs = {
        "m.mmd": "flowchart TD",
        "m.dot": "digraph story {",
        "m.gv": "digraph story {",
        "m.md": "```mermaid",
    }
    for name, head in outputs.items():
        target = tmp_path / name
        assert f"wrote {target}" in _invoke("graph", str(small), "-o", str(target))
        assert target.read_text(encoding="utf-8").startswith(head)


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")
def test_render_svg_and_png(small: Path, tmp_path: Path) -> None:
    svg, png = tmp_path / "map.svg", tmp_path / "map.png"
    _invoke("graph", str(small), "--output", str(svg))
    _invoke("graph", str(CONTENT), "--output", str(png))
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and "&lt;ahora&gt;" in text and "olvidado" in text
    assert png.read_bytes().startswith(b"\x89PNG")


def test_render_without_graphviz_says_how_to_install(small: Path, tmp_path: Path) -> None:
    bin_dir = Path(sys.executable).parent
    assert not (bin_dir / "dot").exists()
    result = runner.invoke(
        app, ["graph", str(small), "-o", str(tmp_path / "m.svg")], env={"PATH": str(bin_dir)}
    )
    assert result.exit_code == 1
    message = result.stderr.strip()
    assert "\n" not in message and "apt-get install graphviz" in message
    assert "--format dot" in message and not (tmp_path / "m.svg").exists()


def test_usage_errors(small: Path, tmp_path: Path) -> None:
    for args in (
        ["graph", str(small), "--lang", "fr"],
        ["stats", str(small), "--lang", "fr"],
        ["graph", str(tmp_path / "nope")],
        ["stats", str(small / "story.yaml")],
        ["graph", str(small), "-f", "mermaid", "-o", str(tmp_path / "x.svg")],
    ):
        assert runner.invoke(app, args).exit_code == 2, args


def test_content_with_errors_is_refused(small: Path) -> None:
    main = small / "chapters" / "main.yaml"
    main.write_text(main.read_text(encoding="utf-8").replace("to: secreto", "to: secretoo"))
    for command in ("graph", "stats"):
        result = runner.invoke(app, [command, str(small)])
        assert result.exit_code == 1
        assert result.stdout == ""
        assert "error D302: 'secretoo' is not a fragment" in result.stderr
        assert "to: secretoo" in result.stderr and "fix them first" in result.stderr


# --- stats ---------------------------------------------------------------------------------


def _words(story: Story, fragment_ids: tuple[str, ...], lang: str) -> tuple[int, int, int]:
    """(words, characters, untranslated), counted here independently of engine.content.stats."""
    words = chars = missing = 0
    for fid in fragment_ids:
        f = story.fragments[fid]
        texts = [(f.text, True), *((c.label, False) for c in f.choices)]  # labels: plain text
        if f.media is not None and f.media.caption is not None:
            texts.append((f.media.caption, True))
        for t, markup in texts:
            if lang not in t.values:
                missing += 1
                continue
            raw = t.values[lang]
            plain = html.unescape(re.sub(r"<[^<>]*>", "", raw)) if markup else raw
            words += len(plain.split())
            chars += len(plain)
    return words, chars, missing


def test_stats_json_matches_the_story(shipped: Story) -> None:
    data = json.loads(_invoke("stats", str(CONTENT), "--format", "json"))
    assert data["words_per_minute"] == 200 and data["languages"] == list(shipped.languages)
    assert [c["id"] for c in data["chapters"]] == list(shipped.chapters)
    for got, ch in zip(data["chapters"], shipped.chapters.values(), strict=True):
        frags = [shipped.fragments[i] for i in ch.fragments]
        assert got["fragments"] == len(frags)
        assert got["choices"] == sum(len(f.choices) for f in frags)
        assert got["vip_fragments"] == sum(f.vip_rank > 0 for f in frags)
        assert got["endings_by_type"] == dict(Counter(f.ending.type for f in frags if f.ending))
        for lang in shipped.languages:
            words, chars, missing = _words(shipped, ch.fragments, lang)
            assert got["languages"][lang] == {
                "words": words,
                "characters": chars,
                "reading_minutes": round(words / 200, 1),
                "untranslated": missing,
            }
        costs = [c.cost for f in frags for c in f.choices if c.cost]
        assert got["costs"] == {"count": len(costs), "sum": sum(costs), "max": max(costs or [0])}
        paid = [c.reward for f in frags for c in f.choices if c.reward]
        first = [f.reward for f in frags if f.reward]
        assert got["rewards"] == {
            "choices": {"count": len(paid), "sum": sum(paid), "max": max(paid or [0])},
            "fragments_first_visit": {
                "count": len(first),
                "sum": sum(first),
                "max": max(first or [0]),
            },
        }
    totals = data["totals"]
    for key in ("costs", "rewards"):  # the chapters add up to the story
        assert totals[key] == (
            data[key]
            if key == "costs"
            else {k: v for k, v in data[key].items() if k != "achievements"}
        )
    assert totals["fragments"] == len(shipped.fragments)
    assert totals["choices"] == sum(len(f.choices) for f in shipped.by_index)
    assert totals["endings"] == sum(f.ending is not None for f in shipped.by_index)
    costs = [c.cost for f in shipped.by_index for c in f.choices if c.cost]
    assert data["costs"] == {"count": len(costs), "sum": sum(costs), "max": max(costs, default=0)}
    eco = shipped.economy
    assert data["rewards"]["achievements"]["sum"] == sum(a.reward for a in eco.achievements)
    assert data["rewards"]["fragments_first_visit"]["sum"] == sum(
        f.reward for f in shipped.by_index
    )
    assert data["economy"]["daily_gift"] == eco.daily_gift
    assert data["economy"]["streak"]["bonus"] == eco.streak_bonus
    assert [lv["min_points"] for lv in data["economy"]["levels"]] == [
        lv.min_points for lv in eco.levels
    ]


def test_stats_of_small_story_by_hand(small: Path) -> None:
    data = json.loads(_invoke("stats", str(small), "-f", "json"))
    main, vip = data["chapters"]
    assert (main["fragments"], main["choices"], main["vip_fragments"]) == (4, 6, 1)
    assert (vip["fragments"], vip["choices"], vip["vip_fragments"]) == (2, 1, 2)
    assert main["endings_by_type"] == {"good": 1} and vip["endings_by_type"] == {"secret": 1}
    assert vip["vip"] is True and main["vip"] is False
    # "Un salón privado." + "Terminar" + "Solo en español." / "A private salon." + "Finish"
    es = {"words": 7, "characters": 41, "reading_minutes": 0.0, "untranslated": 0}
    assert vip["languages"]["es"] == es
    assert vip["languages"]["en"]["words"] == 4
    assert vip["languages"]["en"]["untranslated"] == 1
    assert data["totals"]["endings"] == 2 and data["totals"]["vip_fragments"] == 3
    assert data["costs"] == {"count": 1, "sum": 15, "max": 15}
    assert main["costs"] == data["totals"]["costs"] == {"count": 1, "sum": 15, "max": 15}
    assert vip["costs"] == {"count": 0, "sum": 0, "max": 0}
    assert main["rewards"] == {
        "choices": {"count": 1, "sum": 4, "max": 4},
        "fragments_first_visit": {"count": 1, "sum": 3, "max": 3},
    }
    assert vip["rewards"]["choices"]["count"] == vip["rewards"]["fragments_first_visit"]["sum"] == 0
    assert data["rewards"] == {
        "choices": {"count": 1, "sum": 4, "max": 4},
        "fragments_first_visit": {"count": 1, "sum": 3, "max": 3},
        "achievements": {"count": 1, "sum": 7, "max": 7},
    }
    assert data["economy"]["daily_gift"] == 10
    assert data["economy"]["streak"] == {"every_days": 7, "bonus": 25, "grace_days": 0}
    assert [lv["id"] for lv in data["economy"]["levels"]] == ["nuevo", "fiel"]


def test_stats_text_table(shipped: Story) -> None:
    out = _invoke("stats", str(CONTENT), "--lang", "en")
    assert "200 words/min" in out and "Points" in out and "Levels" in out
    assert "per chapter" in out and "choice costs" in out and "first-visit rewards" in out
    for ch in shipped.chapters.values():
        assert re.search(rf"^│ {ch.id} +│", out, re.M)  # in the chapters and the text tables
        assert len(re.findall(rf"^│ {ch.id} +│ (es|en) ", out, re.M)) == len(shipped.languages)
    data = json.loads(_invoke("stats", str(CONTENT), "--lang", "en", "--format", "json"))
    assert [c["title"] for c in data["chapters"]] == [
        ch.title.get("en", "es") for ch in shipped.chapters.values()
    ]
    assert f"daily gift {shipped.economy.daily_gift}" in out


def test_stats_text_shows_points_per_chapter(small: Path) -> None:
    out = _invoke("stats", str(small))
    table = out[out.index("Points") :]
    assert re.search(
        r"^│ main +│ +15 💋 \(1, max 15\) │ +4 💋 \(1, max 4\) │ +3 💋 \(1, max 3\) │", table, re.M
    )
    assert re.search(r"^│ reservado +│ +- │ +- │ +- │ +│", table, re.M)
    assert re.search(r"^│ total +│ +15 💋 .* │ +7 💋 \(1, max 7\) │", table, re.M)


@pytest.mark.parametrize("command", ["graph", "stats"])
def test_help_has_an_example(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "Example" in result.output
    assert f"diana {command} content/" in result.output


def test_console_script_subprocess(shipped: Story) -> None:
    """The installed `diana` as a writer runs it: DOT on stdout, JSON stats."""
    done = subprocess.run(
        [str(DIANA), "graph", str(CONTENT), "--format", "dot"],
        capture_output=True,
        check=False,
        encoding="utf-8",
    )
    assert done.returncode == 0, done.stderr
    check_dot_syntax(done.stdout)
    nodes, edges = parse_dot(done.stdout)
    assert len(nodes) == len(shipped.fragments)
    assert sum("style" not in a for *_, a in edges) == sum(_choices(shipped).values())
    done = subprocess.run(
        [str(DIANA), "stats", str(CONTENT), "--format", "json"],
        capture_output=True,
        check=False,
        encoding="utf-8",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["totals"]["fragments"] == len(shipped.fragments)
