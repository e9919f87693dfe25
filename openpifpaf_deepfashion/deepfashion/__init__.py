"""The DeepFashion benchmarks (Category & Attribute, FLD): landmarks, converter, sample generator, the
``deepfashion`` data module, its decoder and the NE metric."""
