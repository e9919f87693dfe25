import os

import pytest

SHARED_DATA = os.path.join(os.path.dirname(__file__), '..', '..', 'shared', 'data')


@pytest.fixture(scope='session')
def shared_data():
    """../shared/data beside the checkout (genuine DeepFashion files and photos)."""
    if not os.path.isdir(SHARED_DATA):
        pytest.skip('../shared/data is not beside this checkout')
    return os.path.abspath(SHARED_DATA)
