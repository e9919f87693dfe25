"""SANL attention from the network's own category head (--sanl-attention=category-head)."""
import copy
import json
import os

import pytest
import torch

import openpifpaf
from openpifpaf_deepfashion.deepfashion import heads
from openpifpaf_deepfashion.network import category_attention, category_head, gradcam, sanl, sanl_basenets

from test_sanl import TRAIN_OPTIONS, make_dataset, run


@pytest.fixture(autouse=True)
def keep_globals(monkeypatch):
    monkeypatch.setattr(openpifpaf.network.basenetworks.Resnet, 'pretrained', False)
    monkeypatch.setattr(sanl_basenets.SanlBase, 'attention_checkpoint', None)
    monkeypatch.setattr(sanl_basenets.SanlBase, 'all_from_last_stride', False)
    monkeypatch.setattr(sanl_basenets.SanlBase, 'attention_source', 'category-head')
    monkeypatch.setattr(sanl_basenets.SanlBase, 'attention_scale', 1.0)
    monkeypatch.setattr(category_head.CategoryField, 'hidden_features', 0)  # as configure sets it for SANL


def network(seed=0, with_category=True):
    """resnet18-sanl with CIF, CAF and (``with_category``) the category head at the trunk's stride; blocks
    and category weights random, so that the maps and the blocks both count."""
    torch.manual_seed(seed)
    metas = heads.landmark_metas('B', 2) + ([heads.category_meta(1)] if with_category else [])
    net, _ = openpifpaf.network.Factory(base_name='resnet18-sanl').factory(head_metas=metas)
    with torch.no_grad():
        for module in net.modules():
            if isinstance(module, sanl.NonLocalBlock):
                module.bn.weight.uniform_(0.5, 1.0)
    return net


def images(batch=2, seed=1):
    return torch.randn(batch, 3, 49, 65, generator=torch.Generator().manual_seed(seed))


def field_grad_cam(net, x):
    """Reference: Grad-CAM through the category head's own forward pass (its logit field, centered over the
    categories and averaged over the image) at the blocks' inputs of a pass with M = 0."""
    base, head = net.base_net, net.category_head()
    head_mode = head.training
    head.train(True)  # the logit field (the eval-mode head returns probabilities); no dropout by default

    def forward(inputs):
        trunk, block_inputs = base.run_stages(inputs, collect=True)
        field = head(trunk)
        logits = (field - field.mean(dim=1, keepdim=True)).mean(dim=(2, 3))
        return logits, [block_inputs[stage] for stage in base.block_after]
    try:
        return gradcam.grad_cam(forward, x)
    finally:
        head.train(head_mode)


def test_maps_are_grad_cam_of_the_category_field_at_each_block():
    net = network().eval()
    x = images()
    maps = category_attention.maps(net.base_net, x, net.category_head())
    reference, classes = field_grad_cam(net, x)
    assert list(maps) == ['block2', 'block3', 'block4', 'block5']
    for stage, expected in zip(net.base_net.block_after, reference):
        assert maps[stage].shape == expected.shape
        assert float(expected.max()) > 0
        assert torch.allclose(maps[stage], expected, rtol=1e-4, atol=1e-7), stage
    # other class weights give other maps: the head's weights are what the maps come from
    with torch.no_grad():
        net.category_head().conv.weight.mul_(-1.0)
    flipped = category_attention.maps(net.base_net, x, net.category_head())
    assert not torch.allclose(flipped['block2'], maps['block2'])
    assert classes.shape == (2,)


def test_last_stride_maps_are_the_closed_form_cam_of_grad_cam_at_the_trunk(monkeypatch):
    monkeypatch.setattr(sanl_basenets.SanlBase, 'all_from_last_stride', True)
    net = network().eval()
    x = images()
    maps = category_attention.maps(net.base_net, x, net.category_head())
    head = net.category_head()
    head.train(True)

    def forward(inputs):
        trunk, _ = net.base_net.run_stages(inputs)
        field = head(trunk)
        return (field - field.mean(dim=1, keepdim=True)).mean(dim=(2, 3)), [trunk]
    (reference,), _ = gradcam.grad_cam(forward, x)
    n = reference.shape[2] * reference.shape[3]
    assert all(m is maps['block2'] for m in maps.values())  # one map for every block
    assert float(reference.max()) > 0
    assert torch.allclose(maps['block2'], reference * n, rtol=1e-4, atol=1e-5)


