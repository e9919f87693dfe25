"""One benchmark command: the figures of the README's performance table, measured in one run.

    python tools/benchmark.py                     # 8-10 minutes on 2 CPU cores
    python tools/benchmark.py --quick             # 2-3 minutes, rough figures (the tiny model decodes little)
    python tools/benchmark.py --device cuda --output benchmark.json
    python tools/benchmark.py --checkpoint outputs/demo/model.pkl.epoch010   # instead of the tiny model

Steps, each in its own process (so that each has its own peak RSS); progress on the terminal, each step's full
log in ``--workdir``:

1. generate: multi-garment sample images with the generator (images/s);
2. train: a tiny model (the training recipe's network) for ``--train-steps`` steps, at most about
   ``--train-minutes``, on a small generated set of its own (84 training images, so that minutes suffice for
   fields with garments in them): random weights would make the decoder's work, and so its timing, meaningless.
   Then the BatchNorm running statistics are re-estimated on the training images (OpenPifPaf's BatchNorm
   momentum of 0.01 leaves them far from the data after a hundred steps, and the eval-mode network would give
   every image nearly the same, empty fields). Skipped with ``--checkpoint``;
3. network (``tools/benchmark_network.py``): forward and decode, separately and together, of the plugin's
   network and decoder vs OpenPifPaf's own CIF/CAF network and decoder, and with vs without the category head,
   alternating runs on 8 of the model's training images with the weights of step 2; then forward ms/image in
   fp32 and under ``torch.autocast`` (float16 on CUDA, bfloat16 on the CPU);
4. eval (``tools/benchmark_eval_overhead.py``): ``openpifpaf.eval`` on the tiny model's training images (with
   ``--checkpoint``: on the generated test split), images/s and the NE evaluator's share of the eval time;
5. converter (``tools/benchmark_converter.py``): converter rows/s on a synthetic Category & Attribute root of
   ``--rows`` rows (the full set has 289,222).

Ends with one markdown table (date, machine, each figure, peak RSS per step) and, with ``--output``, the same
figures as JSON. Compare ratios, not absolute times, across machines.
"""
import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = os.path.dirname(os.path.abspath(__file__))
for path in (TOOLS, ROOT):
    if path not in sys.path:
        sys.path.insert(0, path)

STEPS = ('generate', 'train', 'network', 'eval', 'converter')

#: --quick and the default run; every entry can be overridden by its command-line option.
PRESETS = {
    'default': {'images': 600, 'train_steps': 150, 'train_minutes': 5.5, 'repeats': 80, 'eval_images': 0,
                'rows': 50000},
    'quick': {'images': 120, 'train_steps': 10, 'train_minutes': 1.0, 'repeats': 24, 'eval_images': 20,
              'rows': 5000},
}
#: The tiny model: the README's training recipe (tools/benchmark_learning.py), short epochs so that the trainer
#: writes a checkpoint every few dozen seconds, no augmentation and a higher learning rate to learn fast.
BATCHES_PER_EPOCH = 10
TINY_IMAGES = 120  # 84 of them in the train split: a few minutes of training fit them well enough to decode
TINY_RECIPE_OVERRIDES = ['--deepfashion-no-augmentation', '--lr=3e-3']
IMAGE_SIZE = 161  # the recipe's --deepfashion-square-edge
LIMITS = {'plugin_vs_openpifpaf': 1.05, 'category_head': 1.03, 'evaluator_share': 0.05}


# ---------------------------------------------------------------------------------------------- child steps

def peak_rss():
    """Peak RSS in MB of this process and of the largest of its waited-for descendants."""
    return {'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            'children_peak_rss_mb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}


def split_images(data, split, count=None):
    """Paths of the images of a split of the generated multi-garment data."""
    with open(os.path.join(data, 'coco_multi_garment', 'deepfashion_{}.json'.format(split)), encoding='utf-8') as f:
        images = json.load(f)['images']
    return [os.path.join(data, image['file_name']) for image in images[:count]]


