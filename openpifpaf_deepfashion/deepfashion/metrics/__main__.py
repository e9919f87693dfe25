"""``python -m openpifpaf_deepfashion.deepfashion.metrics <output>.stats.json`` prints the NE table."""
from .table import main

main()
