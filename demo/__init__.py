"""Demo data, apart from the product: seed_demo and the benchmarks' data sets. It may import any app;
no app imports it (an import contract holds this)."""