def step_generate(config, progress):
    from openpifpaf_deepfashion.deepfashion import generator  # pylint: disable=import-outside-toplevel
    workers = os.cpu_count() or 1
    progress('generate: {} multi-garment images with {} workers'.format(config['images'], workers))
    start = time.perf_counter()
    dataset = generator.generate(config['data'], config['images'], seed=0, multi_garment=True, workers=workers)
    seconds = time.perf_counter() - start
    return {'images': len(dataset.images), 'garments': sum(len(r.garments) for r in dataset.images),
            'splits': {s: len(dataset.split(s)) for s in ('train', 'val', 'test')}, 'workers': workers,
            'seconds': seconds, 'images_per_s': len(dataset.images) / seconds}


def latest_epoch(output):
    """The highest epoch number of the checkpoints ``output``.epochNNN written so far (0 if none)."""
    pattern = re.compile(re.escape(os.path.basename(output)) + r'\.epoch(\d{3})$')
    epochs = [int(m.group(1)) for m in map(pattern.match, os.listdir(os.path.dirname(output))) if m]
    return max(epochs, default=0)


def stop(process, wait_s=60):
    """Stop our training process as Ctrl-C would (its atomic checkpoint writes clean up), else terminate it."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(wait_s)
    except subprocess.TimeoutExpired:
        process.terminate()
        process.wait()


def recalibrate_batchnorm(net, images, batch_size=8):
    """Re-estimate every BatchNorm layer's running mean and variance over ``images`` (a cumulative average);
    the weights are unchanged."""
    import torch  # pylint: disable=import-outside-toplevel
    layers = [m for m in net.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    momenta = [m.momentum for m in layers]
    net.eval()
    for layer in layers:
        layer.reset_running_stats()
        layer.momentum = None
        layer.train()
    with torch.no_grad():
        for i in range(0, len(images), batch_size):
            net(torch.cat(images[i:i + batch_size]))
    for layer, momentum in zip(layers, momenta):
        layer.momentum = momentum
    net.eval()
    return len(layers)


def step_train(config, progress):
    import benchmark_learning  # pylint: disable=import-outside-toplevel
    from openpifpaf_deepfashion.deepfashion import generator  # pylint: disable=import-outside-toplevel
    output = os.path.join(config['workdir'], 'tiny', 'model.pkl')
    data = os.path.join(config['workdir'], 'tiny', 'data')
    dataset = generator.generate(data, TINY_IMAGES, seed=1, multi_garment=True, workers=os.cpu_count() or 1)
    command = [sys.executable, '-m', 'openpifpaf.train', '--dataset=deepfashion',
               '--deepfashion-multi-garment=' + data, *benchmark_learning.RECIPE, *TINY_RECIPE_OVERRIDES,
               '--epochs={}'.format(-(-config['train_steps'] // BATCHES_PER_EPOCH)),
               '--train-batches={}'.format(BATCHES_PER_EPOCH), '--val-batches=1',
               '--val-interval=1', '--loader-workers=1', '--log-interval=5', '--output=' + output]
    if config['device'] == 'cpu':
        command.append('--disable-cuda')
    budget = 60.0 * config['train_minutes']
    progress('train: a tiny model, {} steps of batch 8 or {:.1f} min at most, on {} generated images'.format(
        config['train_steps'], budget / 60.0, len(dataset.split('train'))))
    start = time.perf_counter()
    reported = start
    epoch_at_deadline = None
    with open(output + '.stdout', 'w', encoding='utf-8') as log:
        # pylint: disable=consider-using-with
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            while process.poll() is None:
                time.sleep(0.5)
                now = time.perf_counter()
                epoch = latest_epoch(output)
                if now >= start + budget and epoch_at_deadline is None:
                    epoch_at_deadline = epoch
                if epoch_at_deadline is not None and epoch > epoch_at_deadline:
                    stop(process)  # the first epoch that ends after the time limit
                    break
                if now >= start + budget + max(120.0, budget / 2):  # a slow machine: take what there is
                    if epoch < 1:
                        raise RuntimeError('no epoch finished in {:.0f} s; see {}'.format(
                            now - start, output + '.stdout'))
                    stop(process)
                    break
                if now - reported >= 20:
                    progress('train: {:.0f} s, {} of {} steps done'.format(
                        now - start, epoch * BATCHES_PER_EPOCH, config['train_steps']))
                    reported = now
        finally:
            if process.poll() is None:
                stop(process)
    seconds = time.perf_counter() - start
    epoch = latest_epoch(output)
    if epoch < 1:
        raise RuntimeError('openpifpaf.train ended (exit code {}) before its first epoch; see {}'.format(
            process.returncode, output + '.stdout'))
    trained = '{}.epoch{:03d}'.format(output, epoch)

    import torch  # pylint: disable=import-outside-toplevel
    import benchmark_network  # pylint: disable=import-outside-toplevel
    progress('train: {} steps in {:.0f} s{}; re-estimating BatchNorm statistics'.format(
        epoch * BATCHES_PER_EPOCH, seconds,
        ' (time limit)' if epoch * BATCHES_PER_EPOCH < config['train_steps'] else ''))
    checkpoint = torch.load(trained, map_location='cpu', weights_only=False)
    paths = split_images(data, 'train')
    layers = recalibrate_batchnorm(checkpoint['model'], benchmark_network.input_images(
        paths, IMAGE_SIZE, torch.device('cpu')))
    final = os.path.join(config['workdir'], 'tiny', 'tiny.pkl')
    torch.save(checkpoint, final)
    return {'checkpoint': final, 'data': data, 'epochs': epoch, 'steps': epoch * BATCHES_PER_EPOCH, 'batch_size': 8,
            'target_steps': config['train_steps'],
            'time_limited': epoch * BATCHES_PER_EPOCH < config['train_steps'],
            'seconds': seconds, 'batchnorm_layers': layers, 'batchnorm_images': len(paths),
            'command': ' '.join(command[1:])}


def step_network(config, progress):
    import torch  # pylint: disable=import-outside-toplevel
    import openpifpaf  # pylint: disable=import-outside-toplevel
    import benchmark_learning  # pylint: disable=import-outside-toplevel
    import benchmark_network  # pylint: disable=import-outside-toplevel
    openpifpaf.plugin.register()
    device = torch.device(config['device'])
    trained, basenet, upsample, category_upsample = benchmark_network.load_checkpoint(config['checkpoint'])
    nets = benchmark_network.build_networks(basenet, upsample, device, category_upsample, trained)
    decoder_args = [a for a in benchmark_learning.EVAL if not a.startswith('--deepfashion-')]
    benchmark_network.configure_decoder(decoder_args)
    decoders = benchmark_network.build_decoders(nets)
    images = benchmark_network.input_images(split_images(config['model_data'], 'train', 8), IMAGE_SIZE, device)

    def report(done, total):
        if done % max(1, total // 4) == 0 or done == total:
            progress('network: alternating forward + decode, round {} of {}'.format(done, total))

    medians = benchmark_network.compare(nets, decoders, images, config['repeats'], progress=report)
    net = nets['plugin + category']
    batch_sizes = [1, 8] if device.type == 'cuda' else [1]
    amp_repeats, amp_warmup = benchmark_network.amp_runs(device, config['repeats'])
    absolute = {}
    for batch_size in batch_sizes:
        progress('network: forward ms/image, batch {}, fp32 and AMP'.format(batch_size))
        absolute['batch {}'.format(batch_size)] = {
            'fp32': benchmark_network.forward_ms_per_image(net, device, IMAGE_SIZE, batch_size,
                                                           repeats=config['repeats']),
            'amp': benchmark_network.forward_ms_per_image(net, device, IMAGE_SIZE, batch_size, amp=True,
                                                          repeats=amp_repeats, warmup=amp_warmup),
        }
    return {'basenet': basenet, 'size': IMAGE_SIZE, 'upsample': upsample, 'category_upsample': category_upsample,
            'device': str(device),
            'device_name': torch.cuda.get_device_name(device) if device.type == 'cuda' else None,
            'amp_dtype': str(benchmark_network.autocast_dtype(device)).replace('torch.', ''),
            'decoder_args': decoder_args, 'images': len(images), 'repeats': config['repeats'],
            'medians_ms': {name: {k: (1000 * v if k != 'annotations_per_image' else v) for k, v in m.items()}
                           for name, m in medians.items()},
            'ratios': benchmark_network.ratios(medians), 'forward_ms_per_image': absolute,
            'torch': torch.__version__, 'openpifpaf': openpifpaf.__version__}


def step_eval(config, progress):
    import benchmark_eval_overhead  # pylint: disable=import-outside-toplevel
    import benchmark_learning  # pylint: disable=import-outside-toplevel
    if config['model_data'] != config['data']:
        # the tiny model's own training images: on unseen images a few minutes' model gives noisy fields
        # that no trained model would, and the decoder's time with them
        split, annotations = 'train', os.path.join(config['model_data'], 'coco_multi_garment',
                                                   'deepfashion_train.json')
    else:
        split, annotations = 'test', os.path.join(config['data'], 'coco_multi_garment', 'deepfashion_test.json')
    data = os.path.dirname(os.path.dirname(annotations))
    n_images = len(split_images(data, split, config['eval_images'] or None))
    progress('eval: openpifpaf.eval on {} images of the {} split of {}'.format(n_images, split, data))
    eval_args = ['--deepfashion-eval-annotations=' + annotations, '--deepfashion-eval-image-dir=' + data,
                 *benchmark_learning.EVAL]
    if config['eval_images']:
        eval_args.append('--deepfashion-eval-n-images={}'.format(config['eval_images']))
    if config['device'] == 'cpu':
        eval_args.append('--disable-cuda')
    output = os.path.join(config['workdir'], 'eval')
    spent = benchmark_eval_overhead.measure(config['checkpoint'], output, eval_args)
    with open(output + '.stats.json', encoding='utf-8') as f:
        stats = json.load(f)
    values = dict(zip(stats['text_labels'], stats['stats']))
    evaluated = int(values['n images'])
    return {**spent, 'images': evaluated, 'split': split, 'images_per_s': evaluated / spent['wall'],
            'predictions': values.get('n predictions'), 'ne_avg': values.get('NE avg'),
            'det_rate': values.get('det rate')}


def step_converter(config, progress):
    import benchmark_converter  # pylint: disable=import-outside-toplevel
    progress('converter: synthetic root of {} rows, three runs'.format(config['rows']))
    result = benchmark_converter.run(config['rows'], workers=2, tmp_dir=config['workdir'],
                                     report=lambda line: progress('converter: ' + ' '.join(line.split())))
    for run in result['runs']:
        run['rows_per_s'] = result['rows'] / run['wall_s']
    return result


STEP_FUNCTIONS = {'generate': step_generate, 'train': step_train, 'network': step_network, 'eval': step_eval,
                  'converter': step_converter}


def run_step(name, config_path, progress_fd):
    """In the child process: run one step, write its figures and this process's peak RSS as json."""
    with open(config_path, encoding='utf-8') as f:
        config = json.load(f)
    terminal = os.fdopen(progress_fd, 'w', buffering=1) if progress_fd is not None else sys.stderr

    def progress(line):
        terminal.write('    {}\n'.format(line))

    figures = STEP_FUNCTIONS[name](config, progress)
    figures.update(peak_rss())
    with open(os.path.join(config['workdir'], name + '.result.json'), 'w', encoding='utf-8') as f:
        json.dump(figures, f, indent=1)


