"""Sizes read the same everywhere: the CLI, keep reasons and the desktop show one format."""
import pytest

from lookalike.engine.sizes import human_size


@pytest.mark.parametrize("n, text", [
    (0, "0 KB"), (45_000, "45 KB"), (100_000, "0.1 MB"), (1_000_000, "1.0 MB"),
    (363_000_000, "363.0 MB"), (1_300_000_000, "1.3 GB"), (12_300_000_000, "12.3 GB"),
])
def test_sizes_read_in_decimal_units_as_file_managers_show_them(n, text):
    assert human_size(n) == text
