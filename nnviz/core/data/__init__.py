"""The points a network learns from: the built-in datasets and their train/test split, the
user's own points as CSV files, MNIST-style IDX images, and the draw mode's edits."""
