"""Data files shipped with nnviz (icon, desktop entry); read with importlib.resources."""
