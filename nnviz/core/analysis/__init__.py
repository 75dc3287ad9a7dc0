"""What is computed from a trained network to show it: decision grids and their contour lines,
the linear baseline, classification metrics, each layer's statistics, each hidden unit's
maps and the 2-D projection of images."""
