"""``python -m openpifpaf_deepfashion.deepfashion2.metrics``: see ``cli``."""
import sys

from .cli import main

sys.exit(main())
