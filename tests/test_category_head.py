"""The category head network: logits and probabilities, its context layer and its options."""
import argparse

import pytest
import torch

import openpifpaf  # first: registering the plugin imports its modules, which need OpenPifPaf loaded

from openpifpaf_deepfashion.deepfashion import constants
from openpifpaf_deepfashion.network import category_head
from openpifpaf_deepfashion.network.category_head import CategoryField

from category_metas import metas  # tests/ is on sys.path (pytest's rootdir-relative imports)

N_CATEGORIES = len(constants.CATEGORIES)


def test_head_gives_logits_in_training_and_probabilities_in_eval():
    meta = metas()[2]
    head = CategoryField(meta, 16)
    x = torch.randn(2, 16, 9, 9)
    head.train()
    logits = head(x)
    assert logits.shape == (2, N_CATEGORIES, 17, 17)  # stride 16 -> 8, as CIF's upsampled field
    head.eval()
    probabilities = head(x)
    assert torch.allclose(probabilities, torch.softmax(logits, dim=1), atol=1e-6)
    image_head = CategoryField(metas('image')[2], 16)
    image_head.load_state_dict(head.state_dict())
    image_head.eval()
    per_image = image_head(x)
    expected = torch.softmax(torch.amax(logits, dim=(2, 3)), dim=1)
    assert torch.allclose(per_image[:, :, 3, 5], expected, atol=1e-6)


def test_context_layer_lets_a_cell_see_its_neighbours_and_old_heads_still_run(monkeypatch):
    meta = metas()[2]
    x = torch.randn(1, 16, 9, 9)
    nudged = x.clone()
    nudged[0, :, 4, 4] += 3.0

    def changed_cells(head):
        head.eval()
        with torch.no_grad():
            difference = (head(nudged) - head(x)).abs().sum(dim=1)[0]
        return {tuple(cell) for cell in torch.nonzero(difference > 1e-6).tolist()}

    monkeypatch.setattr(CategoryField, 'hidden_features', 0)
    plain = CategoryField(meta, 16)
    assert plain.context is None
    # the 1x1 classifier: only the 2x2 upsampled cells of the nudged trunk cell change (the crop cuts the end)
    assert changed_cells(plain) == {(8, 8), (8, 9), (9, 8), (9, 9)}

    monkeypatch.setattr(CategoryField, 'hidden_features', 8)
    with_context = CategoryField(meta, 16)
    assert with_context.conv.in_channels == 8
    rows = {row for row, _ in changed_cells(with_context)}
    assert rows == set(range(6, 12))  # the 3x3 context: the neighbouring trunk cells' 2x2 blocks too

    del with_context._modules['context']  # a head pickled before the context layer existed
    with_context.conv = plain.conv
    assert changed_cells(with_context) == changed_cells(plain)


def test_category_head_hidden_option_defaults_to_a_context_layer_but_not_for_sanl_from_the_head(monkeypatch):
    monkeypatch.setattr(CategoryField, 'hidden_features', CategoryField.hidden_features)
    parser = argparse.ArgumentParser()
    CategoryField.cli(parser)
    parser.add_argument('--basenet', default='shufflenetv2k16')
    parser.add_argument('--sanl-attention', default='attention-net')
    CategoryField.configure(parser.parse_args([]))
    assert CategoryField.hidden_features == 128
    CategoryField.configure(parser.parse_args(['--basenet=resnet18-sanl', '--sanl-attention=category-head']))
    assert CategoryField.hidden_features == 0
    CategoryField.configure(parser.parse_args(['--basenet=resnet18-sanl', '--category-head-hidden=32']))
    assert CategoryField.hidden_features == 32
    with pytest.raises(ValueError, match='--category-head-hidden'):
        CategoryField.configure(parser.parse_args(['--category-head-hidden=-1']))


def test_depthwise_context_reaches_the_same_neighbours_with_one_3x3_filter_per_feature():
    meta = metas()[2]
    dense = CategoryField(meta, 16, hidden_features=8, context_kind='dense')
    depthwise = CategoryField(meta, 16, hidden_features=8, context_kind='depthwise')
    assert dense.context[2].weight.shape == (8, 8, 3, 3)
    assert depthwise.context[2].weight.shape == (8, 1, 3, 3)
    x = torch.randn(1, 16, 9, 9)
    nudged = x.clone()
    nudged[0, :, 4, 4] += 3.0
    depthwise.eval()
    with torch.no_grad():
        difference = (depthwise(nudged) - depthwise(x)).abs().sum(dim=1)[0]
    assert {row for row, _ in torch.nonzero(difference > 1e-6).tolist()} == set(range(6, 12))
    with pytest.raises(ValueError, match='dense'):
        CategoryField(meta, 16, context_kind='separable')


@pytest.mark.parametrize('kwargs', [{'hidden_features': 0}, {'hidden_features': 24, 'context_kind': 'dense'},
                                    {'hidden_features': 24, 'context_kind': 'depthwise'}])
def test_context_options_rebuild_a_head_that_takes_the_weights(monkeypatch, kwargs):
    """What tools/benchmark_network.py does with a checkpoint: the options of its head build one of the same
    shape through the command line."""
    monkeypatch.setattr(CategoryField, 'hidden_features', CategoryField.hidden_features)
    monkeypatch.setattr(CategoryField, 'context_kind', CategoryField.context_kind)
    meta = metas()[2]
    trained = CategoryField(meta, 16, **kwargs)
    parser = argparse.ArgumentParser()
    CategoryField.cli(parser)
    CategoryField.configure(parser.parse_args(category_head.context_options(trained)))
    rebuilt = CategoryField(meta, 16)
    rebuilt.load_state_dict(trained.state_dict())  # strict: the same modules and shapes
    assert category_head.context_options(rebuilt) == category_head.context_options(trained)
    assert (category_head.context_layer(rebuilt) is None) == (kwargs['hidden_features'] == 0)
