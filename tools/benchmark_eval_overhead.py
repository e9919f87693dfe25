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


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--checkpoint', required=True)
    parser.add_argument('--output', default='/tmp/benchmark_eval_overhead')
    parser.add_argument('eval_args', nargs='*')
    args = parser.parse_args()

    metrics.NormalizedError.accumulate = timed('accumulate', metrics.NormalizedError.accumulate)
    metrics.NormalizedError.stats = timed('stats', metrics.NormalizedError.stats)
    sys.argv = ['openpifpaf.eval', '--dataset=deepfashion', '--checkpoint=' + args.checkpoint,
                '--output=' + args.output, '--loader-workers=0', *args.eval_args]
    start = time.perf_counter()
    openpifpaf.eval.main()
    total = time.perf_counter() - start
    evaluator = SPENT['accumulate'] + SPENT['stats']
    print('openpifpaf.eval wall time {:.2f} s; NE evaluator {:.3f} s (accumulate {:.3f} s, stats {:.3f} s) '
          '= {:.2%} ({})'.format(total, evaluator, SPENT['accumulate'], SPENT['stats'], evaluator / total,
                                 'PASS' if evaluator / total <= 0.05 else 'FAIL: needs <= 5 %'))


if __name__ == '__main__':
    main()
