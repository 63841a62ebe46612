"""The one catalogue of diagnostic codes.

Each entry holds what a writer needs: a message template, a severity, an explanation and a
hint on how to fix it. `diana explain CODE` prints an entry with its failing example (the
fixture under `tests/diagnostics/CODE/`), and a meta-test fails when a code has no fixture.
Codes are grouped by hundreds: D1 files and YAML, D2 schema, D3 names and references,
D4 expressions, D5 story flow, D6 economy, VIP and emotions, D7 Telegram limits,
D8 localisation, D9 unused things.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from engine.content.diagnostics import Severity

E, W = Severity.ERROR, Severity.WARNING


@dataclass(frozen=True, slots=True)
class Entry:
    code: str
    name: str
    severity: Severity
    template: str
    explanation: str
    hint: str

    def fields(self) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(self.template) if f}

    def render(self, **fields: object) -> str:
        return self.template.format(**fields)


_ENTRIES = [
    # --- D1: files and YAML -------------------------------------------------------------
    Entry(
        "D101",
        "yaml-syntax",
        E,
        "YAML syntax error: {detail}",
        "The file is not valid YAML, so nothing in it could be read.",
        "Check indentation and quoting near the caret; quote text that contains ': ' or '#'.",
    ),
    Entry(
        "D102",
        "duplicate-key",
        E,
        "duplicate key '{key}' (first at line {first_line})",
        "A mapping names the same key twice. Plain YAML loaders silently keep the last one, "
        "which hides mistakes such as two `text:` entries.",
        "Remove or rename one of the two keys.",
    ),
    Entry(
        "D103",
        "tab-indent",
        E,
        "tab character in indentation",
        "YAML forbids tabs for indentation; editors often show them as spaces.",
        "Replace the tab with spaces (two per level is the convention here).",
    ),
    Entry(
        "D104",
        "too-many-aliases",
        E,
        "aliases expand to {count} or more copies; at most {limit} per file",
        "YAML aliases (*name) can expand exponentially (the 'billion laughs' attack); the "
        "loader refuses files with more aliases than any story needs.",
        "Write the repeated value out, or use fewer aliases.",
    ),
    Entry(
        "D105",
        "too-deep",
        E,
        "nesting deeper than {limit} levels",
        "Content is never this deeply nested; the loader stops to stay safe.",
        "Flatten the structure; check for a runaway indentation.",
    ),
    Entry(
        "D106",
        "file-too-large",
        E,
        "file is {size} bytes; the limit is {limit}",
        "Very large files are refused so that a mistake cannot exhaust memory.",
        "Split the chapter into several files in the same folder.",
    ),
    Entry(
        "D107",
        "empty-file",
        E,
        "file is empty",
        "A content file must hold one YAML mapping with a `kind:` key.",
        "Add content (start with `kind: chapter`), or delete the file.",
    ),
    Entry(
        "D108",
        "not-text",
        E,
        "file is not UTF-8 text ({detail})",
        "Content files must be UTF-8 text; binary files cannot be content.",
        "Save the file as UTF-8, or move non-YAML files (media) out of the YAML tree.",
    ),
    Entry(
        "D109",
        "unknown-kind",
        E,
        "unknown file kind '{kind}'; expected one of {expected}",
        "Every content file says what it is with `kind:` so it can be checked against the "
        "right schema.",
        "Use one of the listed kinds.",
    ),
    Entry(
        "D110",
        "missing-file",
        E,
        "no {kind} file (one with `kind: {kind}`) in {path}",
        "A story needs its manifest (story), its economy, its VIP configuration (vip) and "
        "Diana's emotional model (emotions), each in one file.",
        "Add the file; the README's writer tour shows a minimal one of each kind.",
    ),
    Entry(
        "D111",
        "duplicate-singleton",
        E,
        "a second '{kind}' file; the first is {other}",
        "There is one story manifest, one economy and one emotional model per story.",
        "Merge the two files into one.",
    ),
    Entry(
        "D112",
        "multiple-documents",
        E,
        "more than one YAML document in this file",
        "Each content file holds exactly one document; a stray `---` starts a second one.",
        "Remove the extra `---`, or split the documents into separate files.",
    ),
    # --- D2: schema ---------------------------------------------------------------------
    Entry(
        "D201",
        "wrong-type",
        E,
        "{where}: expected {expected}, got {got}",
        "The value has the wrong type for this key (see the schema in schemas/).",
        "Write a value of the expected type; quote text, leave numbers bare.",
    ),
    Entry(
        "D202",
        "missing-key",
        E,
        "{where}: missing required key '{key}'",
        "This construct cannot work without the key.",
        "Add the key; your editor's schema completion lists what is needed.",
    ),
    Entry(
        "D203",
        "unknown-key",
        E,
        "{where}: unknown key '{key}'{suggestion}",
        "Unknown keys are refused so that typos do not silently do nothing.",
        "Fix the spelling, or remove the key.",
    ),
    Entry(
        "D204",
        "invalid-value",
        E,
        "{where}: {detail}",
        "The value has the right type but is not allowed here (out of range, bad format, "
        "not one of the allowed words).",
        "Use a value that the message says is valid.",
    ),
    # --- D3: names and references -------------------------------------------------------
    Entry(
        "D301",
        "duplicate-id",
        E,
        "duplicate {what} id '{id}' (first defined at {other})",
        "Ids are how fragments, chapters and choices refer to each other; each must be unique "
        "across all files.",
        "Rename one of them; ids are stable, so prefer renaming the newer one.",
    ),
    Entry(
        "D302",
        "unknown-target",
        E,
        "'{target}' is not a fragment{suggestion}",
        "A choice, start, upsell or fallback names a fragment that does not exist.",
        "Fix the id, or write the missing fragment.",
    ),
    Entry(
        "D303",
        "unknown-character",
        E,
        "unknown character '{name}'{suggestion}",
        "Speakers must be declared under `characters:` in the story manifest.",
        "Declare the character in story.yaml, or fix the spelling.",
    ),
    Entry(
        "D304",
        "unknown-name",
        E,
        "unknown {what} '{name}'{suggestion}",
        "Effects and conditions may only use declared variables, emotions, archetypes and "
        "clues, so that a typo cannot create a new one silently.",
        "Declare it (variables, archetypes and clues in story.yaml; emotions in the "
        "emotional model), or fix the spelling.",
    ),
    Entry(
        "D305",
        "name-clash",
        E,
        "'{name}' is declared as both {first} and {second}",
        "Conditions refer to variables, emotions and archetypes by bare name, so one name "
        "cannot mean two things.",
        "Rename one of them.",
    ),
    Entry(
        "D306",
        "unknown-tier",
        E,
        "unknown VIP tier '{name}'{suggestion}",
        "VIP gates name a tier declared under `tiers:` in the VIP configuration.",
        "Use a declared tier, or `vip: true` for any tier.",
    ),
    Entry(
        "D307",
        "replaced-still-present",
        E,
        "'{id}' is still a fragment; `replaces:` names only fragments a release removed",
        "`replaces:` tells where players saved on a removed fragment continue. Players on a "
        "fragment that still exists are never relocated, so replacing it would do nothing.",
        "Remove the id from `replaces:`, or remove the fragment it names.",
    ),
    Entry(
        "D308",
        "replaced-twice",
        E,
        "'{id}' is already replaced by '{fragment}' (at {other})",
        "A player saved on a removed fragment continues at exactly one fragment, so each "
        "removed id may appear in only one `replaces:` list.",
        "Keep the id in the `replaces:` of the one fragment where those players should go.",
    ),
    # --- D4: expressions ----------------------------------------------------------------
    Entry(
        "D401",
        "expression-syntax",
        E,
        "cannot read expression: {detail}",
        'Conditions use a small language: names, numbers, "text", true/false, comparisons, '
        "and/or/not, + - * // %, and the functions visited(), visits(), has_clue() and "
        "chose().",
        "Check the expression near the caret, e.g. `points >= 10 and trust > 40`.",
    ),
    Entry(
        "D402",
        "expression-type",
        E,
        "type error: {detail}",
        "Each name has a type (number, true/false or text) and operators must fit them.",
        "Compare numbers with numbers and text with text; use `and`/`or` on conditions.",
    ),
    Entry(
        "D403",
        "expression-not-allowed",
        E,
        "{construct} is not allowed in expressions",
        "The language is deliberately small and safe: no attribute access, indexing, "
        "lambdas or arbitrary calls. It is never passed to Python's eval.",
        "Rewrite with comparisons, and/or/not and the documented functions.",
    ),
    # --- D5: story flow -----------------------------------------------------------------
    Entry(
        "D501",
        "unreachable-fragment",
        W,
        "fragment '{id}' cannot be reached from any start",
        "No chain of choices (nor a chapter start or upsell) leads here, so no player will "
        "ever see it.",
        "Add a choice that leads here, or delete the fragment.",
    ),
    Entry(
        "D502",
        "dead-end",
        E,
        "fragment '{id}' has no choices and is not an ending",
        "A player who arrives here is stuck: there is no button to press.",
        "Add a choice, or mark the fragment with `ending:`.",
    ),
    Entry(
        "D503",
        "no-exit",
        E,
        "from '{id}' no ending can ever be reached ({size} fragments loop)",
        "These fragments only lead to each other; a player who enters can never finish.",
        "Add a choice out of the loop towards the rest of the story or an ending.",
    ),
    Entry(
        "D504",
        "once-only-strand",
        W,
        "fragment '{id}' can be revisited but all its choices are once-only",
        "After every once-only choice has been taken, a returning player has no buttons.",
        "Make one choice sticky (remove `once: true`) or add a `fallback: true` choice.",
    ),
    Entry(
        "D505",
        "start-not-free",
        E,
        "the start fragment '{id}' is behind a VIP gate",
        "Every player starts free; the first fragment must be open to them.",
        "Start the story at a free fragment.",
    ),
    # --- D6: economy, VIP and emotions --------------------------------------------------
    Entry(
        "D601",
        "unaffordable",
        W,
        "choice costs {cost} but a free player earns at most {best} before it without daily gifts",
        "With the starting balance and the story's own rewards no player can pay this when "
        "arriving; they must come back on later days for the daily gift.",
        "Lower the cost, add rewards earlier on the route, or accept the wait knowingly.",
    ),
    Entry(
        "D602",
        "vip-dead-end",
        E,
        "free players reach '{id}' but every way on is VIP-only, hidden and without upsell",
        "A free player would see no button at all.",
        "Add a free choice, show the VIP choice locked (`locked: show`), or add an `upsell:`.",
    ),
    Entry(
        "D603",
        "no-free-ending",
        E,
        "no ending can be reached by a free player",
        "Every story needs at least one ending that a free player can reach.",
        "Open a free route to one ending.",
    ),
    Entry(
        "D604",
        "unreachable-state",
        W,
        "Diana's state '{id}' can never be reached",
        "No values of the emotion dimensions that the story can produce satisfy the state's "
        "condition before an earlier state matches (the first match wins).",
        "Loosen the condition, reorder the states, or remove it.",
    ),
    Entry(
        "D605",
        "bad-subscription-period",
        E,
        "Stars subscriptions must renew every 30 days; '{offer}' says {days}",
        "Telegram only supports a subscription period of 30 days (2592000 seconds).",
        "Set `period_days: 30`.",
    ),
    Entry(
        "D606",
        "levels-order",
        E,
        "level '{id}' needs {points}, not more than the level before",
        "Levels are reached by lifetime points, so each must need more than the previous.",
        "Sort the levels by `min_points`, strictly increasing.",
    ),
    Entry(
        "D607",
        "start-out-of-bounds",
        E,
        "'{name}' starts at {start}, outside its bounds {low}..{high}",
        "An emotion dimension always stays between its min and max.",
        "Move `start` inside the bounds.",
    ),
    Entry(
        "D608",
        "no-default-state",
        W,
        "no state matches when no other does; the last state should have `when: true`",
        "Diana must always be in some state; without a catch-all the first state is used.",
        'End the list of states with a catch-all: `when: "true"`.',
    ),
    # --- D7: Telegram limits ------------------------------------------------------------
    Entry(
        "D701",
        "text-too-long",
        E,
        "text can reach {length} characters ({language}); Telegram allows {limit}",
        "Counted with the longest value of every substitution, after HTML tags are removed.",
        "Split the fragment in two, or shorten the text.",
    ),
    Entry(
        "D702",
        "caption-too-long",
        E,
        "caption can reach {length} characters ({language}); Telegram allows {limit}",
        "Media captions are limited to 1024 characters.",
        "Shorten the caption, or move the text into the next fragment.",
    ),
    Entry(
        "D703",
        "label-too-long",
        W,
        "button label is {length} characters ({language}); keep it to {limit}",
        "Telegram cuts long button labels on phones.",
        "Shorten the label.",
    ),
    Entry(
        "D704",
        "too-many-buttons",
        E,
        "fragment offers {count} buttons; at most {limit}",
        "More buttons than this do not fit a phone screen (Telegram itself caps at 100).",
        "Split the choices over two fragments.",
    ),
    Entry(
        "D706",
        "invalid-html",
        E,
        "invalid Telegram HTML ({language}): {detail}",
        "Text is sent in Telegram's HTML mode, which allows only b, i, u, s, a, code, pre, "
        'span class="tg-spoiler", tg-spoiler, blockquote and tg-emoji, properly closed. '
        "A bare '<' or '&' must be written &lt; or &amp;.",
        "Close every tag, use only the allowed ones, and escape < and &.",
    ),
    Entry(
        "D707",
        "missing-media",
        E,
        "media file '{file}' does not exist",
        "Media paths are relative to the content folder.",
        "Add the file, or fix the path.",
    ),
    Entry(
        "D708",
        "media-outside-content",
        E,
        "media path '{file}' leads outside the content folder{detail}",
        "The bot sends whatever file a media path names, so a path that leaves the content "
        "folder (an absolute path, `..` past the folder, or a symbolic link that points out "
        "of it) could publish any file on the server, such as its passwords or keys. Such a "
        "path is never opened, not even to check that it exists.",
        "Copy the file into the content folder (e.g. media/) and write its path relative to "
        "the content folder, such as `photo: media/salon.jpg`.",
    ),
    # --- D8: localisation ---------------------------------------------------------------
    Entry(
        "D801",
        "missing-translation",
        W,
        "no {language} translation for '{string_id}'",
        "Players with that language would see the default language instead.",
        "Add the translation beside the text or in the language's translations file.",
    ),
    Entry(
        "D802",
        "unknown-language",
        E,
        "language '{language}' is not declared in the manifest",
        "Texts may only be given in the story's declared languages.",
        "Add the language to `languages:` in story.yaml, or fix the code.",
    ),
    Entry(
        "D803",
        "unknown-placeholder",
        E,
        "unknown substitution '{{{name}}}'{suggestion}",
        "Text may substitute {name}, {points}, {streak}, {level}, {currency} and any "
        "declared variable or emotion; anything else would be shown raw.",
        "Fix the name, declare the variable, or write {{ and }} for literal braces.",
    ),
    Entry(
        "D804",
        "unknown-string-id",
        W,
        "translation for '{string_id}', which no text has",
        "A translations file gives text for a string id that the story does not use.",
        "Remove it, or fix the id.",
    ),
    # --- D9: unused things --------------------------------------------------------------
    Entry(
        "D901",
        "unused-variable",
        W,
        "{what} '{name}' is declared but never used",
        "Nothing reads or writes it.",
        "Use it in a condition or effect, or remove the declaration.",
    ),
]

CATALOGUE: dict[str, Entry] = {e.code: e for e in _ENTRIES}
