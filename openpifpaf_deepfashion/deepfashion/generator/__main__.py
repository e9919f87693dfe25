"""``python -m openpifpaf_deepfashion.deepfashion.generator``: the generator's command line."""
from . import cli

cli()
