"""Per-category cues drawn over the outline (hoods, zips, collars, cuffs, belts, pockets...) and fabric tastes."""
from .. import constants
from .cue_geometry import CUES
from .shapes import CATEGORY_SHAPES, Shape, base_shape

# What tells a category from its near-confusions besides the outline (CATEGORY_SHAPES).  Drawn in this order,
# after the outline's own details (high-neck band, waistband, full garments' waist seam).  An upper garment's
# open front (CATEGORY_SHAPES) has one closure (CLOSURES); a closed front none but a double-breasted one.
CATEGORY_CUES = {
    'Anorak': ('hood', 'half_zip'), 'Blazer': ('lapels', 'two_buttons', 'flap_pockets'), 'Blouse': ('bow',),
    'Bomber': ('zip', 'rib_hem', 'rib_cuffs'), 'Button-Down': ('shirt_collar', 'front_buttons'),
    'Cardigan': ('front_buttons', 'rib_hem'), 'Flannel': ('shirt_collar', 'front_buttons'),
    'Halter': ('halter_strap',), 'Henley': ('placket',), 'Hoodie': ('hood', 'kangaroo_pocket', 'drawcords'),
    'Jacket': ('zip', 'flap_pockets'), 'Jersey': ('number', 'sleeve_stripes'),
    'Parka': ('fur_trim', 'hood', 'zip', 'flap_pockets'), 'Peacoat': ('lapels', 'double_buttons'),
    'Poncho': ('fringe_hem',), 'Sweater': ('rib_hem', 'rib_cuffs'), 'Tank': ('armhole_trim',),
    'Tee': ('neck_rib',), 'Top': (), 'Turtleneck': ('rib_cuffs',),
    'Capris': (), 'Chinos': ('slant_pockets', 'creases'), 'Culottes': ('pleats',),
    'Cutoffs': ('stitching', 'frayed_hem'), 'Gauchos': (), 'Jeans': ('stitching', 'jeans_pockets', 'fly'),
    'Jeggings': ('stitching',), 'Jodhpurs': ('knee_patches',), 'Joggers': ('drawstring', 'leg_cuffs'),
    'Leggings': (), 'Sarong': ('wrap_line', 'knot'), 'Shorts': ('slant_pockets', 'turn_ups'), 'Skirt': (),
    'Sweatpants': ('drawstring',), 'Sweatshorts': ('drawstring',), 'Trunks': ('side_stripes',),
    'Caftan': ('neck_trim', 'hem_border'), 'Cape': ('cape',), 'Coat': ('lapels', 'double_buttons', 'belt'),
    'Coverup': ('fringe_hem',), 'Dress': (), 'Jumpsuit': ('belt',), 'Kaftan': ('neck_trim',),
    'Kimono': ('wrap_collar', 'obi'), 'Nightdress': ('lace_hem',), 'Onesie': ('hood', 'zip'),
    'Robe': ('wrap_collar', 'sash'), 'Romper': ('front_buttons',), 'Shirtdress': ('shirt_collar', 'front_buttons'),
    'Sundress': ('tiers',),
}
CLOSURES = ('front_buttons', 'two_buttons', 'double_buttons', 'zip', 'half_zip')

# Fabric and texture a category is usually made of (drawn with probability PREFERENCE, else any).
CATEGORY_FABRICS = {
    'Jeans': 'Denim', 'Jeggings': 'Denim', 'Cutoffs': 'Denim', 'Joggers': 'Knit', 'Sweatpants': 'Knit',
    'Sweatshorts': 'Knit', 'Hoodie': 'Knit', 'Sweater': 'Knit', 'Cardigan': 'Knit', 'Turtleneck': 'Knit',
    'Bomber': 'Faux_Leather', 'Blouse': 'Chiffon', 'Nightdress': 'Chiffon', 'Coverup': 'Linen', 'Kaftan': 'Linen',
    'Caftan': 'Linen', 'Chinos': 'Cotton', 'Button-Down': 'Cotton', 'Tee': 'Cotton',
}
CATEGORY_TEXTURES = {'Flannel': 'checks', 'Jeans': 'solid', 'Jeggings': 'solid', 'Cutoffs': 'solid',
                     'Leggings': 'solid', 'Poncho': 'stripes'}
PREFERENCE = 0.7

