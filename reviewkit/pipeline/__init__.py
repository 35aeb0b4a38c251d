"""The regeneration engine: configuration, running sections, building reports."""
