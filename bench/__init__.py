"""tfpub's benchmark: synthetic IHE-like frameworks (:mod:`bench.synth`) at three sizes,
every publishing stage measured in its own process (:mod:`bench.stages`), one table
(:mod:`bench.run`). Run it with ``python -m bench``; see the README, "Benchmarks"."""
