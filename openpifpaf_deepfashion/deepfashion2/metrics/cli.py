"""``python -m openpifpaf_deepfashion.deepfashion2.metrics``: print the table of an eval's ``.stats.json``,
or evaluate DeepFashion2 result files against a ground-truth json::

    python -m openpifpaf_deepfashion.deepfashion2.metrics <output>.stats.json
    python -m openpifpaf_deepfashion.deepfashion2.metrics --ground-truth deepfashion2_validation.json \\
        <output>.pred-deepfashion2-keypoints.json [--boxes <output>.pred-deepfashion2-bbox.json] \\
        [--stats-out results.stats.json]
"""
import argparse
import json
import sys

from .metric import evaluate_result_files
from .results import ResultFormatError, write_results
from .table import format_table


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='python -m openpifpaf_deepfashion.deepfashion2.metrics',
        description='DeepFashion2 keypoint AP, box AP, NE per category and the multi-garment table.')
    parser.add_argument('file', help='an eval .stats.json, or with --ground-truth a keypoint result file')
    parser.add_argument('--ground-truth', help='COCO-style DeepFashion2 json to evaluate the result file against')
    parser.add_argument('--boxes', help='box result file listing the same predictions (else boxes from keypoints)')
    parser.add_argument('--matching', default='score', choices=('score', 'bbox'), help='NE matching')
    parser.add_argument('--stats-out', help='write the statistics as json here (atomically)')
    args = parser.parse_args(argv)
    try:
        if args.ground_truth:
            metric = evaluate_result_files(args.ground_truth, args.file, args.boxes, matching=args.matching)
            stats = metric.stats()
        else:
            with open(args.file, encoding='utf-8') as f:
                stats = json.load(f)
    except (OSError, ValueError, ResultFormatError) as error:
        print('{}: {}'.format(type(error).__name__, error), file=sys.stderr)
        return 1
    if args.stats_out:
        write_results(args.stats_out, stats)
    print(format_table(stats))
    return 0
