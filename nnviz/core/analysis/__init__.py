"""What is computed from a trained network to show it: decision grids and their contour lines,
the linear baseline, classification metrics, each layer's statistics, each hidden unit's
maps, the 2-D projection of images, and a regression network's curve, its units' contributions
and its residuals; the loss over a plane of weights and along a line, and the loss's sharpness
(landscape.py, sharpness.py: issue 28's core, without its views yet)."""
