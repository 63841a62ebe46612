"""Telegram adapter for Diana: aiogram lives only under this package.

`engine.telegram.botapi` is a local fake of the Telegram Bot API that the real aiogram
`Bot` and `Dispatcher` talk to in tests, checked against the official spec as data.
"""
