"""The `diana` command line: how writers and operators work with the engine."""
