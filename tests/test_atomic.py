import os

import pytest

from openpifpaf_deepfashion import atomic


def test_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = str(tmp_path / 'out.json')
    with atomic.atomic_open(path) as f:
        f.write('old')
    with pytest.raises(RuntimeError):
        with atomic.atomic_open(path) as f:
            f.write('half of the new')
            raise RuntimeError('disk full')
    with open(path) as f:
        assert f.read() == 'old'
    assert os.listdir(str(tmp_path)) == ['out.json']


def test_written_file_gets_the_usual_mode_not_mkstemps_private_one(tmp_path):
    path = str(tmp_path / 'sub' / 'list.txt')
    old = os.umask(0o022)
    try:
        with atomic.atomic_open(path, newline='\n') as f:
            f.write('1\nheader\n')
    finally:
        os.umask(old)
    assert os.stat(path).st_mode & 0o777 == 0o644
    with open(path, 'rb') as f:
        assert f.read() == b'1\nheader\n'
