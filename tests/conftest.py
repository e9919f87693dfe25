import os

import pytest

SHARED_DATA = os.path.join(os.path.dirname(__file__), '..', '..', 'shared', 'data')
GENUINE = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'genuine')


@pytest.fixture(scope='session')
def shared_data():
    """../shared/data beside the checkout (genuine DeepFashion files and photos)."""
    if not os.path.isdir(SHARED_DATA):
        pytest.skip('../shared/data is not beside this checkout')
    return os.path.abspath(SHARED_DATA)


@pytest.fixture(scope='session')
def genuine():
    """tests/genuine: the genuine text fixtures (category list, quoted rows, FLD labels), in every clone."""
    return GENUINE


@pytest.fixture
def read_tree():
    """A function: {relative path: bytes} of every file below a folder (to compare generated trees)."""
    def read(root):
        result = {}
        for directory, _, files in os.walk(root):
            for name in files:
                path = os.path.join(directory, name)
                with open(path, 'rb') as f:
                    result[os.path.relpath(path, root)] = f.read()
        return result
    return read
