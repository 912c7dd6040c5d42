"""`make bench`: speed and memory targets, printed as ratios against baselines measured in the same
run, and written to bench/results.json. Benchmarks, not tests: nothing here asserts a time."""
