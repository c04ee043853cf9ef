"""Tags: photos labelled by phrase (CLIP zero-shot) or taught by example (a linear classifier
on the image vectors). phrase, classifier, teach and cutoff are numpy maths; scored holds a
tag's result. The Library's tags part (parts/tags.py) joins them to the catalog and models."""
