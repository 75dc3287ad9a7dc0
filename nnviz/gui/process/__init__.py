"""The link to the training process: the worker that talks to it, the runner that hands trainers back and forth."""
