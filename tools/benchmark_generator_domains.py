"""Are the generator's 50 categories learnable from pixels, and how far apart are its two drawing styles?

Draws one plan in both styles (same garments, drawn differently; JPEG-encoded as the generator writes them),
crops every annotated garment, trains a small CNN category classifier on the default style's train and val
splits and reports top-1 accuracy on the test split in both styles, the near-confusion pairs' mix-ups (share of
a pair's garments taken for the other one) and drawing time per image.  --train-both also trains on both
styles.  On 2 busy CPU cores the defaults take about 3 minutes.

    python tools/benchmark_generator_domains.py --n-images 3500 --epochs 14 --output domains.json
"""
import argparse
import io
import json
import time

import numpy as np
import torch
from PIL import Image

from openpifpaf_deepfashion.deepfashion import constants, generator

EDGE = 48


def crops(plans, style, seed):
    """(split, 3 x EDGE x EDGE uint8 crop around the annotated garment's box, category index 0-49) per plan,
    and the drawing time per image in ms."""
    opts = generator.Options(style=style, min_size=160, max_size=240)
    rows, start = [], time.perf_counter()
    for plan in plans:
        drawn = generator.compose(plan, 'category', seed, opts)
        encoded = io.BytesIO()
        drawn.image.save(encoded, format='JPEG', quality=opts.jpeg_quality)
        garment = drawn.garments[drawn.annotated]
        x1, y1, x2, y2 = garment.bbox
        side = max(x2 - x1, y2 - y1) * 1.1
        cx, cy = (x1 + x2) / 2.0, (y1 + y2) / 2.0
        with Image.open(encoded) as image:
            crop = image.convert('RGB').crop((int(cx - side / 2), int(cy - side / 2), int(cx + side / 2),
                                              int(cy + side / 2))).resize((EDGE, EDGE), Image.BILINEAR)
        rows.append((plan.split, np.asarray(crop).transpose(2, 0, 1), garment.category_id - 1))
    return rows, 1000.0 * (time.perf_counter() - start) / max(len(plans), 1)


def tensors(rows, splits):
    chosen = [(x, y) for split, x, y in rows if split in splits]
    return (torch.from_numpy(np.stack([x for x, _ in chosen])).float() / 255.0 - 0.5,
            torch.tensor([y for _, y in chosen]))


def network():
    layers, width = [], 3
    for out in (24, 48, 72, 96):
        layers += [torch.nn.Conv2d(width, out, 3, padding=1), torch.nn.BatchNorm2d(out), torch.nn.ReLU(),
                   torch.nn.MaxPool2d(2)]
        width = out
    return torch.nn.Sequential(*layers, torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Dropout(0.2),
                               torch.nn.Linear(width, len(constants.CATEGORIES)))


def train(x, y, epochs, seed):
    torch.manual_seed(seed)
    model = network()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-4)
    steps = epochs * ((len(x) + 63) // 64)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=3e-3, total_steps=steps)
    generator_ = torch.Generator().manual_seed(seed)
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(x), generator=generator_)
        for start in range(0, len(x), 64):
            batch = order[start:start + 64]
            images = x[batch]
            flip = torch.rand(len(batch), generator=generator_) < 0.5
            images = torch.where(flip[:, None, None, None], images.flip(3), images)
            loss = torch.nn.functional.cross_entropy(model(images), y[batch], label_smoothing=0.05)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
    return model


def predictions(model, x):
    model.eval()
    with torch.no_grad():
        return torch.cat([model(x[i:i + 256]).argmax(1) for i in range(0, len(x), 256)])


def report(predicted, truth):
    predicted, truth = predicted.numpy(), truth.numpy()
    types = np.array([constants.CATEGORIES[t][1] for t in truth])
    result = {'top1': float(np.mean(predicted == truth)), 'n': int(len(truth))}
    for clothes_type, name in constants.CLOTHES_TYPES.items():
        result['top1 ' + name] = float(np.mean(predicted[types == clothes_type] == truth[types == clothes_type]))
    ids = {n: i for i, n in enumerate(constants.CATEGORY_NAMES)}
    mixups = {}
    for a, b, _ in generator.NEAR_CONFUSIONS:
        ia, ib = ids[a], ids[b]
        members = (truth == ia) | (truth == ib)
        if members.any():
            swapped = ((truth == ia) & (predicted == ib)) | ((truth == ib) & (predicted == ia))
            mixups['{}/{}'.format(a, b)] = round(float(swapped[members].mean()), 3)
    result['near-confusion mix-up (mean)'] = float(np.mean(list(mixups.values())))
    result['near-confusion mix-ups'] = mixups
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--n-images', type=int, default=3500)
    parser.add_argument('--epochs', type=int, default=14)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--train-both', action='store_true', help='also train on both styles (twice the time)')
    parser.add_argument('--threads', type=int, default=1, help='torch threads (1 is fastest on a busy 2-core machine)')
    parser.add_argument('--output', help='write the results as json here')
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    results = {'n_images': args.n_images, 'epochs': args.epochs, 'chance': 1.0 / len(constants.CATEGORIES)}
    plans = generator.plan_images(args.n_images, 'category', args.seed, False, generator.Options())
    needed = {'default': plans, 'second': plans if args.train_both else [p for p in plans if p.split == 'test']}
    rows = {}
    for style, style_plans in needed.items():
        rows[style], results['ms per image ' + style] = crops(style_plans, style, args.seed)
    start = time.perf_counter()
    x, y = tensors(rows['default'], ('train', 'val'))
    model = train(x, y, args.epochs, args.seed)
    for style in generator.DRAWING_STYLE_NAMES:
        x_test, y_test = tensors(rows[style], ('test',))
        results['trained on default, tested on ' + style] = report(predictions(model, x_test), y_test)
    if args.train_both:
        x2, y2 = tensors(rows['second'], ('train', 'val'))
        model = train(torch.cat([x, x2]), torch.cat([y, y2]), args.epochs, args.seed)
        x_test, y_test = tensors(rows['second'], ('test',))
        results['trained on both, tested on second'] = report(predictions(model, x_test), y_test)
    results['training s'] = time.perf_counter() - start
    text = json.dumps(results, indent=2)
    print(text)
    if args.output:
        with open(args.output, 'w') as f:
            f.write(text + '\n')


if __name__ == '__main__':
    main()
