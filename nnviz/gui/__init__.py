"""The Qt window: panels, plots, the training worker and export. Talks to nnviz.core only."""
