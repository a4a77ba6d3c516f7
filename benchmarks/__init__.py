"""Speed and scale benchmarks, printed as ratios against baselines run in the same process."""
