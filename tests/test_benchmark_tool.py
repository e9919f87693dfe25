"""tools/benchmark.py: the pieces that would break silently (table, JSON, step plumbing, the device-agnostic
timing code), without timing asserts; the full run takes minutes and is not run here."""
import argparse
import importlib.util
import json
import os
import sys

import pytest
import torch

TOOLS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'tools')


def load_tool(name):
    if TOOLS not in sys.path:
        sys.path.insert(0, TOOLS)
    spec = importlib.util.spec_from_file_location('tools_' + name, os.path.join(TOOLS, name + '.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def benchmark():
    return load_tool('benchmark')


@pytest.fixture(scope='module')
def benchmark_network():
    return load_tool('benchmark_network')


def fixed_result():
    parts = {'forward': 1.01, 'decode': 1.5, 'total': 1.02}
    per_net = {'forward': 50.0, 'decode': 2.0, 'total': 52.0, 'annotations_per_image': 3.0}
    return {
        'date': '2026-11-29 06:00 UTC', 'command': 'python tools/benchmark.py', 'wall_s': 540.0,
        'machine': {'cpu': 'AMD EPYC', 'cores': 2, 'python': '3.11.9', 'device': 'cpu', 'torch': '2.14.1',
                    'openpifpaf': '0.14.2', 'device_name': None},
        'model': {'source': 'tiny', 'description': 'tiny model trained here'},
        'steps': {
            'generate': {'images': 600, 'workers': 2, 'images_per_s': 40.0, 'peak_rss_mb': 100.0,
                         'children_peak_rss_mb': 80.0, 'step_wall_s': 20.0},
            'train': {'peak_rss_mb': 900.0, 'children_peak_rss_mb': 1500.0, 'step_wall_s': 260.0},
            'network': {'basenet': 'shufflenetv2k16', 'size': 161, 'repeats': 40, 'images': 8, 'device': 'cpu',
                        'decoder_args': ['--seed-threshold=0.2', '--instance-threshold=0.05'],
                        'amp_dtype': 'bfloat16',
                        'ratios': {'plugin_vs_openpifpaf': dict(parts), 'category_head': dict(parts, total=1.04)},
                        'medians_ms': {name: dict(per_net) for name in ('plugin + category', 'plugin', 'openpifpaf')},
                        'forward_ms_per_image': {'batch 1': {'fp32': 50.0, 'amp': 2000.0}},
                        'peak_rss_mb': 950.0, 'children_peak_rss_mb': 0.0, 'step_wall_s': 80.0},
            'eval': {'images': 90, 'wall': 30.0, 'images_per_s': 3.0, 'share': 0.012, 'accumulate': 0.3,
                     'stats': 0.06, 'peak_rss_mb': 1000.0, 'children_peak_rss_mb': 0.0, 'step_wall_s': 40.0},
            'converter': {'rows': 50000, 'attributes': True, 'workers': 2, 'runs': [
                {'label': label, 'rows_per_s': rate, 'peak_rss_mb': 200.0, 'worker_peak_rss_mb': 25.0}
                for label, rate in (('no size cache', 5000.0), ('cold', 4800.0), ('warm', 9000.0))],
                'peak_rss_mb': 30.0, 'children_peak_rss_mb': 200.0, 'step_wall_s': 45.0},
        },
    }


def test_table_from_a_fixed_result(benchmark):
    table = benchmark.format_table(fixed_result())
    lines = table.splitlines()
    assert lines[:2] == ['| figure | value | measured |', '|---|---|---|']
    for line in lines[2:]:
        assert line.startswith('| ') and line.endswith('|'), line
        assert line.count(' | ') >= 2, line
    rows = {line.split(' | ')[0][2:]: line.split(' | ')[1] for line in lines[2:]}
    assert rows['date'] == '2026-11-29 06:00 UTC'
    assert rows['machine'] == 'AMD EPYC, 2 cores, torch 2.14.1, OpenPifPaf 0.14.2, device cpu'
    assert rows['plugin / OpenPifPaf CIF/CAF: forward / decode / **both**'] == \
        '1.010 / 1.500 / **1.020** (ok ≤ 1.05)'
    assert rows['category head, with / without: forward / decode / **both**'].endswith('**1.040** (over ≤ 1.03)')
    assert rows['garments decoded per image, same order'] == '3.0 · 3.0 · 3.0'
    assert rows['forward ms/image, batch 1, fp32 / AMP'] == '50.00 / 2000.00'
    assert rows['generator images/s'] == '40.0'
    assert rows['converter rows/s: no size cache / cold cache / warm cache'] == '5000 / 4800 / 9000'
    assert rows['eval images/s'] == '3.0'
    assert rows['NE evaluator share of eval time'] == '1.20% (ok ≤ 5%)'
    assert rows['peak RSS MB per step'] == ('generate 100 (workers 80), train 1500 (BatchNorm pass 900), '
                                            'network 950, eval 1000, converter 200 (size workers 25)')
    assert 'whole run 9.0 min' in table


def test_table_with_only_some_steps(benchmark):
    result = fixed_result()
    for name in ('train', 'network', 'eval', 'converter'):
        del result['steps'][name]
    table = benchmark.format_table(result)
    assert 'generator images/s' in table and 'plugin / OpenPifPaf' not in table


def test_table_says_when_nothing_was_decoded(benchmark):
    result = fixed_result()
    assert 'none decoded' not in benchmark.format_table(result)
    for figures in result['steps']['network']['medians_ms'].values():
        figures['annotations_per_image'] = 0.0
    assert 'none decoded' in benchmark.format_table(result)


def test_json_output(benchmark, tmp_path):
    path = str(tmp_path / 'out' / 'benchmark.json')
    benchmark.write_json(path, fixed_result())
    with open(path, encoding='utf-8') as f:
        assert json.load(f) == fixed_result()


def test_presets_and_overrides(benchmark):
    args = argparse.Namespace(quick=True, **dict.fromkeys(benchmark.PRESETS['default']))
    args.train_minutes = 0.25
    found = benchmark.settings(args)
    assert found == dict(benchmark.PRESETS['quick'], train_minutes=0.25)
    args.quick = False
    assert benchmark.settings(args)['rows'] == benchmark.PRESETS['default']['rows']


def test_one_step_end_to_end_writes_table_and_json(benchmark, tmp_path, capsys):
    """The parent/child plumbing (config, progress fd, result json, table, --output) on the cheapest step."""
    output = str(tmp_path / 'figures.json')
    result = benchmark.main(['--steps', 'converter', '--rows', '300', '--device', 'cpu',
                             '--workdir', str(tmp_path / 'work'), '--output', output])
    captured = capsys.readouterr()
    assert '| converter rows/s: no size cache / cold cache / warm cache |' in captured.out
    assert '| machine | ' in captured.out and '| date | ' in captured.out
    with open(output, encoding='utf-8') as f:
        written = json.load(f)
    assert written['steps']['converter']['rows'] == 300
    assert len(written['steps']['converter']['runs']) == 3
    assert written['steps']['converter']['peak_rss_mb'] > 0
    assert written['machine']['cores'] >= 1 and written['machine']['device'] == 'cpu'
    assert result['steps']['converter']['runs'][0]['rows_per_s'] > 0


def test_latest_epoch(benchmark, tmp_path):
    output = str(tmp_path / 'model.pkl')
    assert benchmark.latest_epoch(output) == 0
    for name in ('model.pkl.epoch000', 'model.pkl.epoch003', 'model.pkl.optim.epoch004',
                 '.model.pkl.epoch005.abc.tmp', 'model.pkl.epoch002'):
        (tmp_path / name).write_bytes(b'')
    assert benchmark.latest_epoch(output) == 3


def test_batchnorm_recalibration(benchmark):
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 1), torch.nn.BatchNorm2d(4, momentum=0.01))
    images = [torch.randn(1, 3, 5, 5) * 3 + 2 for _ in range(6)]
    assert benchmark.recalibrate_batchnorm(net, images, batch_size=6) == 1
    features = net[0](torch.cat(images)).detach()
    bn = net[1]
    assert torch.allclose(bn.running_mean, features.mean(dim=(0, 2, 3)), atol=1e-5)
    assert torch.allclose(bn.running_var, features.var(dim=(0, 2, 3)), rtol=1e-4)
    assert bn.momentum == 0.01 and not bn.training


