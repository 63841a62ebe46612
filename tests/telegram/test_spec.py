"""The spec check on its own: shapes, types, unions, nested objects and Telegram's limits."""

from __future__ import annotations

import json

import pytest

from engine.telegram.botapi import BotApiSpec


def keyboard(*buttons: dict[str, object]) -> str:
    return json.dumps({"inline_keyboard": [list(buttons)]})


def test_valid_form_request_has_no_problems(bot_api_spec: BotApiSpec) -> None:
    params = {
        "chat_id": "42",
        "text": "hi",
        "reply_markup": keyboard({"text": "A", "callback_data": "a"}),
    }
    assert bot_api_spec.validate_request("sendMessage", params) == []


def test_decoding_types_form_strings(bot_api_spec: BotApiSpec) -> None:
    decoded, problems = bot_api_spec.decode_request(
        "sendMessage",
        {"chat_id": "42", "text": "hi", "protect_content": "true", "reply_markup": keyboard()},
    )
    assert problems == []
    assert decoded["chat_id"] == 42
    assert decoded["protect_content"] is True
    assert decoded["reply_markup"] == {"inline_keyboard": [[]]}


def test_username_chat_id_is_a_string(bot_api_spec: BotApiSpec) -> None:
    assert bot_api_spec.validate_request("sendMessage", {"chat_id": "@chan", "text": "x"}) == []


def test_unknown_method(bot_api_spec: BotApiSpec) -> None:
    assert bot_api_spec.validate_request("sendMesage", {}) == ["unknown method 'sendMesage'"]


def test_method_names_are_case_insensitive(bot_api_spec: BotApiSpec) -> None:
    assert bot_api_spec.canonical_method("getme") == "getMe"


def test_missing_required_and_unknown_fields(bot_api_spec: BotApiSpec) -> None:
    problems = bot_api_spec.validate_request("sendMessage", {"chat_id": 1, "txt": "hi"})
    assert "sendMessage: unknown field 'txt'" in problems
    assert "sendMessage: missing required field 'text'" in problems


def test_wrong_scalar_types(bot_api_spec: BotApiSpec) -> None:
    problems = bot_api_spec.validate_request(
        "editMessageText", {"chat_id": True, "message_id": "seven", "text": "x"}
    )
    assert any("editMessageText.chat_id: expected Integer or String" in p for p in problems)
    assert any("editMessageText.message_id: expected Integer" in p for p in problems)


def test_nested_keyboard_is_checked_recursively(bot_api_spec: BotApiSpec) -> None:
    bad = keyboard({"callback_data": "a"}, {"text": "B", "callback_data": 5, "colour": "red"})
    problems = bot_api_spec.validate_request(
        "sendMessage", {"chat_id": 1, "text": "x", "reply_markup": bad}
    )
    joined = "\n".join(problems)
    assert "inline_keyboard[0][0]: missing required field 'text'" in joined
    assert "inline_keyboard[0][1].callback_data: expected String" in joined
    assert "unknown field 'colour' for InlineKeyboardButton" in joined


def test_markup_that_is_not_json(bot_api_spec: BotApiSpec) -> None:
    problems = bot_api_spec.validate_request(
        "sendMessage", {"chat_id": 1, "text": "x", "reply_markup": "{not json"}
    )
    assert problems and "reply_markup: expected InlineKeyboardMarkup or" in problems[0]


def test_abstract_types_pick_subtype_by_tag(bot_api_spec: BotApiSpec) -> None:
    ok = json.dumps({"type": "chat", "chat_id": 5})
    commands = json.dumps([{"command": "start", "description": "Begin"}])
    assert bot_api_spec.validate_request("setMyCommands", {"commands": commands, "scope": ok}) == []
    missing = json.dumps({"type": "chat"})
    problems = bot_api_spec.validate_request(
        "setMyCommands", {"commands": commands, "scope": missing}
    )
    assert any("missing required field 'chat_id' of BotCommandScopeChat" in p for p in problems)
    nonsense = json.dumps({"type": "galaxy"})
    problems = bot_api_spec.validate_request(
        "setMyCommands", {"commands": commands, "scope": nonsense}
    )
    assert any("matches no subtype of BotCommandScope" in p for p in problems)


def test_text_limit_counts_after_entity_parsing(bot_api_spec: BotApiSpec) -> None:
    def check(text: str, **extra: str) -> list[str]:
        return bot_api_spec.validate_request("sendMessage", {"chat_id": 1, "text": text, **extra})

    assert check("a" * 4096) == []
    assert any("message is too long (4097" in p for p in check("a" * 4097))
    assert check("<b>" + "a" * 4096 + "</b>", parse_mode="HTML") == []
    assert check("&amp;" * 4096, parse_mode="HTML") == []
    assert check("&amp;" * 4097, parse_mode="HTML") != []
    assert any("message text is empty" in p for p in check("<b></b>", parse_mode="HTML"))


def test_caption_limit(bot_api_spec: BotApiSpec) -> None:
    base = {"chat_id": 1, "photo": "file-id"}
    assert bot_api_spec.validate_request("sendPhoto", base | {"caption": "c" * 1024}) == []
    problems = bot_api_spec.validate_request("sendPhoto", base | {"caption": "c" * 1025})
    assert any("message caption is too long" in p for p in problems)


def test_callback_data_is_1_to_64_bytes(bot_api_spec: BotApiSpec) -> None:
    def check(data: str) -> list[str]:
        markup = keyboard({"text": "A", "callback_data": data})
        return bot_api_spec.validate_request(
            "sendMessage", {"chat_id": 1, "text": "x", "reply_markup": markup}
        )

    assert check("x" * 64) == []
    assert check("é" * 32) == []  # 64 bytes in UTF-8
    assert any("BUTTON_DATA_INVALID (65 bytes" in p for p in check("x" * 65))
    assert any("BUTTON_DATA_INVALID (66 bytes" in p for p in check("é" * 33))
    assert any("BUTTON_DATA_INVALID (0 bytes" in p for p in check(""))


def test_callback_answer_text_limit(bot_api_spec: BotApiSpec) -> None:
    assert (
        bot_api_spec.validate_request(
            "answerCallbackQuery", {"callback_query_id": "1", "text": "t" * 200}
        )
        == []
    )
    problems = bot_api_spec.validate_request(
        "answerCallbackQuery", {"callback_query_id": "1", "text": "t" * 201}
    )
    assert any("MESSAGE_TOO_LONG" in p for p in problems)


def test_allow_listed_field_is_only_allowed_where_listed(bot_api_spec: BotApiSpec) -> None:
    extra = {"chat_id": 1, "disable_web_page_preview": "true"}
    assert bot_api_spec.validate_request("sendMessage", extra | {"text": "x"}) == []
    problems = bot_api_spec.validate_request("sendPhoto", extra | {"photo": "id"})
    assert problems == ["sendPhoto: unknown field 'disable_web_page_preview'"]


def test_the_vendored_spec_is_the_shared_one() -> None:
    """The package ships a copy so CI checks requests anywhere; it must not drift."""
    from engine.telegram.botapi.spec import VENDORED, shared_spec_path

    shared = shared_spec_path()
    if not shared.is_file():
        pytest.skip(f"no shared copy at {shared} to compare with")
    assert VENDORED.read_bytes() == shared.read_bytes()
