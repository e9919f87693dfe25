"""A script may import any of the plugin's modules before OpenPifPaf: it gets the module OpenPifPaf registered."""
import subprocess
import sys

import pytest

#: module -> what must hold once it was the script's first import (``m`` is the module)
FIRST_IMPORTS = {
    'openpifpaf_deepfashion.network.category_head': 'openpifpaf.HEADS[m.Category] is m.CategoryField',
    'openpifpaf_deepfashion.deepfashion.decoder': 'm.FashionCifCaf in openpifpaf.DECODERS',
    'openpifpaf_deepfashion.deepfashion2.datamodule': "openpifpaf.DATAMODULES['deepfashion2'] is m.DeepFashion2",
    'openpifpaf_deepfashion.training.resume': "'openpifpaf_deepfashion' in openpifpaf.plugin.REGISTERED",
}
SCRIPT = '''
import importlib, sys
m = importlib.import_module({name!r})
import openpifpaf
assert sys.modules[{name!r}] is m, 'the script holds another copy than sys.modules'
assert {check}, {check!r}
print('registered')
'''


@pytest.mark.parametrize('name', sorted(FIRST_IMPORTS))
def test_a_plugin_module_imported_before_openpifpaf_is_the_registered_one(name):
    script = SCRIPT.format(name=name, check=FIRST_IMPORTS[name])
    result = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0 and 'registered' in result.stdout, result.stderr[-2000:]
