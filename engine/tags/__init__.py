"""Tags: photos labelled by phrase (CLIP zero-shot) or taught by example (a linear classifier
on the image vectors). Pure numpy maths; the Library's tags part (parts/tags.py) joins it to
the catalog and the models."""