# --------------------------------------------------------------------------------------------------- parent

def machine(device):
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as f:
            names = [line.split(':', 1)[1].strip() for line in f if line.startswith('model name')]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    return {'cpu': cpu, 'cores': cores, 'python': platform.python_version(), 'device': device}


def spawn_step(name, config_path, workdir):
    """Run a step in a child process (its output in workdir/<name>.log); returns its figures and wall time."""
    log_path = os.path.join(workdir, name + '.log')
    try:  # the child's progress lines go to our stderr, everything else to the log
        progress_fd = os.dup(sys.stderr.fileno())
    except (AttributeError, OSError, ValueError):  # no file descriptor (e.g. captured): progress in the log
        progress_fd = None
    command = [sys.executable, os.path.abspath(__file__), '--step', name, '--config', config_path]
    if progress_fd is not None:
        command += ['--progress-fd', str(progress_fd)]
    start = time.perf_counter()
    try:
        with open(log_path, 'w', encoding='utf-8') as log:
            done = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, check=False,
                                  pass_fds=(progress_fd,) if progress_fd is not None else ())
    finally:
        if progress_fd is not None:
            os.close(progress_fd)
    if done.returncode != 0:
        with open(log_path, encoding='utf-8', errors='replace') as f:
            tail = f.read()[-3000:]
        raise SystemExit('step {} failed (exit code {}); end of {}:\n{}'.format(
            name, done.returncode, log_path, tail))
    with open(os.path.join(workdir, name + '.result.json'), encoding='utf-8') as f:
        figures = json.load(f)
    figures['step_wall_s'] = time.perf_counter() - start
    return figures


