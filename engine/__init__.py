"""Diana: a declarative narrative engine. Subpackages depend one way: content -> runtime ->
persistence and telegram (the adapters)."""
