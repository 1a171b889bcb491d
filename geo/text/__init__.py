"""What every stage reads text with: sentence spans (``sentences``), date expressions
relative to a publication date (``dates``), the name keys shared by the gazetteer and the
extractor (``names``) and finding where many patterns can match in one pass (``search``).
Imports nothing of the stages above it."""
