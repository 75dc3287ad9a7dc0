"""Files nnviz writes and reads: run files (a whole run, to stop and carry on exactly) and their
checked zip reading, atomic writes that never leave half a file, movies of a run, and the texts
that pictures and movies carry about the run they show."""
