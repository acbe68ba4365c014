"""Text analysis shared by indexing and search: the normaliser, word and n-gram tokenizers."""
