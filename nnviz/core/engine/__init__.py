"""The numerical engine: each layer operation written once (:mod:`.ops`), and the packed sweep
that trains many networks at once through those same operations, with its packing plan
(:mod:`.packing`) and its forward, backward and update over the packed matrices (:mod:`.packed`)."""
