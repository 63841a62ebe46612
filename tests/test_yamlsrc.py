"""The YAML reader: plain data, positions, and a diagnostic (never an exception) per problem."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.content import load_story
from engine.content.diagnostics import DiagnosticBag, Position
from engine.content.yamlsrc import MAX_BYTES, MAX_DEPTH, YamlDocument, load_yaml, read_capped

FIXTURES = Path(__file__).parent / "diagnostics"


def load(src: str | bytes, **limits: int) -> tuple[YamlDocument, list[tuple[str, int, int]]]:
    bag = DiagnosticBag()
    raw = src.encode() if isinstance(src, str) else src
    doc = load_yaml("f.yaml", raw, bag, **limits)
    return doc, [(d.code, d.position.line, d.position.col) for d in bag]


def messages(src: str | bytes, **limits: int) -> list[str]:
    bag = DiagnosticBag()
    load_yaml("f.yaml", src.encode() if isinstance(src, str) else src, bag, **limits)
    return [str(d) for d in bag]


def at(line: int, col: int) -> Position:
    return Position("f.yaml", line, col)


CHAPTER = """\
kind: chapter
id: uno
title: {es: Uno, en: One}
fragments:
  - id: a
    text: Hola
    choices:
      - label: Sí
        to: b
  - id: b
    text: |
      Adiós
    choices:
      - {label: Otra vez, to: a, cost: 5}
