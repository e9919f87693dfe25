"""Train the SANL paper's AttentionNet: a ResNet-18 classifier of the 50 DeepFashion categories on garment crops.

Each garment of the plugin's COCO json (``bbox``, ``category_id`` 1-50) is cropped (with a margin), fitted into a
square of ``--crop-size`` and normalized like OpenPifPaf's images.  Garments with a generic category (51-53: FLD,
which has no category labels) are skipped.  Prints a progress bar on stderr, the held-out top-1/top-3 accuracy
after every epoch, and writes the checkpoint atomically after every epoch::

    python -m openpifpaf_deepfashion.train_attention --annotations DeepFashion-C/annotations/deepfashion_train.json \
        --image-dir DeepFashion-C --val-annotations DeepFashion-C/annotations/deepfashion_val.json \
        --output attention.pt --epochs 10

Then ``openpifpaf.train --basenet=resnet50-sanl --sanl-attention-checkpoint=attention.pt ...``.
"""
import argparse
import logging
import os
import sys
import time

import numpy as np
import PIL.Image
import torch

import openpifpaf  # noqa: F401  # pylint: disable=unused-import  (registers this plugin first: no import cycle)

from .deepfashion.dataset import AnnotationFileError, load_annotations
from .network import attention_net

LOG = logging.getLogger(__name__)
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def garments(annotation_file, image_dir):
    """[(image path, (x, y, w, h), class index 0-49)] of a json; refuses bad fields and missing images."""
    document = load_annotations(annotation_file)
    images = {image['id']: image for image in document['images']}
    result = []
    n_generic = 0
    for i, ann in enumerate(document['annotations']):
        where = '{}: annotations[{}] (id {})'.format(annotation_file, i, ann.get('id'))
        category_id = ann.get('category_id')
        if not isinstance(category_id, int) or isinstance(category_id, bool) or not 1 <= category_id <= 53:
            raise AnnotationFileError('{}: "category_id" must be a DeepFashion category 1-{} (or 51-53 for FLD '
                                      'garments), got {!r}'.format(where, attention_net.N_CATEGORIES, category_id))
        if category_id > attention_net.N_CATEGORIES:
            n_generic += 1
            continue
        bbox = ann.get('bbox')
        if not isinstance(bbox, (list, tuple)) or len(bbox) != 4 or not bbox[2] > 0 or not bbox[3] > 0:
            raise AnnotationFileError('{}: "bbox" must be [x, y, w, h] with w, h > 0, got {!r}'.format(where, bbox))
        image = images.get(ann.get('image_id'))
        if image is None:
            raise AnnotationFileError('{}: image_id {!r} is not in "images"'.format(where, ann.get('image_id')))
        path = os.path.join(image_dir, image['file_name'])
        if not os.path.isfile(path):
            raise AnnotationFileError('{}: image {} (id {}) not found at {}'.format(
                annotation_file, image['file_name'], image['id'], path))
        result.append((path, tuple(float(v) for v in bbox), category_id - 1))
    if not result:
        raise AnnotationFileError(
            '{}: no garment with a DeepFashion "category_id" 1-{} ({} with generic ids 51-53 skipped: FLD garments '
            'carry no category label)'.format(annotation_file, attention_net.N_CATEGORIES, n_generic))
    if n_generic:
        LOG.warning('%s: %d garments with a generic category id (51-53) skipped', annotation_file, n_generic)
    return result