def fmt(value, digits=2):
    return '–' if value is None else '{:.{}f}'.format(value, digits)


def ratio_cell(ratios, key, limit=None):
    parts = ratios[key]
    text = '{:.3f} / {:.3f} / **{:.3f}**'.format(parts['forward'], parts['decode'], parts['total'])
    if limit is not None:
        text += ' ({} ≤ {})'.format('ok' if parts['total'] <= limit else 'over', limit)
    return text


def table_rows(result):
    """(figure, value, how) rows of the table."""
    m = result['machine']
    steps = result['steps']
    rows = [
        ('date', result['date'], ''),
        ('machine', '{}, {} cores, torch {}, OpenPifPaf {}, device {}{}'.format(
            m['cpu'], m['cores'], m.get('torch', '?'), m.get('openpifpaf', '?'), m['device'],
            ' ({})'.format(m['device_name']) if m.get('device_name') else ''), ''),
        ('command', '`{}`'.format(result['command']), 'whole run {:.1f} min'.format(result['wall_s'] / 60.0)),
    ]
    network = steps.get('network')
    if network:
        model = result['model']
        rows.append(('model (weights for network and eval)', model['description'], ''))
        ratios = network['ratios']
        how = ('{} {}×{}, {} alternating runs over {} of the model\'s training images (per image the median, '
               'then the mean), decoder {}').format(
                   network['basenet'], network['size'], network['size'], network['repeats'], network['images'],
                   ' '.join(network['decoder_args']))
        rows.append(('plugin / OpenPifPaf CIF/CAF: forward / decode / **both**',
                     ratio_cell(ratios, 'plugin_vs_openpifpaf', LIMITS['plugin_vs_openpifpaf']), how))
        rows.append(('category head, with / without: forward / decode / **both**',
                     ratio_cell(ratios, 'category_head', LIMITS['category_head']), 'same runs'))
        medians = network['medians_ms']
        rows.append(('forward / decode ms, plugin + category · plugin · OpenPifPaf', ' · '.join(
            '{:.1f} / {:.2f}'.format(medians[name]['forward'], medians[name]['decode'])
            for name in ('plugin + category', 'plugin', 'openpifpaf')), 'same runs, batch 1, {}'.format(
                network['device'])))
        found = [medians[name]['annotations_per_image'] for name in ('plugin + category', 'plugin', 'openpifpaf')]
        rows.append(('garments decoded per image, same order', ' · '.join('{:.1f}'.format(n) for n in found),
                     'the plugin keeps garments by their type-normalized score, so more pass the same threshold'
                     if any(found) else '**none decoded: the decode figures time an empty decoder** (train '
                     'longer or give --checkpoint)'))
        for batch, figures in network['forward_ms_per_image'].items():
            rows.append(('forward ms/image, {}, fp32 / AMP'.format(batch),
                         '{} / {}'.format(fmt(figures['fp32']), fmt(figures['amp'])),
                         'plugin + category, {}, AMP = torch.autocast {}{}'.format(
                             network['device'], network['amp_dtype'],
                             '' if network['device'] != 'cpu' else ' (on a CPU without bfloat16 units: emulated, '
                             'slow and erratic; run for the code path)')))
    generate = steps.get('generate')
    if generate:
        rows.append(('generator images/s', fmt(generate['images_per_s'], 1), '{} multi-garment images, {} workers'
                     .format(generate['images'], generate['workers'])))
    converter = steps.get('converter')
    if converter:
        runs = converter['runs']
        rows.append(('converter rows/s: no size cache / cold cache / warm cache',
                     ' / '.join('{:.0f}'.format(run['rows_per_s']) for run in runs),
                     '{} rows{}, {} size workers'.format(
                         converter['rows'], ' with list_attr_img.txt' if converter['attributes'] else '',
                         converter['workers'])))
    evaluation = steps.get('eval')
    if evaluation:
        rows.append(('eval images/s', fmt(evaluation['images_per_s'], 1),
                     '{} images of the model\'s {} split, {} predictions, openpifpaf.eval wall time {:.1f} s '
                     '(start-up included)'.format(evaluation['images'], evaluation.get('split', 'test'),
                                                  fmt(evaluation.get('predictions'), 0), evaluation['wall'])))
        share = evaluation['share']
        rows.append(('NE evaluator share of eval time', '{:.2%} ({} ≤ {:.0%})'.format(
            share, 'ok' if share <= LIMITS['evaluator_share'] else 'over', LIMITS['evaluator_share']),
            'accumulate {:.3f} s + stats {:.3f} s'.format(evaluation['accumulate'], evaluation['stats'])))
    memory = []
    for name in STEPS:
        figures = steps.get(name)
        if not figures:
            continue
        if name == 'converter':
            main_peak = max(run['peak_rss_mb'] for run in figures['runs'])
            workers = max(run['worker_peak_rss_mb'] for run in figures['runs'])
            memory.append('converter {:.0f} (size workers {:.0f})'.format(main_peak, workers))
        elif name == 'train':
            memory.append('train {:.0f} (BatchNorm pass {:.0f})'.format(
                figures['children_peak_rss_mb'], figures['peak_rss_mb']))
        elif name == 'generate':
            memory.append('generate {:.0f} (workers {:.0f})'.format(
                figures['peak_rss_mb'], figures['children_peak_rss_mb']))
        else:
            memory.append('{} {:.0f}'.format(name, figures['peak_rss_mb']))
    rows.append(('peak RSS MB per step', ', '.join(memory), 'each step in its own process'))
    times = ', '.join('{} {:.0f} s'.format(name, steps[name]['step_wall_s']) for name in STEPS if name in steps)
    rows.append(('wall time per step', times, ''))
    return rows


