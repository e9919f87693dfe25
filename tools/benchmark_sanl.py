"""Cost of the non-local / SANL blocks as ratios to the same OpenPifPaf backbone without blocks.

For each backbone: ``plain`` (OpenPifPaf's own), ``-nl``, ``-sanl`` (per-stride Grad-CAM of the AttentionNet,
its ResNet-18 included in every number), ``-sanl32`` (``--sanl-all-from-last-stride``: closed-form CAM), and
the same two with the attention from the network's own category head (``--sanl-attention=category-head``):
``-own`` (per-stride Grad-CAM: a first pass through the trunk and a backward pass to its lowest block) and
``-own32`` (closed-form CAM: a first pass only); ``-sanl-half`` and ``-own-half`` are the per-stride ones with
``--sanl-attention-scale=0.5`` (the attention source sees the image at half size).  The ``-own`` variants run
with a 50-category head at the trunk's stride, as in a deepfashion network; their parameter count is the base
network's (the head is there in every variant of a deepfashion network and is not counted), their time and
FLOPs include its first-pass use.
Batch 1, eval mode, inference (``torch.inference_mode``, as ``openpifpaf.predict`` runs it), square images:

* parameters (of the base network, the AttentionNet included; its weights are frozen),
* FLOPs per forward (torch.utils.flop_counter: convolutions, matrix products and the Grad-CAM backward pass),
* CPU forward time: median of ``--repeats`` runs, the variants alternating run by run,
* peak memory of the forward pass: the rise of the peak resident memory (VmHWM, reset before each pass through
  /proc/self/clear_refs; Linux) above the resident memory before it, in a fresh subprocess per variant whose
  malloc maps every block of 64 KiB or more on its own (so the rise is the peak of the tensors alive at once).

The blocks are built with ``--param-budget`` (``--sanl-param-budget``, default 0.10; 0 for the paper's C / 2).

    python tools/benchmark_sanl.py --backbones resnet18 resnet50 --sizes 225 385 513
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import torch
import torch.utils.flop_counter

import openpifpaf
from openpifpaf_deepfashion.deepfashion import constants
from openpifpaf_deepfashion.network import attention_net, category_head, sanl_basenets

VARIANTS = ('plain', 'nl', 'sanl', 'sanl32', 'sanl-half', 'own', 'own32', 'own-half')


class WithCategoryHead(torch.nn.Module):
    """A ``-sanl`` base network whose maps come from a category head (as the network's shell passes it)."""

    def __init__(self, base):
        super().__init__()
        self.base = base
        meta = category_head.Category('category', 'deepfashion', categories=list(constants.CATEGORY_NAMES))
        meta.base_stride, meta.upsample_stride = base.stride, 1
        # linear in the trunk, as --sanl-attention=category-head builds it
        self.head = category_head.CategoryField(meta, base.out_features, hidden_features=0).eval()

    def forward(self, x):  # pylint: disable=arguments-differ
        return self.base(x, category_head=self.head)


BLOCK_OPTIONS = ('param_budget', 'reduction', 'subsample')


def build(backbone, variant, attention_checkpoint, blocks=None):
    """The base network of ``variant``; ``blocks``: {param_budget, reduction, subsample} (None: the defaults)."""
    openpifpaf.network.basenetworks.Resnet.pretrained = False
    blocks = blocks or {}
    sanl_basenets.SanlBase.param_budget = blocks.get('param_budget', sanl_basenets.SanlBase.param_budget)
    sanl_basenets.SanlBase.reduction = blocks.get('reduction')
    sanl_basenets.SanlBase.subsample = blocks.get('subsample')
    sanl_basenets.SanlBase.attention_source = 'category-head' if variant.startswith('own') else 'attention-net'
    sanl_basenets.SanlBase.attention_checkpoint = attention_checkpoint if variant.startswith('sanl') else None
    sanl_basenets.SanlBase.all_from_last_stride = variant.endswith('32')
    sanl_basenets.SanlBase.attention_scale = 0.5 if variant.endswith('-half') else 1.0
    name = backbone if variant == 'plain' else '{}-{}'.format(backbone, 'nl' if variant == 'nl' else 'sanl')
    torch.manual_seed(0)
    net = openpifpaf.BASE_FACTORIES[name]().eval()
    return WithCategoryHead(net).eval() if variant.startswith('own') else net


def base_parameters(net):
    """Parameters of the base network (with its AttentionNet if any, without a category head)."""
    return sum(p.numel() for p in getattr(net, 'base', net).parameters())


def flops(net, size):
    counter = torch.utils.flop_counter.FlopCounterMode(display=False)
    with counter, torch.inference_mode():
        net(torch.randn(1, 3, size, size))
    return counter.get_total_flops()


def _status_kib(field):
    with open('/proc/self/status', encoding='ascii') as f:
        for line in f:
            if line.startswith(field + ':'):
                return int(line.split()[1])
    raise KeyError(field)


def memory_child(backbone, variant, sizes, attention_checkpoint, blocks):
    """In a fresh process: the rise of the peak RSS during one forward pass (MiB) per size.

    Linux: the peak (VmHWM) is reset before each pass by writing 5 to /proc/self/clear_refs."""
    torch.set_num_threads(1)
    net = build(backbone, variant, attention_checkpoint, blocks)
    with torch.inference_mode():
        net(torch.randn(1, 3, 33, 33))
    result = {}
    for size in sorted(sizes):
        image = torch.randn(1, 3, size, size)
        with open('/proc/self/clear_refs', 'w', encoding='ascii') as f:
            f.write('5')
        before = _status_kib('VmRSS')
        with torch.inference_mode():
            net(image)
        result[size] = (_status_kib('VmHWM') - before) / 1024.0
    print(json.dumps(result))


def peak_memory(backbone, variant, sizes, attention_checkpoint, blocks):
    # a fixed mmap threshold: glibc's adaptive one (raised after each free of a large block, up to 32 MiB) keeps
    # freed tensors in the heap, so that the resident memory before a pass included earlier passes' tensors and the
    # measured rise varied between 0.6x and 2.3x of the plain backbone's from run to run; with every block of
    # 64 KiB or more mapped and unmapped on its own, the rise is the peak of the tensors alive during the pass
    env = dict(os.environ, MALLOC_MMAP_THRESHOLD_='65536')
    output = subprocess.run(
        [sys.executable, __file__, '--memory-child', backbone, variant, '--sizes'] + [str(s) for s in sizes]
        + ['--attention-checkpoint', attention_checkpoint]
        + [a for k, v in blocks.items() if v is not None for a in ('--' + k.replace('_', '-'), str(v))],
        capture_output=True, text=True, check=True, timeout=600, env=env)
    values = json.loads(output.stdout.strip().splitlines()[-1])
    return {int(k) if k.isdigit() else k: v for k, v in values.items()}


def forward_times(nets, size, repeats):
    """Median seconds per forward of each net; the nets alternate run by run."""
    image = torch.randn(1, 3, size, size)
    times = {name: [] for name in nets}
    with torch.inference_mode():
        for net in nets.values():
            net(image)  # warm-up
        for _ in range(repeats):
            for name, net in nets.items():
                start = time.perf_counter()
                net(image)
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--backbones', nargs='+', default=['resnet18', 'resnet50'],
                        choices=sorted(sanl_basenets.BACKBONES))
    parser.add_argument('--sizes', nargs='+', type=int, default=[225, 385, 513])
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--reduction', type=int, default=None,
                        help='--sanl-reduction of the blocks (inner channels C / this, before the budget\'s cap; '
                             'default: the backbone\'s)')
    parser.add_argument('--subsample', type=int, default=None,
                        help='--sanl-subsample of the blocks (keys from cells of this size; default: the backbone\'s)')
    parser.add_argument('--variants', nargs='+', default=list(VARIANTS), choices=VARIANTS,
                        help='the variants to measure (plain, the reference, is always measured)')
    parser.add_argument('--param-budget', type=float, default=sanl_basenets.SanlBase.param_budget,
                        help='--sanl-param-budget of the blocks (0: the paper\'s C / 2 inner channels everywhere)')
    parser.add_argument('--memory-child', nargs=2, default=None, help=argparse.SUPPRESS)
    parser.add_argument('--attention-checkpoint', default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()

    blocks = {k: getattr(args, k) for k in BLOCK_OPTIONS}
    if args.memory_child:
        memory_child(*args.memory_child, args.sizes, args.attention_checkpoint, blocks)
        return

    variants = ['plain'] + [v for v in args.variants if v != 'plain']
    torch.set_num_threads(args.threads)
    print('machine: {}, {} CPU cores visible, torch {} with {} threads; --sanl-param-budget {} --sanl-reduction {} '
          '--sanl-subsample {} (none: the backbone\'s)'.format(
              platform.processor() or platform.machine(), os.cpu_count(), torch.__version__, torch.get_num_threads(),
              args.param_budget, args.reduction, args.subsample))
    with tempfile.TemporaryDirectory() as tmp:
        attention_checkpoint = os.path.join(tmp, 'attention.pt')
        attention_net.save_checkpoint(attention_net.AttentionNet(), attention_checkpoint, epoch=0)
        for backbone in args.backbones:
            start = time.time()
            nets = {variant: build(backbone, variant, attention_checkpoint, blocks) for variant in variants}
            params = {v: base_parameters(net) for v, net in nets.items()}
            rows = {v: {'params': params[v] / params['plain']} for v in variants}
            for size in args.sizes:
                counted = {v: flops(net, size) for v, net in nets.items()}
                seconds = forward_times(nets, size, args.repeats)
                for v in variants:
                    rows[v]['flops', size] = counted[v] / counted['plain']
                    rows[v]['time', size] = seconds[v] / seconds['plain']
                    rows[v]['seconds', size] = seconds[v]
                    rows[v]['gflops', size] = counted[v] / 1e9
            for v in variants:
                memory = peak_memory(backbone, v, args.sizes, attention_checkpoint, blocks)
                for size in args.sizes:
                    rows[v]['mib', size] = memory[size]
            for v in variants:
                for size in args.sizes:
                    rows[v]['memory', size] = rows[v]['mib', size] / max(rows['plain']['mib', size], 1e-9)

            blocks_of = next((getattr(net, 'base', net).nl_blocks for net in nets.values()
                              if hasattr(getattr(net, 'base', net), 'nl_blocks')), {})
            print('\n{} (plain: {:.2f} M parameters; blocks: inner channels {}, keys subsampled {}; {:.0f} s for '
                  'this table)'.format(backbone, params['plain'] / 1e6,
                                       [b.inner_channels for b in blocks_of.values()],
                                       sorted({b.subsample for b in blocks_of.values()}), time.time() - start))
            header = '| variant | params |' + ''.join(' FLOPs {0} | time {0} | mem {0} |'.format(s)
                                                      for s in args.sizes)
            print(header)
            print('|' + '---|' * (2 + 3 * len(args.sizes)))
            for v in variants:
                cells = ['{}{}'.format(backbone, '' if v == 'plain' else '-' + v),
                         '{:.3f}x'.format(rows[v]['params'])]
                for size in args.sizes:
                    cells.append('{:.3f}x ({:.1f} G)'.format(rows[v]['flops', size], rows[v]['gflops', size]))
                    cells.append('{:.3f}x ({:.3f} s)'.format(rows[v]['time', size], rows[v]['seconds', size]))
                    cells.append('{:.2f}x ({:.0f} MiB)'.format(rows[v]['memory', size], rows[v]['mib', size]))
                print('| ' + ' | '.join(cells) + ' |')
            sys.stdout.flush()


if __name__ == '__main__':
    main()