class GarmentCrops(torch.utils.data.Dataset):
    """Garment crops (box + margin, fitted into a grey square) as normalized tensors with their class index."""

    def __init__(self, items, crop_size, *, margin=0.1, augment=False):
        self.items = items
        self.crop_size = crop_size
        self.margin = margin
        self.augment = augment

    def __len__(self):
        return len(self.items)

    def __getitem__(self, index):
        path, (x, y, w, h), label = self.items[index]
        try:
            with open(path, 'rb') as f:
                image = PIL.Image.open(f).convert('RGB')
        except (OSError, ValueError) as e:
            raise AnnotationFileError('image {} cannot be read: {}'.format(path, e)) from e
        margin = self.margin
        if self.augment:  # jitter the box: margin 0-25 %, shift up to 10 %
            margin = float(np.random.uniform(0.0, 0.25))
            x += float(np.random.uniform(-0.1, 0.1)) * w
            y += float(np.random.uniform(-0.1, 0.1)) * h
        x0, y0 = max(0.0, x - margin * w), max(0.0, y - margin * h)
        x1, y1 = min(float(image.width), x + (1 + margin) * w), min(float(image.height), y + (1 + margin) * h)
        if x1 - x0 < 1 or y1 - y0 < 1:
            x0, y0, x1, y1 = 0.0, 0.0, float(image.width), float(image.height)
        crop = image.crop((int(x0), int(y0), int(np.ceil(x1)), int(np.ceil(y1))))
        if self.augment and np.random.rand() < 0.5:
            crop = crop.transpose(PIL.Image.Transpose.FLIP_LEFT_RIGHT)
        scale = self.crop_size / max(crop.width, crop.height)
        crop = crop.resize((max(1, round(crop.width * scale)), max(1, round(crop.height * scale))),
                           PIL.Image.Resampling.BILINEAR)
        canvas = PIL.Image.new('RGB', (self.crop_size, self.crop_size), tuple(int(255 * m) for m in IMAGENET_MEAN))
        canvas.paste(crop, ((self.crop_size - crop.width) // 2, (self.crop_size - crop.height) // 2))
        tensor = torch.from_numpy(np.asarray(canvas, dtype=np.float32) / 255.0).permute(2, 0, 1)
        tensor = (tensor - torch.tensor(IMAGENET_MEAN).view(3, 1, 1)) / torch.tensor(IMAGENET_STD).view(3, 1, 1)
        return tensor, label


class Progress:
    """A plain-text progress bar on stderr (redrawn in place on a terminal, a line every 10 % otherwise)."""

    def __init__(self, total, prefix, stream=None, width=30):
        self.total = max(1, total)
        self.prefix = prefix
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = self.stream.isatty()
        self.last_decile = -1
        self.start = time.time()

    def update(self, done, suffix=''):
        fraction = done / self.total
        filled = int(self.width * fraction)
        line = '{} [{}{}] {}/{} {:.0f}s {}'.format(
            self.prefix, '#' * filled, '.' * (self.width - filled), done, self.total, time.time() - self.start, suffix)
        if self.tty:
            self.stream.write('\r' + line + ('\n' if done >= self.total else ''))
        elif int(fraction * 10) > self.last_decile:
            self.last_decile = int(fraction * 10)
            self.stream.write(line + '\n')
        self.stream.flush()


def evaluate(net, loader, device):
    """Top-1 and top-3 accuracy over a loader."""
    net.eval()
    top1 = top3 = n = 0
    with torch.inference_mode():
        for images, labels in loader:
            logits = net(images.to(device))
            labels = labels.to(device)
            best = torch.topk(logits, k=min(3, logits.shape[1]), dim=1).indices
            top1 += int((best[:, 0] == labels).sum())
            top3 += int((best == labels[:, None]).any(dim=1).sum())
            n += len(labels)
    return {'top1': top1 / max(1, n), 'top3': top3 / max(1, n), 'n': n}


def train(args):
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    device = torch.device(args.device or ('cuda' if torch.cuda.is_available() else 'cpu'))
    train_items = garments(args.annotations, args.image_dir)
    val_items = garments(args.val_annotations, args.val_image_dir or args.image_dir)
    LOG.info('%d training garments, %d held-out garments', len(train_items), len(val_items))
    train_loader = torch.utils.data.DataLoader(
        GarmentCrops(train_items, args.crop_size, augment=not args.no_augmentation),
        batch_size=args.batch_size, shuffle=True, num_workers=args.loader_workers, drop_last=False)
    val_loader = torch.utils.data.DataLoader(GarmentCrops(val_items, args.crop_size),
                                             batch_size=args.batch_size, num_workers=args.loader_workers)
    net = attention_net.AttentionNet(imagenet_weights=args.imagenet_weights).to(device)
    optimizer = torch.optim.Adam(net.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=max(1, args.epochs * len(train_loader)))
    accuracy = None
    for epoch in range(1, args.epochs + 1):
        net.train()
        progress = Progress(len(train_loader), 'epoch {}/{}'.format(epoch, args.epochs))
        loss_sum = 0.0
        for batch_i, (images, labels) in enumerate(train_loader, 1):
            logits = net(images.to(device))
            loss = torch.nn.functional.cross_entropy(logits, labels.to(device))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            loss_sum += loss.item()
            progress.update(batch_i, 'loss {:.3f}'.format(loss_sum / batch_i))
        accuracy = evaluate(net, val_loader, device)
        print('epoch {}: train loss {:.3f}, held-out top-1 {:.3f}, top-3 {:.3f} ({} garments)'.format(
            epoch, loss_sum / max(1, len(train_loader)), accuracy['top1'], accuracy['top3'], accuracy['n']),
            flush=True)
        attention_net.save_checkpoint(net.cpu(), args.output, epoch=epoch, val_accuracy=accuracy,
                                      crop_size=args.crop_size, train_annotations=os.path.abspath(args.annotations))
        net.to(device)
    print('wrote {}: held-out top-1 {:.3f}, top-3 {:.3f}'.format(args.output, accuracy['top1'], accuracy['top3']))
    return accuracy


def cli(argv=None):
    parser = argparse.ArgumentParser(prog='python -m openpifpaf_deepfashion.train_attention',
                                     description=__doc__.split('\n\n', maxsplit=1)[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument('--annotations', required=True, help='training COCO json of this plugin')
    parser.add_argument('--image-dir', required=True, help='directory the json\'s file_name entries are relative to')
    parser.add_argument('--val-annotations', required=True, help='held-out COCO json for the accuracy report')
    parser.add_argument('--val-image-dir', default=None, help='image directory of the held-out json (--image-dir)')
    parser.add_argument('--output', required=True, help='checkpoint file (rewritten atomically every epoch)')
    parser.add_argument('--epochs', type=int, default=10)
    parser.add_argument('--lr', type=float, default=1e-3, help='Adam learning rate (cosine decay)')
    parser.add_argument('--weight-decay', type=float, default=1e-4)
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--crop-size', type=int, default=224)
    parser.add_argument('--loader-workers', type=int, default=2)
    parser.add_argument('--imagenet-weights', action='store_true',
                        help='start from torchvision\'s ImageNet ResNet-18 (downloaded once)')
    parser.add_argument('--no-augmentation', action='store_true', help='no box jitter, no flips')
    parser.add_argument('--device', default=None, help='cpu, cuda, ... (default: cuda if available)')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format='%(levelname)s %(message)s')
    if args.epochs < 1 or args.batch_size < 1 or args.crop_size < 32:
        parser.error('--epochs and --batch-size must be at least 1, --crop-size at least 32')
    try:
        train(args)
    except AnnotationFileError as e:
        print('error: {}'.format(e), file=sys.stderr)
        sys.exit(2)


if __name__ == '__main__':
    cli()
