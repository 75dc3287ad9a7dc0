"""The Explain tab: one point through the network, phase by phase, with the engine's numbers
(:mod:`nnviz.core.arithmetic`), the formulas behind them, and weights the user can set."""
