"""The progress line: synthetic trainer records rendered exactly, and a real tiny training run showing it."""
import io
import logging
import os
import re
import subprocess
import sys

import pytest

from openpifpaf_deepfashion import progress
from openpifpaf_deepfashion.deepfashion import converter, generator


def record(created, **info):
    """A log record as the trainer makes it: LOG.info(dict), at a given time."""
    return logging.makeLogRecord({'name': progress.TRAINER_LOGGER, 'levelno': logging.INFO, 'levelname': 'INFO',
                                  'msg': info, 'args': None, 'created': created})


def batch(created, epoch, batch_idx, n_batches=10, time=0.5, data_time=0.5, loss=2.0):
    return record(created, type='train', epoch=epoch, batch=batch_idx, n_batches=n_batches, time=time,
                  data_time=data_time, lr=1e-3, loss=loss, head_losses=[1.0, 1.0])


def test_duration():
    assert [progress.duration(s) for s in (0.4, 12.4, 59.6, 245, 3599, 3725)] == [
        '0s', '12s', '1m00s', '4m05s', '59m59s', '1h02m']


def test_terminal_line_is_rewritten_with_measured_rates_and_time_left():
    stream = io.StringIO()
    handler = progress.ProgressHandler(stream, epochs=3, val_interval=1, tty=True)
    # first record of an epoch: its own time + data_time, 1.0 s/batch; 9 + 2 x 10 batches left
    handler.handle(batch(100.0, 0, 0))
    line1 = 'epoch 1/3  batch 1/10  loss 2.000  1.00 s/batch  time left 29s'
    assert stream.getvalue() == '\r' + line1
    # 10 s for the 5 batches since: 11 s / 6 batches; 4 + 20 batches left
    handler.handle(batch(110.0, 0, 5, loss=1.23456))
    line2 = 'epoch 1/3  batch 6/10  loss 1.235  1.83 s/batch  time left 44s'
    assert stream.getvalue() == '\r' + line1 + '\r' + line2 + ' ' * (len(line1) - len(line2))
    handler.handle(record(120.0, type='train-epoch', epoch=1, loss=1.5, head_losses=[], time=19.0))
    handler.handle(record(126.0, type='val-epoch', epoch=1, loss=1.75, head_losses=[], time=6.0))
    handler.handle(logging.makeLogRecord({'msg': 'model written: %s', 'args': ('x',)}))  # not a dict: ignored
    # a new epoch starts a new measurement (1 + 2 s): 14 s / 7 batches; 9 + 10 batches and 2 validations left
    handler.handle(batch(200.0, 1, 0, time=1.0, data_time=2.0, loss=None))
    line3 = 'epoch 2/3  batch 1/10  loss -  2.00 s/batch  time left 50s'
    trained = 'epoch 1/3 trained: mean loss 1.5000 in 19s'
    assert stream.getvalue().split('\n') == [
        '\r' + line1 + '\r' + line2 + ' ' * (len(line1) - len(line2))
        + '\r' + trained + ' ' * (len(line2) - len(trained)),
        '\repoch 1/3 validated: mean loss 1.7500 in 6s',
        '\r' + line3]
    handler.close()
    assert stream.getvalue().endswith(line3 + '\n')  # a pending line is ended


def test_time_left_in_minutes_with_validation_interval_and_train_batch_limit():
    handler = progress.ProgressHandler(io.StringIO(), epochs=10, train_batches=40, val_interval=3, tty=True)
    handler.val_seconds = 30.0
    handler.handle(batch(0.0, 4, 0, n_batches=100, time=2.0, data_time=1.0))
    # 39 + 5 x 40 batches at 3 s, validations after epochs 6 and 9 and the last one, 10
    assert handler.validations_left(4) == 3
    assert handler.seconds_left(4, 0, 40) == 239 * 3.0 + 3 * 30.0
    assert handler.train_line({'epoch': 4, 'batch': 0, 'n_batches': 100, 'loss': 0.5}) == (
        'epoch 5/10  batch 1/40  loss 0.500  3.00 s/batch  time left 13m27s')


