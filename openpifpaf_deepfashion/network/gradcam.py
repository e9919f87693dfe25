"""Grad-CAM (Selvaraju et al. 2017) and the closed-form CAM (Zhou et al. 2016).

Grad-CAM of class c at a feature map A (B x K x h x w)::

    alpha_k = mean over (i, j) of d y_c / d A_k(i, j),      L = ReLU(sum_k alpha_k A_k)      (B x 1 x h x w)

For a last feature map followed by global average pooling and a linear classifier (y_c = sum_k w_ck mean(A_k) + b_c)
the gradient is w_ck / (h w) everywhere, so Grad-CAM there is ReLU(CAM) / (h w) with CAM = sum_k w_ck A_k:
:func:`class_activation_map` gives it without a backward pass (and so it can be exported to ONNX).

:func:`grad_cam` needs gradients, also when it is called where OpenPifPaf runs its networks, inside
``torch.no_grad()`` or ``torch.inference_mode()``: it leaves inference mode and enables grad for its own forward
and backward pass only (cloning the input, which may be an inference tensor), and returns detached maps.  The
gradients are taken with ``torch.autograd.grad``: no parameter's ``.grad`` is touched.
"""
import torch


def _class_index(logits, class_index):
    """One class per image: the predicted one (None), the same for all (int) or one each (B tensor)."""
    if class_index is None:
        return torch.argmax(logits, dim=1)
    if isinstance(class_index, int):
        return torch.full((logits.shape[0],), class_index, dtype=torch.long, device=logits.device)
    return torch.as_tensor(class_index, dtype=torch.long, device=logits.device).reshape(logits.shape[0])


def grad_cam(forward, inputs, class_index=None):
    """Grad-CAM maps of one class per image at every feature map that ``forward`` returns.

    :param forward: ``forward(inputs) -> (logits B x n_classes, [feature maps B x K x h x w, ...])``; the
        feature maps must be part of the computation of the logits
    :param inputs: the network input (any tensor; it is cloned, so an inference tensor is fine)
    :param class_index: None for each image's predicted class, an int, or a tensor of B class indices
    :returns: ``(maps, classes)``: the list of B x 1 x h x w maps (non-negative, detached) and the B classes used
    """
    with torch.inference_mode(False), torch.enable_grad():
        # a clone made outside inference mode is a normal tensor; requiring grad on it makes the features
        # require grad even when every parameter of the network is frozen
        x = inputs.clone().requires_grad_(True)
        logits, features = forward(x)
        classes = _class_index(logits, class_index)
        score = logits.gather(1, classes.reshape(-1, 1)).sum()  # images are independent: one backward for all
        gradients = torch.autograd.grad(score, list(features), allow_unused=True)
        maps = []
        for feature, gradient in zip(features, gradients):
            if gradient is None:
                raise ValueError('Grad-CAM: a feature map of shape {} is not used by the logits'.format(
                    tuple(feature.shape)))
            alpha = gradient.mean(dim=(2, 3), keepdim=True)
            maps.append(torch.relu((alpha * feature).sum(dim=1, keepdim=True)).detach())
    return maps, classes.detach()


def class_activation_map(features, weight, class_index, relu=True):
    """CAM = sum_k w_ck A_k for a last feature map A (B x K x h x w) and a linear classifier's weight (n x K).

    ``class_index``: a tensor of B classes (or an int).  With ``relu`` (default) the map is ReLU(CAM), which
    equals Grad-CAM at that layer times h w.  Works in any grad mode; no backward pass."""
    if isinstance(class_index, int):
        class_index = torch.full((features.shape[0],), class_index, dtype=torch.long, device=features.device)
    class_weights = weight.index_select(0, class_index.reshape(-1)).to(dtype=features.dtype)  # B x K
    cam = torch.einsum('bk,bkhw->bhw', class_weights, features).unsqueeze(1)
    return torch.relu(cam) if relu else cam