class FieldsNet(torch.nn.Module):
    def forward(self, x):  # pylint: disable=arguments-differ
        return [x.mean(dim=1, keepdim=True), None]


def test_network_timing_is_device_agnostic_on_cpu(benchmark_network, monkeypatch):
    """fp32 and autocast forward, compare and ratios run on the CPU without touching CUDA."""
    def no_cuda(*args, **kwargs):
        raise AssertionError('torch.cuda.synchronize called on the CPU')
    monkeypatch.setattr(torch.cuda, 'synchronize', no_cuda)
    device = torch.device('cpu')
    net = torch.nn.Conv2d(3, 2, 3)
    for amp in (False, True):
        assert benchmark_network.forward_ms_per_image(net, device, 9, batch_size=2, amp=amp, repeats=2) > 0
    assert benchmark_network.autocast_dtype(device) == torch.bfloat16

    nets = {name: FieldsNet() for name in benchmark_network.NETWORKS}
    decoders = {name: (lambda fields, n=n: [object()] * n) for n, name in enumerate(benchmark_network.NETWORKS)}
    images = benchmark_network.input_images([], 9, device)
    medians = benchmark_network.compare(nets, decoders, images, repeats=3, warmup=1)
    assert [medians[name]['annotations_per_image'] for name in benchmark_network.NETWORKS] == [0, 1, 2]
    for figures in medians.values():
        assert figures['total'] >= max(figures['forward'], figures['decode'])
    ratios = benchmark_network.ratios(medians)
    assert set(ratios) == {'plugin_vs_openpifpaf', 'category_head'}
    assert set(ratios['category_head']) == {'forward', 'decode', 'total'}


