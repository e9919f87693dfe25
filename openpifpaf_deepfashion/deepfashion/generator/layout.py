"""DeepFashion's list files, byte for byte in the published layout, and the multi-garment COCO json."""
from ... import atomic
from .. import coco_format, constants
from .options import ATTRIBUTES, SPLITS

# Column where the field after the image name starts, as in the genuine rows of quoted_rows.txt.
LANDMARK_COLUMN = 72  # list_landmarks.txt (and list_bbox.txt, padded the same way here)
PARTITION_COLUMN = 71  # list_eval_partition.txt (and list_category_img.txt, list_attr_img.txt)
CATEGORY_NAME_WIDTH = 15  # list_category_cloth.txt
ATTRIBUTE_NAME_WIDTH = 29  # list_attr_cloth.txt


def write_text_atomic(path, text):
    """Write a list file (``\n`` line ends) so that a reader (or a crash) never sees a partial file."""
    with atomic.atomic_open(path, newline='\n') as f:
        f.write(text)


def padded(name, column):
    """Left-justify name so that the next field starts at column (at least one space after it)."""
    return name.ljust(column - 1) + ' '


def list_file(header, rows, final_newline=True):
    text = '\n'.join([str(len(rows)), header] + rows)
    return text + '\n' if final_newline else text


def landmark_triples(record):
    slots = constants.SLOTS[record.clothes_type]
    return ''.join('  {} {:03d} {:03d}'.format(v, x, y)
                   for x, y, v in (record.landmarks[slot] for slot in slots))


def landmarks_header(benchmark):
    columns = ['image_name', 'clothes_type'] + (['variation_type'] if benchmark == 'fld' else [])
    for i in range(1, len(constants.KEYPOINTS) + 1):
        columns += ['landmark_visibility_{}'.format(i), 'landmark_location_x_{}'.format(i),
                    'landmark_location_y_{}'.format(i)]
    return '  '.join(columns)


def landmarks_row(record, benchmark):
    fields = str(record.clothes_type)
    if benchmark == 'fld':
        fields += '  {}'.format(record.variation_type)
    return padded(record.image_name, LANDMARK_COLUMN) + fields + landmark_triples(record) + ' '


def bbox_row(record, benchmark):
    prefix = '{}  {}  '.format(record.clothes_type, record.variation_type) if benchmark == 'fld' else ''
    return padded(record.image_name, LANDMARK_COLUMN) + prefix + ' '.join('{:03d}'.format(v) for v in record.bbox)


def category_cloth_text():
    """list_category_cloth.txt byte for byte as the genuine file (which has no final newline)."""
    rows = [name.ljust(CATEGORY_NAME_WIDTH) + str(t) for name, t in constants.CATEGORIES]
    return list_file('category_name  category_type', rows, final_newline=False)


def list_files(records, benchmark):
    """Relative path -> text of every list file of the benchmark."""
    files = {
        'Anno/list_landmarks.txt': list_file(landmarks_header(benchmark),
                                             [landmarks_row(r, benchmark) for r in records]),
        'Anno/list_bbox.txt': list_file(
            'image_name  clothes_type  pose_type  x_1  y_1  x_2  y_2' if benchmark == 'fld'
            else 'image_name  x_1  y_1  x_2  y_2', [bbox_row(r, benchmark) for r in records]),
        'Eval/list_eval_partition.txt': list_file(
            'image_name  evaluation_status', [padded(r.image_name, PARTITION_COLUMN) + r.split for r in records]),
    }
    if benchmark == 'category':
        files['Anno/list_category_cloth.txt'] = category_cloth_text()
        files['Anno/list_category_img.txt'] = list_file(
            'image_name  category_label',
            [padded(r.image_name, PARTITION_COLUMN) + str(r.category_id) for r in records])
        files['Anno/list_attr_cloth.txt'] = list_file(
            'attribute_name  attribute_type',
            [padded(name, ATTRIBUTE_NAME_WIDTH) + str(t) for name, t in ATTRIBUTES])
        files['Anno/list_attr_img.txt'] = list_file(
            'image_name  attribute_labels',
            [padded(r.image_name, PARTITION_COLUMN) + ' '.join(
                '{:2d}'.format(1 if i in r.attribute_ids else -1) for i in range(1, len(ATTRIBUTES) + 1))
             for r in records])
    return files


def coco_documents(records, benchmark):
    """Split -> COCO document with every garment; image ids are list_landmarks.txt's 1-based row numbers."""
    images = {split: [] for split in SPLITS}
    annotations = {split: [] for split in SPLITS}
    annotation_id = 0
    for image_id, record in enumerate(records, start=1):
        images[record.split].append(coco_format.image_entry(image_id, record.image_name, record.width,
                                                            record.height))
        for garment in record.garments:
            annotation_id += 1
            keypoints = [(lm[0], lm[1], constants.DEEPFASHION_TO_COCO_VISIBILITY[lm[2]]) if lm else (0, 0, 0)
                         for lm in garment.landmarks]
            category_id = (garment.category_id if benchmark == 'category'
                           else coco_format.GENERIC_CATEGORY_IDS[garment.clothes_type])
            annotations[record.split].append(coco_format.annotation_entry(
                annotation_id, image_id, category_id, garment.clothes_type, keypoints, garment.bbox,
                variation_type=record.variation_type,
                attribute_ids=garment.attribute_ids if benchmark == 'category' else None))
    info = {'description': 'synthetic DeepFashion-layout sample, every garment annotated',
            'benchmark': benchmark}
    return {split: coco_format.coco_document(images[split], annotations[split], info=info) for split in SPLITS}