def test_the_first_pass_changes_no_statistics_and_no_gradient():
    net = network().train()
    x = images()
    statistics = {k: v.clone() for k, v in net.state_dict().items() if 'running' in k}
    category_attention.maps(net.base_net, x, net.category_head())
    assert all(torch.equal(net.state_dict()[k], v) for k, v in statistics.items())
    assert all(p.grad is None for p in net.parameters())
    # the forward pass itself updates the statistics once: as one pass with the same maps given
    reference = copy.deepcopy(net)
    maps = category_attention.maps(reference.base_net, x, reference.category_head())
    reference.base_net.run_stages(x, maps)
    net(x)
    updated = [k for k, v in statistics.items() if not torch.equal(net.state_dict()[k], v)]
    assert updated
    assert all(torch.allclose(net.state_dict()[k], reference.state_dict()[k], atol=1e-6) for k in statistics)


def test_maps_change_the_features_and_train_the_blocks_attention_path():
    net = network().train()
    x = images()
    fields = net(x)
    plain = net.base_net.run_stages(x)[0]  # M = 0: the same blocks as plain non-local blocks
    assert not torch.allclose(net.base_net(x, category_head=net.category_head()), plain)
    sum(field.float().abs().mean() for field in fields).backward()
    assert all(float(block.theta.weight.grad.abs().sum()) > 0 for block in net.base_net.nl_blocks.values())
    assert net.category_head().conv.weight.grad is not None


def test_attention_scale_runs_the_first_pass_on_the_resized_image(monkeypatch):
    monkeypatch.setattr(sanl_basenets.SanlBase, 'attention_scale', 0.5)
    net = network().eval()
    base, head = net.base_net, net.category_head()
    assert base.attention_scale == 0.5
    x = images()
    seen = []
    hook = base.input_block.register_forward_hook(lambda module, inputs, output: seen.append(inputs[0].shape[2:]))
    with torch.no_grad():
        features = base(x, category_head=head)
    hook.remove()
    assert [tuple(shape) for shape in seen] == [(24, 32), (49, 65)]  # first pass at half size, then the image
    small = torch.nn.functional.interpolate(x, scale_factor=0.5, mode='bilinear', align_corners=False,
                                            recompute_scale_factor=False)
    maps = category_attention.maps(base, small, head)
    with torch.no_grad():
        assert torch.allclose(features, base.run_stages(x, maps)[0], atol=1e-5)
        assert not torch.allclose(features, base.run_stages(x, category_attention.maps(base, x, head))[0])


@pytest.mark.parametrize('mode', ['inference_mode', 'no_grad'])
def test_works_where_openpifpaf_runs_networks(mode):
    net = network().eval()
    x = images()
    expected = net(x)
    context = torch.inference_mode() if mode == 'inference_mode' else torch.no_grad()
    with context:
        fields = net(x.clone())
    for field, want in zip(fields, expected):
        assert torch.allclose(field, want.detach(), atol=1e-5, equal_nan=True)


def test_costs_no_parameters_beyond_the_blocks(monkeypatch):
    own = network()
    monkeypatch.setattr(sanl_basenets.SanlBase, 'attention_source', 'attention-net')
    torch.manual_seed(0)
    metas = heads.landmark_metas('B', 2) + [heads.category_meta(1)]
    nl, _ = openpifpaf.network.Factory(base_name='resnet18-nl').factory(head_metas=metas)
    assert sum(p.numel() for p in own.parameters()) == sum(p.numel() for p in nl.parameters())


def test_a_network_without_category_head_refuses_with_the_options():
    with pytest.raises(sanl_basenets.SanlConfigError, match='--sanl-attention=category-head.*has none'):
        network(with_category=False)


def test_a_category_head_with_a_context_layer_refuses_with_the_option(monkeypatch):
    monkeypatch.setattr(category_head.CategoryField, 'hidden_features', 8)
    with pytest.raises(sanl_basenets.SanlConfigError, match='--category-head-hidden=0'):
        network()


@pytest.fixture(scope='module')
def data_root(tmp_path_factory):
    return make_dataset(str(tmp_path_factory.mktemp('own') / 'sample'))


def test_train_then_predict_with_the_checkpoint_alone(data_root):
    work = os.path.dirname(data_root)
    run('openpifpaf.train', '--dataset=deepfashion', '--deepfashion-root=' + data_root, '--basenet=resnet18-sanl',
        '--sanl-attention=category-head', '--output=' + os.path.join(work, 'own.pkl'), *TRAIN_OPTIONS, cwd=work)
    checkpoint = os.path.join(work, 'own.pkl.epoch001')
    net = torch.load(checkpoint, weights_only=False)['model']
    assert net.base_net.needs_category_head and net.base_net.attention is None
    assert net.category_head().context is None  # the command line's default under this attention source
    out = os.path.join(work, 'predict') + os.sep
    os.makedirs(out)
    run('openpifpaf.predict', '--checkpoint=' + checkpoint, '--json-output=' + out,
        os.path.join(data_root, 'img', '00001.jpg'), cwd=work)
    with open(out + '00001.jpg.predictions.json') as f:
        assert isinstance(json.load(f), list)