def test_input_image_is_fitted_and_centred(benchmark_network, tmp_path):
    import PIL.Image  # pylint: disable=import-outside-toplevel
    path = str(tmp_path / 'wide.png')
    PIL.Image.new('RGB', (40, 20), (255, 255, 255)).save(path)
    image = benchmark_network.load_image(path, 16)
    assert image.shape == (3, 16, 16)
    assert torch.all(image[:, :4] == 0) and torch.all(image[:, 12:] == 0)
    assert torch.all(image[:, 4:12] > 2)  # white, normalized


def test_deepfashion2_learning_quick_run_writes_categories_baseline_and_multi_garment(tmp_path, capsys):
    """tools/benchmark_deepfashion2_learning.py --quick: generate, train 3 batches, eval, the canonical-pose
    baseline and the multi-garment table, all in the JSON (seconds; the figures mean nothing at this size)."""
    import math  # pylint: disable=import-outside-toplevel
    tool = load_tool('benchmark_deepfashion2_learning')
    output = str(tmp_path / 'df2.json')
    result = tool.main(['--quick', '--workdir', str(tmp_path / 'work'), '--output', output])
    printed = capsys.readouterr().out
    with open(output, encoding='utf-8') as f:
        written = json.load(f)
    assert written == json.loads(json.dumps(result))
    assert '| **all** |' in printed and '| 2+ | all predictions (bottom-up) |' in printed

    def sane_ap(value):
        return value is not None and 0.0 <= value <= 1.0

    def sane_ne(value):
        return value is not None and math.isfinite(value) and value >= 0.0

    assert written['data']['validation']['images'] == 6 and written['data']['train']['images'] == 12
    names = set(tool.constants.CATEGORY_NAMES)
    for figures in (written['model'], written['baseline'], written['baseline_gt_box']):
        rows = figures['per_category']
        assert rows and {row['category'] for row in rows} <= names
        assert sum(row['n'] for row in rows) == figures['overall']['n_garments'] == \
            written['data']['validation']['garments']
        for row in rows:
            assert row['n'] >= 1 and 0 <= row['matched'] <= row['n']
            assert sane_ap(row['kp_ap']) and sane_ap(row['box_ap']) and sane_ne(row['ne']), row
        assert sane_ap(figures['overall']['kp_ap']) and sane_ap(figures['overall']['box_ap'])
        assert sane_ne(figures['overall']['ne_avg'])
    assert [row['category'] for row in written['model']['per_category']] == \
        [row['category'] for row in written['baseline']['per_category']]
    # every garment predicted at the canonical pose in the central box: the NE of predicting nothing
    base = written['baseline']['overall']
    assert base['n_matched'] == base['n_garments'] and base['ne_avg'] > 0
    assert math.isclose(base['ne_avg'], written['baseline_nothing_predicted_ne_avg'], rel_tol=1e-9)
    assert written['baseline_gt_box']['overall']['ne_avg'] < base['ne_avg']  # the true box helps
    assert written['result_file_check']['agrees']

    groups = {(row['group'], row['reading']): row for row in written['multi_garment']['model']}
    assert {('2+', 'all'), ('2+', 'top-1')} <= set(groups)
    assert groups['2+', 'all']['images'] == written['data']['validation']['multi_garment_images']
    for row in written['multi_garment']['model'] + written['multi_garment']['baseline']:
        assert row['images'] >= 1 and row['garments'] >= 2 * row['images']
        assert sane_ap(row['recall']) and sane_ap(row['recall any cat'])
        assert sane_ne(row['NE avg']) and sane_ne(row['NE pooled'])
    assert groups['2+', 'top-1']['recall'] <= groups['2+', 'all']['recall'] + 1e-9

    assert written['machine']['cores'] >= 1 and 'processor' in written['machine']
    assert set(written['wall_s']) == {'generate', 'train', 'batchnorm', 'eval', 'metrics', 'total'}
    assert written['batchnorm']['layers'] > 0 and written['batchnorm']['images'] == 12
    assert all(value >= 0 for value in written['wall_s'].values())
    assert written['training']['steps'] == 3 and written['verdict']['ne_ratio'] is not None
