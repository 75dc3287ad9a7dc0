"""Pictures, tables and run files out of (and into) the window."""
