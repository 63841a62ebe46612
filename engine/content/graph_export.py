"""The story map for writers: fragments and choices as a Mermaid flowchart or a Graphviz graph.

`story_map` lays the story out once, as plain data, and `to_mermaid` / `to_dot` only print it:
a cluster per chapter (titled, shaded when VIP), a node per fragment (its id and the start of its
text; endings, the start, VIP and unreachable fragments marked), an edge per choice (its button
label, cost, reward, condition and VIP gate) and dotted edges for upsell redirects, where free
players are sent instead of a VIP fragment. When every fragment of a VIP chapter shares one
upsell, the chapter gets one dotted edge rather than one per fragment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.content.checks.graph import build_graph
from engine.content.compiled import Choice, Story
from engine.content.stats import visible_text

EXCERPT = 40
CONDITION = 32


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    index: int
    lines: tuple[str, ...]
    vip: bool
    ending: bool
    start: bool
    unreachable: bool
    where: str
    """file:line of the fragment."""


@dataclass(frozen=True, slots=True)
class Cluster:
    index: int
    title: str
    vip: bool
    nodes: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    label: str
    upsell: bool = False
    vip: bool = False
    from_cluster: int | None = None
    """An upsell drawn from a whole chapter (`source` is then its start fragment)."""


@dataclass(frozen=True, slots=True)
class StoryMap:
    title: str
    clusters: tuple[Cluster, ...]
    edges: tuple[Edge, ...]


def shorten(text: str, limit: int) -> str:
    """`text` on one line, whitespace collapsed, cut to `limit` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _vip(story: Story, rank: int) -> str:
    if len(story.vip.tiers) <= 1:
        return "VIP"
    return "VIP " + next((t.id for t in story.vip.tiers if t.rank == rank), str(rank))


def _choice_label(story: Story, choice: Choice, lang: str) -> str:
    symbol = story.economy.currency_symbol
    label = choice.label.get(lang, story.default_language).strip()
    parts = [label or choice.id]
    if choice.cost and symbol not in label:  # "Una copa (15 💋)" already says it, as in Telegram
        parts.append(f"{choice.cost} {symbol}")
    if choice.reward:
        parts.append(f"+{choice.reward} {symbol}")
    if choice.condition is not None:
        parts.append("if " + shorten(choice.condition.source, CONDITION))
    if choice.vip_rank:
        parts.append(_vip(story, choice.vip_rank))
    return shorten(" · ".join(parts), 120)


def story_map(story: Story, language: str | None = None) -> StoryMap:
    lang = language or story.default_language
    default = story.default_language
    graph = build_graph(story)
    starts = {story.start, *(ch.start for ch in story.chapters.values())}
    clusters: list[Cluster] = []
    for i, chapter in enumerate(story.chapters.values()):
        nodes: list[Node] = []
        for fid in chapter.fragments:
            f = story.fragments[fid]
            tags = ["▶ start"] if f.id == story.start else []
            tags += [_vip(story, f.vip_rank)] if f.vip_rank else []
            tags += [f"🏁 ending: {f.ending.type}"] if f.ending is not None else []
            unreachable = graph.comp[f.index] < 0
            tags += ["⚠ unreachable"] if unreachable else []
            excerpt = shorten(visible_text(f.text.get(lang, default)), EXCERPT)
            lines = (f.id, excerpt, " · ".join(tags)) if tags else (f.id, excerpt)
            where = f"{f.pos.path}:{f.pos.line}"
            ending = f.ending is not None
            node = Node(
                f.id, f.index, lines, f.vip_rank > 0, ending, f.id in starts, unreachable, where
            )
            nodes.append(node)
        title = chapter.title.get(lang, default)
        clusters.append(Cluster(i, title, chapter.vip_rank > 0, tuple(nodes)))
    edges = [
        Edge(f.id, c.target, _choice_label(story, c, lang), vip=c.vip_rank > 0)
        for f in story.by_index
        for c in f.choices
    ]
    for cluster, chapter in zip(clusters, story.chapters.values(), strict=True):
        upsells = {story.fragments[fid].upsell for fid in chapter.fragments}
        common = next(iter(upsells)) if len(upsells) == 1 else None
        if chapter.vip_rank and common is not None and chapter.start in chapter.fragments:
            edges.append(Edge(chapter.start, common, "upsell", True, from_cluster=cluster.index))
            continue
        for fid in chapter.fragments:
            f = story.fragments[fid]
            if f.vip_rank and f.upsell is not None:
                edges.append(Edge(f.id, f.upsell, "upsell", upsell=True))
    return StoryMap(story.title.get(lang, default), tuple(clusters), tuple(edges))


# --- Mermaid -------------------------------------------------------------------------------

