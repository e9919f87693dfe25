"""Eval overhead: the share of ``openpifpaf.eval`` wall time spent in the NE evaluator.

Runs the real ``openpifpaf.eval`` in this process with the NE evaluator's ``accumulate`` and ``stats``
wrapped in timers::

    python tools/benchmark_eval_overhead.py --checkpoint model.pkl.epoch012 -- --deepfashion-root=DATA

Arguments after ``--`` go to openpifpaf.eval.
"""
import argparse
import functools
import sys
import time

import openpifpaf.eval

from openpifpaf_deepfashion.deepfashion import metrics

SPENT = {'accumulate': 0.0, 'stats': 0.0}


def timed(name, method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            SPENT[name] += time.perf_counter() - start
    return wrapper


def measure(checkpoint, output, eval_args=()):
    """Run openpifpaf.eval in this process with the NE evaluator timed; returns the seconds: 'wall' (all of
    openpifpaf.eval, start-up included), 'accumulate', 'stats', 'evaluator' (their sum) and its 'share'."""
    for name in SPENT:
        SPENT[name] = 0.0
    originals = {name: getattr(metrics.NormalizedError, name) for name in SPENT}
    saved_argv = sys.argv
    for name, method in originals.items():
        setattr(metrics.NormalizedError, name, timed(name, method))
    sys.argv = ['openpifpaf.eval', '--dataset=deepfashion', '--checkpoint=' + checkpoint,
                '--output=' + output, '--loader-workers=0', *eval_args]
    try:
        start = time.perf_counter()
        openpifpaf.eval.main()
        total = time.perf_counter() - start
    finally:
        sys.argv = saved_argv
        for name, method in originals.items():
            setattr(metrics.NormalizedError, name, method)
    evaluator = SPENT['accumulate'] + SPENT['stats']
    return {'wall': total, 'accumulate': SPENT['accumulate'], 'stats': SPENT['stats'], 'evaluator': evaluator,
            'share': evaluator / total}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--checkpoint', required=True)
    parser.add_argument('--output', default='/tmp/benchmark_eval_overhead')
    parser.add_argument('eval_args', nargs='*')
    args = parser.parse_args()

    spent = measure(args.checkpoint, args.output, args.eval_args)
    print('openpifpaf.eval wall time {:.2f} s; NE evaluator {:.3f} s (accumulate {:.3f} s, stats {:.3f} s) '
          '= {:.2%} ({})'.format(spent['wall'], spent['evaluator'], spent['accumulate'], spent['stats'],
                                 spent['share'], 'PASS' if spent['share'] <= 0.05 else 'FAIL: needs <= 5 %'))


if __name__ == '__main__':
    main()