"""


def test_plain_data_and_positions_of_values_and_keys() -> None:
    doc, diags = load(CHAPTER)
    assert diags == []
    assert doc.data == {
        "kind": "chapter",
        "id": "uno",
        "title": {"es": "Uno", "en": "One"},
        "fragments": [
            {"id": "a", "text": "Hola", "choices": [{"label": "Sí", "to": "b"}]},
            {
                "id": "b",
                "text": "Adiós\n",
                "choices": [{"label": "Otra vez", "to": "a", "cost": 5}],
            },
        ],
    }
    pos = doc.positions
    assert pos.value(()) == at(1, 1)
    assert pos.value(("title", "en")) == at(3, 22)
    assert pos.key(("title", "en")) == at(3, 18)
    assert pos.value(("fragments",)) == at(5, 3)
    assert pos.value(("fragments", 0)) == at(5, 5)
    assert pos.value(("fragments", 0, "choices", 0, "to")) == at(9, 13)
    assert pos.key(("fragments", 0, "choices", 0, "to")) == at(9, 9)
    assert pos.value(("fragments", 1, "text")) == at(11, 11)
    assert pos.value(("fragments", 1, "choices", 0, "cost")) == at(14, 40)
    assert pos.key(("fragments", 1, "choices", 0, "cost")) == at(14, 34)
    assert doc.lines[8] == "        to: b"
    assert len(doc.lines) == 14


def test_positions_fall_back_to_the_nearest_recorded_ancestor() -> None:
    doc, _ = load(CHAPTER)
    pos = doc.positions
    assert pos.value(("fragments", 1, "choices", 0, "nope", 3)) == at(14, 9)
    assert pos.key(("fragments", 0, "nope")) == at(5, 5)  # no such key: the mapping itself
    assert pos.key(("fragments", 1)) == at(10, 5)  # a list item has no key: its value
    empty, _ = load("")
    assert empty.positions.value(("a", 1)) == at(1, 1)
    assert empty.positions.key(("a",)) == at(1, 1)


def test_core_schema_only_true_false_null_and_numbers_are_not_text() -> None:
    doc, diags = load(
        "a: yes\nb: no\nc: on\nd: off\ne: true\nf: False\ng: null\nh: ~\ni:\n"
        "j: 2026-01-01\nk: 12:30\nl: 007\nm: -3\nn: 0x1F\no: 0o17\np: 1.5e3\nq: .inf\n"
        "r: -.Inf\ns: '1'\nt: 1_000\nu: 1.\nv: +1\nw: 12 besitos\nx: 0b1\nxx: 0x1_0\ny: "
        + "9" * 5000
        + "\n"
    )
    assert diags == []
    assert isinstance(doc.data, dict)
    nan_doc, _ = load("z: .nan")
    assert isinstance(nan_doc.data, dict) and math.isnan(nan_doc.data["z"])
    assert doc.data == {
        "a": "yes", "b": "no", "c": "on", "d": "off", "e": True, "f": False, "g": None,
        "h": None, "i": None, "j": "2026-01-01", "k": "12:30", "l": 7, "m": -3, "n": 31,
        "o": 15, "p": 1500.0, "q": math.inf, "r": -math.inf, "s": "1", "t": "1_000",
        "u": 1.0, "v": 1, "w": "12 besitos", "x": "0b1", "xx": "0x1_0", "y": "9" * 5000,
    }  # fmt: skip
    assert type(doc.data["e"]) is bool and type(doc.data["l"]) is int


def test_core_tags_are_checked_and_other_tags_construct_nothing() -> None:
    doc, diags = load("a: !!str 12\nb: !!int '3'\nc: !!float 2\nd: !!bool 'true'\ne: ! 5\n")
    assert diags == []
    assert doc.data == {"a": "12", "b": 3, "c": 2.0, "d": True, "e": "5"}
    for src, col in [
        ("x: !!python/object/apply:os.system ['echo hi']\n", 4),
        ("x: !!python/name:os.system\n", 4),
        ("x: !!timestamp 2026-01-01\n", 4),
        ("x: !!set {a, b}\n", 4),
        ("x: !custom 1\n", 4),
        ("x: !!int many\n", 4),
    ]:
        doc, diags = load(src)
        assert diags == [("D101", 1, col)], src
        assert doc.data is None
    assert (
        "tag '!!python/object/apply:os.system' is not allowed"
        in messages("x: !!python/object/apply:os.system ['echo hi']\n")[0]
    )


def test_bom_is_stripped_silently() -> None:
    doc, diags = load("\ufeffkind: chapter\nid: x\n".encode())
    assert diags == []
    assert doc.data == {"kind": "chapter", "id": "x"}
    assert doc.positions.value(("id",)) == at(2, 5)
    assert doc.lines == ["kind: chapter", "id: x"]


def test_crlf_line_ends() -> None:
    doc, diags = load("a: 1\r\nb:\r\n  - x\r\n")
    assert diags == []
    assert doc.data == {"a": 1, "b": ["x"]}
    assert doc.positions.value(("b", 0)) == at(3, 5)
    assert doc.lines == ["a: 1", "b:", "  - x"]


def test_syntax_error_at_the_problem_mark() -> None:
    doc, diags = load("kind: chapter\nid: a: b\n")
    assert diags == [("D101", 2, 6)]
    assert doc.data is None
    assert "mapping values are not allowed" in messages("kind: chapter\nid: a: b\n")[0]
    msg = messages('a: 1\nb: "sin cerrar\nc: 2\n')
    assert msg == [
        "f.yaml:4:1: error D101: YAML syntax error: found unexpected end of stream "
        "(while scanning a quoted scalar at line 2)"
    ]


def test_control_character_is_a_syntax_error_at_its_place() -> None:
    doc, diags = load("é: ñ\nb: x\x01\n")
    assert diags == [("D101", 2, 5)]
    assert doc.data is None


def test_duplicate_keys_are_all_reported_and_the_last_value_is_kept() -> None:
    src = "a: 1\nb:\n  c: 1\n  c: 2\na: 3\nd: {e: 1, e: 2}\na: 4\n"
    doc, diags = load(src)
    assert diags == [("D102", 4, 3), ("D102", 5, 1), ("D102", 6, 11), ("D102", 7, 1)]
    assert doc.data == {"a": 4, "b": {"c": 2}, "d": {"e": 2}}
    assert messages(src)[3] == "f.yaml:7:1: error D102: duplicate key 'a' (first at line 1)"


def test_tabs_in_indentation_are_reported_on_every_line_without_a_syntax_error_too() -> None:
    src = "kind: chapter\nfragments:\n\t- id: a\n  \t- id: b\n"
    doc, diags = load(src)
    assert diags == [("D103", 3, 1), ("D103", 4, 3)]
    assert doc.data is None


def test_tab_in_flow_indentation_is_reported_but_the_file_still_reads() -> None:
    doc, diags = load("a: [1,\n\t2]\nb: x\t# tabs after content are fine\n")
    assert diags == [("D103", 2, 1)]
    assert doc.data == {"a": [1, 2], "b": "x"}


def test_tab_inside_block_text_is_content_not_indentation() -> None:
    doc, diags = load("a: |\n  x\n  \ty\nb: 1\n")
    assert diags == []
    assert doc.data == {"a": "x\n\ty\n", "b": 1}


def test_second_document_is_reported_at_its_start_and_the_first_is_kept() -> None:
    doc, diags = load("kind: chapter\nid: a\n---\nkind: chapter\n")
    assert diags == [("D112", 3, 1)]
    assert doc.data == {"kind": "chapter", "id": "a"}


@pytest.mark.parametrize("src", ["", "\n\n   \n", "# just a comment\n  # another\n", "---\n"])
def test_empty_files(src: str) -> None:
    doc, diags = load(src)
    assert diags == [("D107", 1, 1)]
    assert doc.data is None


def test_null_document_is_not_empty() -> None:
    doc, diags = load("null\n")
    assert diags == []
    assert doc.data is None


def test_too_large_is_refused_unread() -> None:
    doc, diags = load(b"kind: chapter\n" + b"# pad\n" * 20, max_bytes=100)
    assert diags == [("D106", 1, 1)]
    assert doc.data is None and doc.lines == []
    assert "file is 134 bytes; the limit is 100" in messages(b"x" * 134, max_bytes=100)[0]


def test_a_huge_file_is_refused_from_its_size_without_being_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    huge = tmp_path / "chapters" / "huge.yaml"
    huge.parent.mkdir()
    with huge.open("wb") as f:
        f.truncate(2 * 1024**3)  # sparse: 2 GiB that take no disk space
    real_open = Path.open

    def guarded_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        assert self.name != huge.name, "the loader opened the oversized file"
        return real_open(self, *args, **kwargs)

    def no_read_bytes(self: Path) -> bytes:
        raise AssertionError(f"read_bytes({self}) reads a whole file")

    monkeypatch.setattr(Path, "open", guarded_open)
    monkeypatch.setattr(Path, "read_bytes", no_read_bytes)
    result = load_story(tmp_path)
    (d106,) = [d for d in result.diagnostics if d.code == "D106"]
    assert d106.message == f"file is {2 * 1024**3} bytes; the limit is {MAX_BYTES}"
    assert d106.position.path.endswith("huge.yaml")


def test_read_capped_reads_at_most_one_byte_past_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    path.write_bytes(b"x" * 10)
    assert read_capped(path, max_bytes=10) == (b"x" * 10, 10)
    assert read_capped(path, max_bytes=9) == (b"", 10)
    bag = DiagnosticBag()
    load_yaml("f.yaml", b"", bag, max_bytes=9, size=10)
    assert [str(d) for d in bag] == ["f.yaml:1:1: error D106: file is 10 bytes; the limit is 9"]


def test_invalid_utf8_is_reported_at_the_bad_byte() -> None:
    doc, diags = load(b"kind: chapter\ntext: ca\xf1a\n")
    assert diags == [("D108", 2, 9)]
    assert doc.data is None
    assert messages(b"kind: chapter\ntext: ca\xf1a\n")[0].endswith(
        "file is not UTF-8 text (invalid UTF-8 at byte 22)"
    )


def test_nul_bytes_are_reported() -> None:
    doc, diags = load(b"a: 1\nb: \x00\n")
    assert diags == [("D108", 2, 4)]
    assert doc.data is None
    assert messages(b"a: 1\nb: \x00\n")[0].endswith("(contains NUL bytes)")


def test_aliases_share_their_anchor_and_positions_fall_back_to_the_alias() -> None:
    doc, diags = load("base: &b {cost: 5, to: x}\nother: *b\n")
    assert diags == []
    assert isinstance(doc.data, dict)
    assert doc.data["other"] == {"cost": 5, "to": "x"}
    assert doc.positions.value(("other", "cost")) == at(2, 8)


@pytest.mark.parametrize(
    "src", ["a: *nope\n", "a: &x [1, *x]\n", "a: &x {b: *x}\n"], ids=["undefined", "self", "map"]
)
def test_undefined_or_recursive_alias(src: str) -> None:
    doc, diags = load(src)
    assert [code for code, _, _ in diags] == ["D101"]
    assert doc.data is None


def test_list_as_key_is_refused() -> None:
    doc, diags = load("a: 1\n[x, y]: 2\n? {z: 1}\n: 3\n")
    assert diags == [("D101", 2, 1), ("D101", 3, 3)]
    assert doc.data is None


BILLION_LAUGHS = "\n".join(
    ['lol0: &lol0 "lol"']
    + [f"lol{i}: &lol{i} [{', '.join([f'*lol{i - 1}'] * 10)}]" for i in range(1, 10)]
) + "\n"  # fmt: skip


def test_billion_laughs_is_refused_quickly() -> None:
    start = time.perf_counter()
    doc, diags = load(BILLION_LAUGHS)
    assert time.perf_counter() - start < 0.5
    assert diags == [("D104", 3, 70)]  # lol1 makes 10, each *lol1 11 more: the 9th is over
    assert doc.data is None
    assert messages(BILLION_LAUGHS)[0].endswith(
        "aliases expand to 109 or more copies; at most 100 per file"
    )


def test_alias_limit_counts_expansions_and_can_be_raised() -> None:
    src = "a: &a [1]\nb: &b [*a, *a, *a]\nc: [*b, *b]\n"  # 3 + 2 * (1 + 3) = 11 expansions
    assert load(src, max_aliases=11)[1] == []
    assert load(src, max_aliases=10)[1] == [("D104", 3, 9)]


@pytest.mark.parametrize(
    "src",
    [
        "[" * 100_000,
        "{a: " * 100_000,
        "- " * 100_000 + "x\n",
        "".join(" " * i + "a:\n" for i in range(1_000)),
    ],
    ids=["flow-lists", "flow-maps", "block-lists", "indented-maps"],
)
def test_deep_nesting_is_refused_without_recursion(src: str) -> None:
    start = time.perf_counter()
    doc, diags = load(src, max_bytes=10_000_000)
    assert time.perf_counter() - start < 0.5
    assert [code for code, _, _ in diags] == ["D105"]
    assert doc.data is None
    assert messages(src, max_bytes=10_000_000)[0].endswith(f"deeper than {MAX_DEPTH} levels")


def test_depth_limit_is_inclusive_and_can_be_changed() -> None:
    assert load("[" * 64 + "]" * 64)[1] == []
    assert load("[" * 65 + "]" * 65)[1] == [("D105", 1, 65)]
    assert load("a: [[1]]", max_depth=2)[1] == [("D105", 1, 5)]


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("D101", "extra.yaml"), ("D102", "extra.yaml"), ("D103", "extra.yaml"),
        ("D104", "extra.yaml"), ("D105", "extra.yaml"), ("D107", "empty.yaml"),
        ("D108", "bin.yaml"), ("D112", "extra.yaml"),
    ],
)  # fmt: skip
def test_catalogue_fixtures_give_their_code(code: str, name: str) -> None:
    path = FIXTURES / code / "chapters" / name
    if not path.exists():
        pytest.skip(f"fixture {path} is gone")
    _, diags = load(path.read_bytes())
    assert [c for c, _, _ in diags] == [code]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200) | st.text(alphabet="ab:-[]{},&*!|>'\"#\t\n ?", max_size=200))
def test_any_input_gives_diagnostics_never_an_exception(src: bytes | str) -> None:
    doc, diags = load(src)
    assert doc.data is None or isinstance(doc.data, (dict, list, str, int, float, bool))
    if doc.data is None:
        assert diags or doc.lines  # unreadable files always say why; `null` files are fine
