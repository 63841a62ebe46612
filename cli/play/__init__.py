"""Writers' play tools: `diana preview` (play in a terminal), `diana playtest` (random and
exhaustive playthroughs) and `diana test` (golden transcripts beside the story)."""
