"""DeepFashion2: 13 garment categories, each with its own landmarks (294 slots in all), every garment of street
and shop photos labelled.  Constants (slots, skeletons, flips, sigmas, canonical poses), the raw ``annos``
converter and the reader of COCO-style DeepFashion2 json."""
