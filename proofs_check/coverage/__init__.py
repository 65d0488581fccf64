"""The sentence-level coverage map of the three papers (issue 23): the index (:mod:`.index`) and the generator
of docs/coverage.md (:mod:`.generate`)."""
