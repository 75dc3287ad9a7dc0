"""nnviz: watch a small neural network learn a 2-D dataset, live."""

__version__ = "0.1.0"
