"""Running training: the lone trainer and its loop, the mini-batches it serves, the protocol
every trainer shares, the loss history and the timeline of moments, sweeps and their packed
trainer, the way from a config to a trainer, and the separate training process the window
talks to with the messages defined here."""