_MERMAID = str.maketrans(
    {
        "#": "#35;",
        "&": "#amp;",
        '"': "#quot;",
        "<": "#lt;",
        ">": "#gt;",
        "|": "#124;",
        "`": "#96;",
        "%": "#37;",
    }
)
_NEWLINES = re.compile(r"\r\n|\r|\n")


def mermaid_text(text: str) -> str:
    """`text` for a quoted Mermaid label: entity codes for markup, `<br/>` for line breaks."""
    return _NEWLINES.sub("<br/>", text.translate(_MERMAID))


def to_mermaid(m: StoryMap) -> str:
    ids = {n.id: f"n{n.index}" for c in m.clusters for n in c.nodes}
    out = ["flowchart TD", f"    %% {shorten(m.title, 80)}"]
    for c in m.clusters:
        out.append(
            f'    subgraph c{c.index}["{mermaid_text(c.title + (" · VIP" if c.vip else ""))}"]'
        )
        for n in c.nodes:
            label = mermaid_text("\n".join(n.lines))
            shape = ('((("', '")))') if n.ending else ('(["', '"])') if n.start else ('["', '"]')
            out.append(f"        {ids[n.id]}{shape[0]}{label}{shape[1]}")
        out.append("    end")
    vip_links: list[int] = []
    for i, e in enumerate(m.edges):
        source = f"c{e.from_cluster}" if e.from_cluster is not None else ids[e.source]
        arrow = "-.->" if e.upsell else "-->"
        out.append(f'    {source} {arrow}|"{mermaid_text(e.label)}"| {ids[e.target]}')
        if e.upsell or e.vip:
            vip_links.append(i)
    out += [
        "    classDef vip fill:#eebefa,stroke:#9c36b5,color:#000",
        "    classDef ending stroke:#e67700,stroke-width:3px",
        "    classDef unreachable stroke:#e03131,stroke-width:3px,stroke-dasharray:6 4",
    ]
    for cls, pick in (("vip", "vip"), ("ending", "ending"), ("unreachable", "unreachable")):
        chosen = [ids[n.id] for c in m.clusters for n in c.nodes if getattr(n, pick)]
        if chosen:
            out.append(f"    class {','.join(chosen)} {cls}")
    out += [f"    style c{c.index} fill:#f8f0fc,stroke:#9c36b5" for c in m.clusters if c.vip]
    if vip_links:
        out.append(f"    linkStyle {','.join(map(str, vip_links))} stroke:#9c36b5")
    return "\n".join(out) + "\n"


# --- Graphviz DOT ---------------------------------------------------------------------------


def dot_text(text: str) -> str:
    """`text` as a quoted DOT string: backslashes and quotes escaped, line breaks as `\\n`."""
    body = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _NEWLINES.sub("\\\\n", body) + '"'


def _dot_attrs(attrs: dict[str, str]) -> str:
    return "[" + ", ".join(f"{k}={dot_text(v)}" for k, v in attrs.items()) + "]"


def to_dot(m: StoryMap) -> str:
    graph = {"label": m.title, "labelloc": "t", "fontsize": "20", "compound": "true"}
    out = [
        "digraph story {",
        f"    graph {_dot_attrs(graph | {'fontname': 'Helvetica'})};",
        '    node [shape=box, style="rounded,filled", fillcolor="#ffffff", '
        'fontname="Helvetica", fontsize=10];',
        '    edge [fontname="Helvetica", fontsize=9];',
    ]
    for c in m.clusters:
        attrs = {"label": c.title + (" · VIP" if c.vip else ""), "style": "rounded,filled"}
        fill, line = ("#f8f0fc", "#9c36b5") if c.vip else ("#f1f3f5", "#adb5bd")
        attrs |= {"fillcolor": fill, "color": line}
        out.append(f"    subgraph cluster_{c.index} {{")
        out += [f"        {k}={dot_text(v)};" for k, v in attrs.items()]
        for n in c.nodes:
            node = {"label": "\n".join(n.lines), "tooltip": n.where}
            if n.vip:
                node["fillcolor"] = "#eebefa"
            elif n.ending:
                node["fillcolor"] = "#fff3bf"
            if n.ending:
                node["shape"] = "doubleoctagon"
            if n.start:
                node["penwidth"] = "2"
            if n.unreachable:
                node |= {"color": "#e03131", "style": "rounded,filled,dashed", "penwidth": "2"}
            out.append(f"        {dot_text(n.id)} {_dot_attrs(node)};")
        out.append("    }")
    for e in m.edges:
        edge = {"label": e.label}
        if e.upsell:
            edge |= {"style": "dotted", "color": "#9c36b5", "fontcolor": "#9c36b5"}
        elif e.vip:
            edge["color"] = "#9c36b5"
        if e.from_cluster is not None:
            edge["ltail"] = f"cluster_{e.from_cluster}"
        out.append(f"    {dot_text(e.source)} -> {dot_text(e.target)} {_dot_attrs(edge)};")
    out.append("}")
    return "\n".join(out) + "\n"
