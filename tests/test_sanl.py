"""SANL / non-local blocks, Grad-CAM, the AttentionNet and its trainer, the -sanl / -nl base networks."""
import json
import os
import subprocess
import sys

import numpy as np
import PIL.Image
import PIL.ImageDraw
import pytest
import torch

import openpifpaf
from openpifpaf_deepfashion import train_attention
from openpifpaf_deepfashion.deepfashion import coco_format, constants
from openpifpaf_deepfashion.deepfashion.dataset import AnnotationFileError
from openpifpaf_deepfashion.network import attention_net, gradcam, sanl, sanl_basenets


def randomize(block, seed=0):
    """Give a block's BatchNorm non-zero weights and statistics (a fresh block is the identity)."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        block.bn.weight.copy_(torch.randn(block.bn.weight.shape, generator=generator))
        block.bn.bias.copy_(torch.randn(block.bn.bias.shape, generator=generator))
        block.bn.running_mean.copy_(torch.randn(block.bn.running_mean.shape, generator=generator))
        block.bn.running_var.copy_(torch.rand(block.bn.running_var.shape, generator=generator) + 0.5)
    return block.eval()


# --- the block ---

def test_fresh_block_returns_its_input_exactly():
    torch.manual_seed(0)
    x = torch.randn(2, 16, 7, 9)
    for block in (sanl.NonLocalBlock(16), sanl.SANLBlock(16)):
        assert torch.equal(block(x), x)
        assert torch.equal(block(x, torch.rand(2, 1, 3, 4)), x)
        block.train()
        assert torch.equal(block(x, torch.rand(2, 1, 3, 4)), x)


def test_sanl_with_zero_map_equals_nl_with_the_same_weights():
    torch.manual_seed(1)
    nl = randomize(sanl.NonLocalBlock(16))
    sanl_block = sanl.SANLBlock(16).eval()
    sanl_block.load_state_dict(nl.state_dict())
    x = torch.randn(2, 16, 6, 5)
    reference = nl(x)
    assert not torch.allclose(reference, x)
    assert torch.equal(sanl_block(x, torch.zeros(2, 1, 6, 5)), reference)
    assert torch.equal(sanl_block(x, torch.zeros(2, 1, 2, 2)), reference)
    assert torch.equal(sanl_block(x), reference)


def test_evaluation_folds_batchnorm_into_the_product_exactly_as_batchnorm_after_it():
    torch.manual_seed(3)
    x = torch.randn(2, 16, 6, 5)
    attention = torch.rand(2, 1, 3, 3)
    for block in (randomize(sanl.NonLocalBlock(16)), randomize(sanl.SANLBlock(16))):
        with torch.no_grad():
            for m in (None, attention):
                unfolded = x + block.bn(block.non_local(x, m))  # eval mode: BatchNorm with running statistics
                assert not torch.allclose(unfolded, x)
                assert torch.allclose(block(x, m), unfolded, rtol=1e-5, atol=1e-5)
        block.train()  # training: BatchNorm on the batch's statistics, as before
        assert torch.allclose(block(x), x + block.bn(block.non_local(x)), atol=1e-5)


def test_map_changes_the_output_where_it_is_nonzero_and_only_its_shape_counts():
    torch.manual_seed(2)
    block = randomize(sanl.SANLBlock(8))
    x = torch.randn(1, 8, 6, 6)
    attention = torch.zeros(1, 1, 6, 6)
    attention[:, :, 1:3, 2:5] = 1.0
    plain = block(x, torch.zeros_like(attention))
    attended = block(x, attention)
    difference = (attended - plain).abs().sum(dim=1)[0]
    assert (difference[1:3, 2:5] > 1e-4).all()
    # scaled to [0, 1] per image: a multiple or an offset of the map is the same map
    assert torch.allclose(block(x, 5.0 * attention + 2.0), attended, atol=1e-6)
    # per image: the second image's map does not change the first image's output
    both = block(torch.cat([x, x]), torch.cat([attention, torch.rand(1, 1, 6, 6)]))
    assert torch.allclose(both[:1], attended, atol=1e-6)


def cell_means(features, cell):
    """B x C x H x W averaged over cell x cell cells by hand (a cell cut by the edge: over its part): B x C x N'."""
    height, width = features.shape[2:]
    return torch.stack([features[:, :, top:top + cell, left:left + cell].mean(dim=(2, 3))
                        for top in range(0, height, cell) for left in range(0, width, cell)], dim=2)