def format_table(result):
    """The result as one markdown table."""
    lines = ['| figure | value | measured |', '|---|---|---|']
    for figure, value, how in table_rows(result):
        lines.append('| {} | {} | {} |'.format(figure, value, how).replace(' |  |', ' | |'))
    return '\n'.join(lines)


def write_json(path, result):
    from openpifpaf_deepfashion.atomic import atomic_open  # pylint: disable=import-outside-toplevel
    with atomic_open(path) as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write('\n')


def settings(args):
    preset = dict(PRESETS['quick' if args.quick else 'default'])
    for key in preset:
        if getattr(args, key) is not None:
            preset[key] = getattr(args, key)
    return preset


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--quick', action='store_true', help='about 2 minutes: {}'.format(', '.join(
        '{} {}'.format(k, v) for k, v in PRESETS['quick'].items())))
    parser.add_argument('--device', default=None, help='cpu or cuda (default: cuda when available)')
    parser.add_argument('--checkpoint', default=None,
                        help='a trained deepfashion checkpoint with a category head instead of the tiny model '
                             '(its network is benchmarked at {} px)'.format(IMAGE_SIZE))
    parser.add_argument('--output', default=None, help='write the figures as JSON here')
    parser.add_argument('--workdir', default=None, help='keep data, checkpoints and logs here (default: a '
                                                        'temporary folder, removed at the end)')
    parser.add_argument('--steps', nargs='+', choices=STEPS, default=list(STEPS),
                        help='run only these (generate always runs when network, train or eval do)')
    parser.add_argument('--images', type=int, default=None,
                        help='generated images (default {images}; --quick {quick})'.format(
                            quick=PRESETS['quick']['images'], **PRESETS['default']))
    parser.add_argument('--train-steps', type=int, default=None, help='tiny model training steps (default '
                        '{train_steps}; --quick {quick})'.format(quick=PRESETS['quick']['train_steps'],
                                                                 **PRESETS['default']))
    parser.add_argument('--train-minutes', type=float, default=None, help='at most this training time (default '
                        '{train_minutes}; --quick {quick}): training stops at the first epoch end after it'.format(
                            quick=PRESETS['quick']['train_minutes'], **PRESETS['default']))
    parser.add_argument('--repeats', type=int, default=None, help='alternating network runs (default {repeats}; '
                        '--quick {quick})'.format(quick=PRESETS['quick']['repeats'], **PRESETS['default']))
    parser.add_argument('--eval-images', type=int, default=None, help='images to evaluate, 0: all (default '
                        '{eval_images}; --quick {quick})'.format(quick=PRESETS['quick']['eval_images'],
                                                                 **PRESETS['default']))
    parser.add_argument('--rows', type=int, default=None, help='converter rows (default {rows}; --quick '
                        '{quick})'.format(quick=PRESETS['quick']['rows'], **PRESETS['default']))
    parser.add_argument('--step', choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument('--config', help=argparse.SUPPRESS)
    parser.add_argument('--progress-fd', type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        run_step(args.step, args.config, args.progress_fd)
        return None

    start = time.perf_counter()
    if args.device is None:
        import torch  # pylint: disable=import-outside-toplevel
        args.device = 'cuda' if torch.cuda.is_available() else 'cpu'
    steps = [name for name in STEPS if name in args.steps]
    if args.checkpoint:
        steps = [name for name in steps if name != 'train']
    if any(name in steps for name in ('train', 'network', 'eval')) and 'generate' not in steps:
        steps.insert(0, 'generate')
    if not args.checkpoint and any(name in steps for name in ('network', 'eval')) and 'train' not in steps:
        steps.insert(1, 'train')

    temporary = args.workdir is None
    workdir = os.path.abspath(args.workdir or tempfile.mkdtemp(prefix='deepfashion-benchmark-'))
    os.makedirs(workdir, exist_ok=True)
    config = {'workdir': workdir, 'data': os.path.join(workdir, 'data'), 'device': args.device,
              'model_data': os.path.join(workdir, 'data'),
              'checkpoint': os.path.abspath(args.checkpoint) if args.checkpoint else None, **settings(args)}
    command = 'python tools/benchmark.py' + ''.join(' ' + a for a in (sys.argv[1:] if argv is None else argv))
    result = {'date': datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z'), 'command': command,
              'machine': machine(args.device), 'settings': config, 'steps': {}}
    print('benchmark: steps {}; work folder {}{}'.format(
        ', '.join(steps), workdir, ' (removed at the end)' if temporary else ''), file=sys.stderr, flush=True)
    try:
        for i, name in enumerate(steps):
            config_path = os.path.join(workdir, 'config.json')
            with open(config_path, 'w', encoding='utf-8') as f:
                json.dump(config, f)
            print('[{}/{}] {} (log: {})'.format(i + 1, len(steps), name, os.path.join(workdir, name + '.log')),
                  file=sys.stderr, flush=True)
            figures = spawn_step(name, config_path, workdir)
            result['steps'][name] = figures
            print('    {} done in {:.0f} s ({:.1f} min so far)'.format(
                name, figures['step_wall_s'], (time.perf_counter() - start) / 60.0), file=sys.stderr, flush=True)
            if name == 'train':
                config['checkpoint'] = figures['checkpoint']
                config['model_data'] = figures['data']
        result['model'] = model_description(config, result['steps'].get('train'))
        if 'network' in result['steps']:
            network = result['steps']['network']
            result['machine'].update({k: network[k] for k in ('torch', 'openpifpaf', 'device_name')})
        else:
            result['machine'].update(versions())
        result['wall_s'] = time.perf_counter() - start
        if not temporary:
            result['workdir'] = workdir
        print('\n' + format_table(result), flush=True)
        if args.output:
            write_json(args.output, result)
            print('figures written to {}'.format(args.output), file=sys.stderr)
    finally:
        if temporary:
            shutil.rmtree(workdir, ignore_errors=True)
    return result


def versions():
    from importlib import metadata  # pylint: disable=import-outside-toplevel
    found = {}
    for key, distribution in (('torch', 'torch'), ('openpifpaf', 'openpifpaf-vita')):
        try:
            found[key] = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            found[key] = None
    return found


def model_description(config, train):
    if train is not None:
        limited = ' (time limit; {} wanted)'.format(train['target_steps']) if train['time_limited'] else ''
        description = (
            'tiny model trained here: {} steps of batch {}{} in {:.1f} min on {} generated images, '
            'shufflenetv2k16, the recipe at {} px without augmentation, lr 3e-3; BatchNorm statistics '
            're-estimated').format(train['steps'], train['batch_size'], limited, train['seconds'] / 60.0,
                                   train['batchnorm_images'], IMAGE_SIZE)
        return {'source': 'tiny', 'description': description,
                **{k: train[k] for k in ('epochs', 'steps', 'seconds', 'command')}}
    if config['checkpoint']:
        return {'source': 'checkpoint', 'checkpoint': config['checkpoint'],
                'description': 'checkpoint {}'.format(config['checkpoint'])}
    return {'source': None, 'description': 'none (no network or eval step)'}


if __name__ == '__main__':
    main()
