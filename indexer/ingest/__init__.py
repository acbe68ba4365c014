"""From corpus files to record contents: discovery, catalogs and sidecars, one extractor per file
kind, metadata found in the text, the OCR cache, page images and safe opening of corpus files."""