def test_plain_lines_every_n_batches_without_a_terminal():
    stream = io.StringIO()
    handler = progress.ProgressHandler(stream, epochs=2, tty=False)
    assert handler.plain_every == 10
    for i, batch_idx in enumerate(range(0, 30, 5)):
        handler.handle(batch(float(i), 0, batch_idx, n_batches=30))
    handler.handle(record(6.0, type='train-epoch', epoch=1, loss=1.0, head_losses=[], time=61.0))
    handler.handle(batch(70.0, 1, 0, n_batches=30))
    lines = stream.getvalue().split('\n')
    assert '\r' not in stream.getvalue()
    assert [line.split('  loss')[0] for line in lines] == [
        'epoch 1/2  batch 1/30', 'epoch 1/2  batch 11/30', 'epoch 1/2  batch 21/30',
        'epoch 1/2 trained: mean loss 1.0000 in 1m01s', 'epoch 2/2  batch 1/30', '']
    # 1 s for the first batch, then 1 s per 5 batches: 5 s / 21 batches; 9 + 30 batches left
    assert lines[2].endswith('0.24 s/batch  time left 9s')


def test_epochs_come_from_the_trainer(monkeypatch):
    import openpifpaf  # pylint: disable=import-outside-toplevel
    monkeypatch.setattr(openpifpaf.network.Trainer, 'epochs', 7)
    monkeypatch.setattr(openpifpaf.network.Trainer, 'n_train_batches', None)
    handler = progress.ProgressHandler(io.StringIO(), tty=True)
    handler.handle(batch(0.0, 0, 0, n_batches=4))
    assert handler.stream.getvalue() == '\repoch 1/7  batch 1/4  loss 2.000  1.00 s/batch  time left 27s'
    monkeypatch.setattr(openpifpaf.network.Trainer, 'epochs', None)
    assert handler.train_line({'epoch': 0, 'batch': 1, 'n_batches': 4, 'loss': 1.0}) == (
        'epoch 1  batch 2/4  loss 1.000  1.00 s/batch')


def test_install_replaces_an_earlier_handler():
    logger = logging.getLogger(progress.TRAINER_LOGGER)
    first = progress.install(io.StringIO())
    second = progress.install(io.StringIO())
    try:
        assert [h for h in logger.handlers if isinstance(h, progress.ProgressHandler)] == [second]
        assert first is not second
    finally:
        logger.removeHandler(second)


def test_training_with_the_option_prints_progress_on_stderr(tmp_path):
    root = str(tmp_path / 'sample')
    generator.generate(root, 14, seed=3, multi_garment=True, min_size=120, max_size=150)
    converter.convert(root, os.path.join(root, 'annotations'))
    result = subprocess.run([
        sys.executable, '-m', 'openpifpaf.train', '--dataset=deepfashion', '--deepfashion-root=' + root,
        '--output=' + str(tmp_path / 'model.pkl'), '--basenet=shufflenetv2k16', '--deepfashion-square-edge=97',
        '--batch-size=2', '--loader-workers=0', '--epochs=2', '--lr=1e-4', '--momentum=0.9',
        '--train-batches=3', '--val-batches=1', '--log-interval=1', '--deepfashion-progress',
    ], cwd=str(tmp_path), capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stderr.splitlines()
    for epoch in (1, 2):
        assert any(re.fullmatch(r'epoch {}/2  batch 1/3  loss \d+\.\d{{3}}  \d+\.\d\d s/batch  time left \d+s'
                                .format(epoch), line) for line in lines), result.stderr[-3000:]
        assert any(re.fullmatch(r'epoch {}/2 trained: mean loss \d+\.\d{{4}} in \d+s'.format(epoch), line)
                   for line in lines), result.stderr[-3000:]
        assert any(re.fullmatch(r'epoch {}/2 validated: mean loss \d+\.\d{{4}} in \d+s'.format(epoch), line)
                   for line in lines), result.stderr[-3000:]
    assert '\r' not in result.stderr  # not a terminal: plain lines
    # OpenPifPaf's own log is unchanged: every batch record on stdout and in <output>.log
    assert result.stdout.count("'type': 'train',") == 6
    with open(str(tmp_path / 'model.pkl.log')) as f:
        assert sum('"type": "train"' in line for line in f) == 6


@pytest.fixture(autouse=True)
def no_leftover_handler():
    yield
    logger = logging.getLogger(progress.TRAINER_LOGGER)
    for handler in list(logger.handlers):
        if isinstance(handler, progress.ProgressHandler):
            logger.removeHandler(handler)