def direct_sanl(block, x, attention, subsample=1):
    """Eq. 3 with the explicit N x N' similarity matrix (N' = N, or the number of subsampled key cells)."""
    batch, channels, height, width = x.shape
    weighted = x  # M = 0 (None): the plain non-local block
    if attention is not None:
        m = torch.nn.functional.interpolate(attention, size=(height, width), mode='bilinear', align_corners=False)
        low, high = m.amin(dim=(1, 2, 3), keepdim=True), m.amax(dim=(1, 2, 3), keepdim=True)
        weighted = x * (1.0 + (m - low) / (high - low))

    def conv(layer, features):
        return torch.einsum('oc,bcn->bon', layer.weight[:, :, 0, 0], features) + layer.bias[None, :, None]

    theta = conv(block.theta, weighted.flatten(2))
    phi, g = conv(block.phi, cell_means(weighted, subsample)), conv(block.g, cell_means(x, subsample))
    similarity = torch.einsum('bci,bcj->bij', theta, phi)  # B x N x N'
    y = torch.einsum('bij,bcj->bci', similarity, g) / phi.shape[2]
    z = torch.einsum('oc,bcn->bon', block.w_z.weight[:, :, 0, 0], y).reshape(batch, channels, height, width)
    return x + block.bn(z)


def test_efficient_form_equals_the_direct_n_squared_form():
    torch.manual_seed(3)
    block = randomize(sanl.SANLBlock(6)).double()
    x = torch.randn(2, 6, 5, 7, dtype=torch.float64)
    attention = torch.rand(2, 1, 3, 4, dtype=torch.float64)
    with torch.no_grad():
        assert torch.allclose(block(x, attention), direct_sanl(block, x, attention), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize('subsample', [2, 3])
def test_subsampled_keys_equal_the_direct_form_on_cell_averages(subsample):
    """Keys and values from X averaged over cells (a cut cell at the odd edge averages its part), N' cells."""
    torch.manual_seed(4)
    block = randomize(sanl.SANLBlock(6, subsample=subsample)).double()
    nl = sanl.NonLocalBlock(6, subsample=subsample).double().eval()
    nl.load_state_dict(block.state_dict())
    x = torch.randn(2, 6, 5, 7, dtype=torch.float64)
    attention = torch.rand(2, 1, 3, 4, dtype=torch.float64)
    with torch.no_grad():
        assert torch.allclose(block(x, attention), direct_sanl(block, x, attention, subsample), rtol=1e-10, atol=1e-10)
        assert torch.allclose(nl(x), direct_sanl(block, x, None, subsample), rtol=1e-10, atol=1e-10)
        full = sanl.SANLBlock(6).double().eval()
        full.load_state_dict(block.state_dict())
        assert not torch.allclose(full(x, attention), block(x, attention), atol=1e-3)  # subsampling changes it


def test_memory_is_linear_in_the_number_of_positions():
    """N = 160,000 positions: an N x N matrix would need 100 GB; the efficient form needs a few MB."""
    block = randomize(sanl.SANLBlock(4))
    x = torch.randn(1, 4, 400, 400)
    with torch.no_grad():
        out = block(x, torch.rand(1, 1, 13, 13))
    assert out.shape == x.shape and torch.isfinite(out).all()


# --- Grad-CAM ---

class TinyNet(torch.nn.Module):
    """1x1 conv -> ReLU (A1) -> 1x1 conv -> ReLU (A2) -> global average pooling -> linear."""

    def __init__(self):
        super().__init__()
        generator = torch.Generator().manual_seed(5)
        self.conv1 = torch.nn.Conv2d(2, 3, 1)
        self.conv2 = torch.nn.Conv2d(3, 4, 1)
        self.fc = torch.nn.Linear(4, 3)
        with torch.no_grad():
            for p in self.parameters():
                p.copy_(torch.randn(p.shape, generator=generator))

    def forward_features(self, x):
        a1 = torch.relu(self.conv1(x))
        a2 = torch.relu(self.conv2(a1))
        return self.fc(a2.mean(dim=(2, 3))), [a1, a2]


def hand_grad_cam(net, x, c):
    """d y_c / d A2 = w_c / N; d y_c / d A1 = sum_k w_ck / N [pre2_k > 0] W2_km (the chain rule by hand)."""
    with torch.no_grad():
        w1, b1 = net.conv1.weight[:, :, 0, 0], net.conv1.bias
        w2, b2 = net.conv2.weight[:, :, 0, 0], net.conv2.bias
        a1 = torch.relu(torch.einsum('oc,chw->ohw', w1, x[0]) + b1[:, None, None])
        pre2 = torch.einsum('oc,chw->ohw', w2, a1) + b2[:, None, None]
        a2 = torch.relu(pre2)
        n = x.shape[2] * x.shape[3]
        wc = net.fc.weight[c]
        grad_a2 = (wc[:, None, None] / n).expand_as(a2)
        alpha2 = grad_a2.mean(dim=(1, 2))
        grad_a1 = torch.einsum('khw,km->mhw', grad_a2 * (pre2 > 0), w2)
        alpha1 = grad_a1.mean(dim=(1, 2))
        map1 = torch.relu((alpha1[:, None, None] * a1).sum(0))
        map2 = torch.relu((alpha2[:, None, None] * a2).sum(0))
    return map1, map2


def test_grad_cam_of_a_tiny_network_equals_the_hand_computed_maps():
    net = TinyNet()
    x = torch.randn(1, 2, 4, 5, generator=torch.Generator().manual_seed(6))
    for c in range(3):
        (map1, map2), classes = gradcam.grad_cam(net.forward_features, x, class_index=c)
        reference1, reference2 = hand_grad_cam(net, x, c)
        assert int(classes[0]) == c
        assert torch.allclose(map1[0, 0], reference1, atol=1e-6)
        assert torch.allclose(map2[0, 0], reference2, atol=1e-6)
    assert any(float(m.max()) > 0 for m in gradcam.grad_cam(net.forward_features, x)[0])
    assert all(p.grad is None for p in net.parameters())


def test_grad_cam_at_the_last_layer_equals_cam():
    torch.manual_seed(7)
    net = attention_net.AttentionNet(n_classes=5).eval()
    images = torch.randn(2, 3, 64, 96)
    maps, classes = gradcam.grad_cam(net.forward_features, images)
    with torch.no_grad():
        logits, features = net.forward_features(images)
    assert torch.equal(classes, torch.argmax(logits, dim=1))
    cam = gradcam.class_activation_map(features[-1], net.fc.weight, classes)
    n = features[-1].shape[2] * features[-1].shape[3]
    assert cam.shape == maps[-1].shape == (2, 1, 2, 3)
    assert torch.allclose(maps[-1] * n, cam, atol=1e-5)
    # after the block's [0, 1] scaling the last-stride-only (CAM) source gives the Grad-CAM map
    cam_maps = net.attention_maps(images, last_stride_only=True)
    assert len(cam_maps) == 4
    assert torch.allclose(sanl.normalize_attention(cam_maps[0], (8, 12)),
                          sanl.normalize_attention(maps[-1], (8, 12)), atol=1e-5)


@pytest.mark.parametrize('mode', ['inference_mode', 'no_grad'])
def test_grad_cam_works_inside_inference_mode_and_no_grad(mode):
    torch.manual_seed(8)
    net = attention_net.AttentionNet(n_classes=5).eval()
    images = torch.randn(2, 3, 64, 64)
    expected = net.attention_maps(images)
    context = torch.inference_mode() if mode == 'inference_mode' else torch.no_grad()
    with context:
        inner_images = images.clone()  # an inference tensor under inference_mode
        maps = net.attention_maps(inner_images)
        frozen = attention_net.GradCamAttention(net).maps(inner_images)
    assert [m.shape[2:] for m in maps] == [(16, 16), (8, 8), (4, 4), (2, 2)]
    for map_, frozen_map, reference in zip(maps, frozen, expected):
        assert not map_.requires_grad and not frozen_map.requires_grad
        assert torch.allclose(map_, reference, atol=1e-6)
        assert torch.allclose(frozen_map, reference, rtol=1e-4, atol=1e-6)
        assert float(reference.max()) > 0
    assert all(p.grad is None for p in net.parameters())


def test_frozen_attention_net_stays_frozen():
    torch.manual_seed(9)
    net = attention_net.AttentionNet(n_classes=5).eval()
    images = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        logits = net(images)
    net.freeze()
    openpifpaf.network.nets.model_defaults(net)  # changes every BatchNorm's eps: none are left
    net.train()
    assert not net.training and not net.layer1.training
    assert not any(p.requires_grad for p in net.parameters())
    with torch.no_grad():
        assert torch.allclose(net(images), logits, atol=1e-4)


# --- train_attention ---

def make_dataset(root, n_train=6, n_other=3, size=120, seed=0):
    """A tiny data set in the plugin's layout: upper-body garments (coloured boxes) with 6 landmarks."""
    rng = np.random.RandomState(seed)
    upper = [cid for cid, (_, t) in zip(constants.CATEGORY_IDS, constants.CATEGORIES) if t == constants.UPPER][:3]
    os.makedirs(os.path.join(root, 'img'), exist_ok=True)
    os.makedirs(os.path.join(root, 'annotations'), exist_ok=True)
    image_id = 0
    for split, n in (('train', n_train), ('val', n_other), ('test', n_other)):
        images, anns = [], []
        for _ in range(n):
            image_id += 1
            category = upper[image_id % len(upper)]
            image = PIL.Image.new('RGB', (size, size), (int(rng.randint(0, 80)),) * 3)
            x1, y1 = int(rng.randint(5, 30)), int(rng.randint(5, 30))
            x2, y2 = x1 + int(rng.randint(60, 85)), y1 + int(rng.randint(60, 85))
            colour = [(220, 40, 40), (40, 220, 40), (40, 40, 220)][image_id % 3]
            PIL.ImageDraw.Draw(image).rectangle((x1, y1, x2, y2), fill=colour)
            name = 'img/{:05d}.jpg'.format(image_id)
            image.save(os.path.join(root, name))
            keypoints = [(x1 + 20, y1, 2), (x2 - 20, y1, 2), (x1, y1 + 30, 2), (x2, y1 + 30, 2),
                         (0, 0, 0), (0, 0, 0), (x1 + 5, y2, 2), (x2 - 5, y2, 2)]
            images.append(coco_format.image_entry(image_id, name, size, size))
            anns.append(coco_format.annotation_entry(image_id, image_id, category, constants.UPPER, keypoints,
                                                     (x1, y1, x2, y2)))
        with open(os.path.join(root, 'annotations', 'deepfashion_{}.json'.format(split)), 'w') as f:
            json.dump(coco_format.coco_document(images, anns), f)
    return root


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    return make_dataset(str(tmp_path_factory.mktemp('sanl') / 'sample'))


@pytest.fixture(scope='module')
def attention_checkpoint(data_root):
    output = os.path.join(os.path.dirname(data_root), 'attention.pt')
    train_attention.cli(['--annotations', os.path.join(data_root, 'annotations', 'deepfashion_train.json'),
                         '--image-dir', data_root, '--output', output,
                         '--val-annotations', os.path.join(data_root, 'annotations', 'deepfashion_val.json'),
                         '--epochs', '1', '--crop-size', '64', '--batch-size', '4', '--loader-workers', '0'])
    return output


def test_train_attention_writes_a_checkpoint_and_reports_accuracy(attention_checkpoint, capsys):
    checkpoint = torch.load(attention_checkpoint, weights_only=True)
    assert checkpoint['epoch'] == 1 and checkpoint['val_accuracy']['n'] == 3
    assert 0.0 <= checkpoint['val_accuracy']['top1'] <= checkpoint['val_accuracy']['top3'] <= 1.0
    net = attention_net.load_checkpoint(attention_checkpoint)
    assert net.n_classes == 50
    assert not [name for name in os.listdir(os.path.dirname(attention_checkpoint)) if name.endswith('.tmp')]


def test_train_attention_prints_accuracy_and_progress(data_root, tmp_path):
    ann = os.path.join(data_root, 'annotations')
    result = subprocess.run(
        [sys.executable, '-m', 'openpifpaf_deepfashion.train_attention',
         '--annotations', os.path.join(ann, 'deepfashion_train.json'), '--image-dir', data_root,
         '--val-annotations', os.path.join(ann, 'deepfashion_val.json'), '--output', str(tmp_path / 'a.pt'),
         '--epochs', '1', '--crop-size', '48', '--batch-size', '6', '--loader-workers', '0'],
        capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'held-out top-1' in result.stdout and 'top-3' in result.stdout
    assert 'epoch 1/1 [' in result.stderr
    assert os.path.exists(str(tmp_path / 'a.pt'))


def rewrite(source, target, edit):
    with open(source) as f:
        document = json.load(f)
    edit(document)
    with open(target, 'w') as f:
        json.dump(document, f)
    return target


def test_train_attention_names_bad_input(data_root, tmp_path, capsys):
    train_json = os.path.join(data_root, 'annotations', 'deepfashion_train.json')

    def fld_only(document):
        for ann in document['annotations']:
            ann['category_id'] = 51

    def bad_category(document):
        document['annotations'][2]['category_id'] = 77

    def missing_image(document):
        document['images'][1]['file_name'] = 'img/missing.jpg'

    with pytest.raises(AnnotationFileError, match=r'fld\.json: no garment with a DeepFashion "category_id" 1-50'):
        train_attention.garments(rewrite(train_json, str(tmp_path / 'fld.json'), fld_only), data_root)
    with pytest.raises(AnnotationFileError, match=r'bad\.json: annotations\[2\] \(id 3\): "category_id" .* 77'):
        train_attention.garments(rewrite(train_json, str(tmp_path / 'bad.json'), bad_category), data_root)
    with pytest.raises(AnnotationFileError, match=r'img\.json: image img/missing\.jpg \(id 2\) not found'):
        train_attention.garments(rewrite(train_json, str(tmp_path / 'img.json'), missing_image), data_root)
    with pytest.raises(SystemExit) as exit_info:
        train_attention.cli(['--annotations', str(tmp_path / 'fld.json'), '--image-dir', data_root,
                             '--val-annotations', train_json, '--output', str(tmp_path / 'x.pt')])
    assert exit_info.value.code == 2
    assert 'fld.json' in capsys.readouterr().err
    assert not os.path.exists(str(tmp_path / 'x.pt'))


# --- base networks ---

@pytest.fixture
def sanl_options():
    options = sanl_basenets.SanlBase
    saved = (options.attention_checkpoint, options.all_from_last_stride, options.param_budget, options.reduction,
             options.subsample, openpifpaf.network.basenetworks.Resnet.pretrained)
    openpifpaf.network.basenetworks.Resnet.pretrained = False
    yield options
    (options.attention_checkpoint, options.all_from_last_stride, options.param_budget, options.reduction,
     options.subsample, openpifpaf.network.basenetworks.Resnet.pretrained) = saved


def parameters(module):
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize('channels, reduction, cap, inner', [(64, 2, None, 32), (2048, 2, 128, 128),
                                                             (256, 8, 128, 32), (3, 4, None, 1)])
def test_block_parameters_formula_counts_the_real_block(channels, reduction, cap, inner):
    block = sanl.NonLocalBlock(channels, reduction, cap)
    assert block.inner_channels == inner == sanl.inner_channels(channels, reduction, cap)
    assert parameters(block) == sanl.block_parameters(channels, inner)


def test_parameter_budget_caps_the_widest_blocks_first(sanl_options):
    plain = parameters(openpifpaf.BASE_FACTORIES['resnet50']())
    sanl_options.reduction = 2  # the paper's C / 2 (resnet50's default is its bottleneck width, C / 4)
    sanl_options.param_budget = 0.0
    paper = openpifpaf.BASE_FACTORIES['resnet50-nl']()
    assert [block.inner_channels for block in paper.nl_blocks.values()] == [128, 256, 512, 1024]
    assert parameters(paper) > 1.4 * plain
    sanl_options.param_budget = 0.10
    capped = openpifpaf.BASE_FACTORIES['resnet50-nl']()
    inner = [block.inner_channels for block in capped.nl_blocks.values()]
    assert parameters(capped) <= 1.10 * plain
    assert inner[0] == 128 and len(set(inner)) == 1  # the stride-4 block keeps C / 2, wider ones are capped to it
    # the largest power-of-two cap within the budget: twice the cap would not fit
    doubled = sum(sanl.block_parameters(block.channels, min(block.channels // 2, 2 * inner[-1]))
                  for block in capped.nl_blocks.values())
    assert doubled > 0.10 * plain
    # a backbone whose blocks fit the budget keeps the paper's C / 2 everywhere
    resnet18 = openpifpaf.BASE_FACTORIES['resnet18-nl']()
    assert [block.inner_channels for block in resnet18.nl_blocks.values()] == [32, 64, 128, 256]


def test_backbone_defaults_bottleneck_width_and_subsampled_keys_on_bottleneck_resnets_only(sanl_options):
    plain = parameters(openpifpaf.BASE_FACTORIES['resnet50']())
    resnet50 = openpifpaf.BASE_FACTORIES['resnet50-nl']()
    assert [block.inner_channels for block in resnet50.nl_blocks.values()] == [64, 128, 128, 128]
    assert {block.subsample for block in resnet50.nl_blocks.values()} == {2}
    assert parameters(resnet50) <= 1.10 * plain
    for name in ('resnet18-nl', 'shufflenetv2k16-nl'):
        assert {block.subsample for block in openpifpaf.BASE_FACTORIES[name]().nl_blocks.values()} == {1}
    # the options override the backbone's defaults
    sanl_options.reduction, sanl_options.subsample = 8, 3
    resnet18 = openpifpaf.BASE_FACTORIES['resnet18-nl']()
    blocks = resnet18.nl_blocks.values()
    assert [(b.inner_channels, b.subsample) for b in blocks] == [(8, 3), (16, 3), (32, 3), (64, 3)]


def test_sanl_net_without_attention_refuses_with_the_option_name(sanl_options):
    sanl_options.attention_checkpoint = None
    with pytest.raises(sanl_basenets.SanlConfigError, match='resnet18-sanl.*--sanl-attention-checkpoint'):
        openpifpaf.BASE_FACTORIES['resnet18-sanl']()
    assert sanl_basenets.SanlBase in openpifpaf.network.factory.BASE_TYPES


def run_stages(base, x):
    for stage in base.stages:
        if getattr(base, stage) is not None:
            x = getattr(base, stage)(x)
    return x


def test_block_placement_and_fresh_nets_equal_their_backbone(sanl_options, attention_checkpoint):
    sanl_options.attention_checkpoint = attention_checkpoint
    x = torch.randn(1, 3, 97, 97)
    expected = {'resnet18-nl': [64, 128, 256, 512], 'resnet18-sanl': [64, 128, 256, 512],
                'shufflenetv2k16-nl': [348, 696, 1392]}
    for name, channels in expected.items():
        base = openpifpaf.BASE_FACTORIES[name]().eval()
        assert [block.channels for block in base.nl_blocks.values()] == channels
        assert (base.attention is not None) == name.endswith('-sanl')
        with torch.no_grad():
            assert torch.equal(base(x), run_stages(base, x))
    sanl_options.all_from_last_stride = True
    base = openpifpaf.BASE_FACTORIES['resnet18-sanl']()
    assert set(base.map_index.values()) == {3} and base.attention.last_stride_only


# --- the OpenPifPaf commands ---

TRAIN_OPTIONS = ['--deepfashion-square-edge=97', '--batch-size=2', '--loader-workers=0', '--epochs=1',
                 '--lr=1e-4', '--momentum=0.9', '--resnet-no-pretrain']


def run(*args, cwd, expect_ok=True):
    result = subprocess.run([sys.executable, '-m'] + list(args), cwd=cwd, capture_output=True, text=True,
                            timeout=600, check=False)
    if expect_ok:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope='module')
def trained_sanl(data_root, attention_checkpoint):
    work = os.path.dirname(data_root)
    run('openpifpaf.train', '--dataset=deepfashion', '--deepfashion-root=' + data_root,
        '--basenet=resnet18-sanl', '--sanl-attention-checkpoint=' + attention_checkpoint,
        '--output=' + os.path.join(work, 'sanl.pkl'), *TRAIN_OPTIONS, cwd=work)
    checkpoint = os.path.join(work, 'sanl.pkl.epoch001')
    assert os.path.exists(checkpoint)
    return work, checkpoint


def test_train_refuses_a_sanl_net_without_attention(data_root):
    result = run('openpifpaf.train', '--dataset=deepfashion', '--deepfashion-root=' + data_root,
                 '--basenet=resnet18-sanl', '--output=' + os.path.join(os.path.dirname(data_root), 'no.pkl'),
                 *TRAIN_OPTIONS, cwd=os.path.dirname(data_root), expect_ok=False)
    assert result.returncode != 0
    assert '--sanl-attention-checkpoint' in result.stderr


def test_trained_sanl_checkpoint_holds_the_frozen_attention_net(trained_sanl, attention_checkpoint):
    _, checkpoint = trained_sanl
    net = torch.load(checkpoint, weights_only=False)['model']
    assert isinstance(net.base_net.attention, attention_net.GradCamAttention)
    reference = attention_net.GradCamAttention(attention_net.load_checkpoint(attention_checkpoint))
    trained = net.base_net.attention.state_dict()
    # unchanged by training (the folding of the BatchNorms may round differently in another process)
    assert all(torch.allclose(trained[key], value, rtol=0.0, atol=1e-6)
               for key, value in reference.state_dict().items())
    assert any(float(block.bn.weight.abs().sum()) > 0 for block in net.base_net.nl_blocks.values())


def test_eval_and_predict_with_the_sanl_checkpoint_alone(trained_sanl, data_root):
    work, checkpoint = trained_sanl
    output = os.path.join(work, 'eval')
    run('openpifpaf.eval', '--dataset=deepfashion', '--deepfashion-root=' + data_root,
        '--checkpoint=' + checkpoint, '--loader-workers=0', '--output=' + output, cwd=work)
    with open(output + '.stats.json') as f:
        stats = json.load(f)
    assert 'NE avg' in stats['text_labels'] and stats['n_images'] == 3
    out = os.path.join(work, 'predict') + os.sep
    os.makedirs(out)
    image = os.path.join(data_root, 'img', '00001.jpg')
    run('openpifpaf.predict', '--checkpoint=' + checkpoint, '--json-output=' + out, image, cwd=work)
    with open(out + '00001.jpg.predictions.json') as f:
        assert isinstance(json.load(f), list)


def test_export_onnx_refuses_per_stride_grad_cam_with_a_message(trained_sanl):
    work, checkpoint = trained_sanl
    result = run('openpifpaf.export_onnx', '--checkpoint=' + checkpoint,
                 '--outfile=' + os.path.join(work, 'sanl.onnx'), cwd=work, expect_ok=False)
    assert result.returncode != 0
    assert 'needs a backward pass inside the forward pass' in result.stderr
    assert '--sanl-all-from-last-stride' in result.stderr


def test_export_onnx_of_a_last_stride_sanl_net(data_root, attention_checkpoint):
    work = os.path.dirname(data_root)
    run('openpifpaf.train', '--dataset=deepfashion', '--deepfashion-root=' + data_root,
        '--basenet=resnet18-sanl', '--sanl-attention-checkpoint=' + attention_checkpoint,
        '--sanl-all-from-last-stride', '--output=' + os.path.join(work, 'sanl32.pkl'), *TRAIN_OPTIONS, cwd=work)
    outfile = os.path.join(work, 'sanl32.onnx')
    run('openpifpaf.export_onnx', '--checkpoint=' + os.path.join(work, 'sanl32.pkl.epoch001'),
        '--outfile=' + outfile, cwd=work)
    import onnx  # pylint: disable=import-outside-toplevel
    model = onnx.load(outfile)
    onnx.checker.check_model(model)
    assert [o.name for o in model.graph.output][:2] == ['cif', 'caf']
