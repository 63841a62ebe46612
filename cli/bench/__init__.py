"""`diana bench` with no subcommand: one table answering each line of the predecessor's audit.

sections.py lists the benchmarks that produce the rows (and is where a new one is added),
render.py prints them (table, Markdown or JSON), soak_cmds.py adds `diana bench soak` and
`diana bench concurrency` for running those two at any size.
"""