# Near-confusions: pairs of one clothes type that differ by a cue or two (tests check that they differ in
# pixels, and less than a typical pair of the type does).
NEAR_CONFUSIONS = (
    ('Blouse', 'Top', 'bow at the V-neck (and elbow sleeves, longer body)'),
    ('Blouse', 'Tee', 'V-neck with a bow vs crew neck with a rib band'),
    ('Tee', 'Top', 'crew neck with a rib band (and longer body)'),
    ('Henley', 'Tee', 'button placket (and elbow sleeves)'),
    ('Hoodie', 'Sweater', 'hood, kangaroo pocket, drawcords vs rib hem and cuffs'),
    ('Sweater', 'Turtleneck', 'turtleneck band, no rib hem (and fitted)'),
    ('Cardigan', 'Peacoat', 'one row of buttons, rib hem vs lapels, double-breasted (same outline)'),
    ('Blazer', 'Button-Down', 'lapels, two buttons, flap pockets vs shirt collar, button row'),
    ('Button-Down', 'Flannel', 'checked fabric (mostly; and longer, looser)'),
    ('Bomber', 'Jacket', 'rib hem and cuffs vs high collar, flap pockets'),
    ('Anorak', 'Hoodie', 'half zip vs kangaroo pocket, drawcords'),
    ('Anorak', 'Parka', 'half zip vs full zip, fur-trimmed hood (and longer)'),
    ('Halter', 'Top', 'halter neck strap (and sleeveless)'),
    ('Jeans', 'Jeggings', 'pockets and fly (and straight vs skinny legs); both stitched denim'),
    ('Jeggings', 'Leggings', 'stitched denim'),
    ('Joggers', 'Sweatpants', 'ankle cuffs (and narrower legs)'),
    ('Chinos', 'Jeans', 'creases, slant pockets vs stitching, jeans pockets, fly'),
    ('Shorts', 'Sweatshorts', 'turn-ups, slant pockets vs drawstring'),
    ('Cutoffs', 'Shorts', 'frayed hem vs turn-ups'),
    ('Cutoffs', 'Trunks', 'frayed hem vs side stripes'),
    ('Culottes', 'Gauchos', 'pleats (and narrower)'),
    ('Capris', 'Leggings', 'length: calf vs ankle'),
    ('Dress', 'Sundress', 'tiered skirt (and shorter, wider)'),
    ('Dress', 'Shirtdress', 'shirt collar and button row'),
    ('Caftan', 'Kaftan', 'hem border (and wider)'),
    ('Kaftan', 'Robe', 'neck trim vs wrap collar and sash'),
    ('Coat', 'Robe', 'lapels, double-breasted buttons, buckled belt vs wrap collar and sash'),
    ('Cape', 'Kimono', 'cape over the shoulders vs sleeves, wrap collar, obi'),
    ('Jumpsuit', 'Onesie', 'hood and zip vs belt (and long sleeves)'),
    ('Coverup', 'Sundress', 'fringed hem vs tiers'),
)


def garment_shape(category_id, pose, cues=True):
    """Outline, landmarks and details of a category; cues=False leaves out CATEGORY_CUES (landmarks are the
    same either way)."""
    shape = base_shape(category_id, pose)
    if not cues:
        return shape
    name = constants.CATEGORY_NAMES[category_id - 1]
    polygons, details = list(shape.polygons), list(shape.details)
    for cue in CATEGORY_CUES[name]:
        extra_polygons, extra_details = CUES[cue](shape.anchors, shape)
        polygons += extra_polygons
        details += extra_details
    return Shape(polygons, shape.landmarks, details, shape.anchors, shape.neck)


def check_tables():
    """Every category has cues that exist; an open front has exactly one closure, a closed one none or
    double_buttons."""
    for name, cues in CATEGORY_CUES.items():
        unknown = [cue for cue in cues if cue not in CUES]
        if unknown:
            raise ValueError('{}: unknown cues {}'.format(name, unknown))
        shape = CATEGORY_SHAPES[name]
        closures = [cue for cue in cues if cue in CLOSURES]
        if len(shape) == 5 and (len(closures) != 1 if shape[3] else closures not in ([], ['double_buttons'])):
            raise ValueError('{}: an open front has one closure, a closed one none (or double_buttons)'.format(name))
    if set(CATEGORY_CUES) != set(CATEGORY_SHAPES):
        raise ValueError('CATEGORY_CUES must name every category')


check_tables()
