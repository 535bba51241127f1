// Deliberately empty: the benchmark's baseline for a single-executable start.
export {};
