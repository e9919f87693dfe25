"""Head metas as a network with the deepfashion heads has them (shared by the category tests)."""
from openpifpaf_deepfashion.deepfashion import heads


def metas(readout='garment', region='landmarks'):
    """CIF, CAF, category metas at stride 8 (base stride 16, upsample 2), indexed as in a network."""
    result = heads.landmark_metas('B', 2) + [heads.category_meta(2, readout, region)]
    for index, meta in enumerate(result):
        meta.head_index = index
        meta.base_stride = 16
    return result
