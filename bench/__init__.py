"""Benchmarks: `make bench` runs every module here with a main(); never timed tests."""
