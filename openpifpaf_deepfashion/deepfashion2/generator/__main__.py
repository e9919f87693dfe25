"""``python -m openpifpaf_deepfashion.deepfashion2.generator``: the generator's command line."""
from . import cli

cli()
