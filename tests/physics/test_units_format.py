"""Formatting: numbers are shown with the significant figures asked for, never more."""
from mlsyslabs.physics import units as U


def test_fmt_number_rounds_large_numbers_to_significant_figures():
    assert U.fmt_number(63_179.2) == "63,200"
    assert U.fmt_number(1_281_167, 2) == "1,300,000"
    assert U.fmt_number(12_800) == "12,800"
    assert U.fmt_number(999.7) == "1,000"
    assert U.fmt_number(20.26, 2) == "20"
    assert U.fmt_number(0.000123) == "0.000123"
    assert "e" not in U.fmt_number(3.2e21)


def test_pipeline_reference_figures_cite_their_sources():
    from mlsyslabs.physics import pipeline as PL

    for name in ("IMAGENET_TRAIN_IMAGES", "IMAGENET_TRAIN_BYTES", "NVME_READ_BW", "DGX_H100_HOST_RAM",
                 "JPEG_DECODE_PER_WORKER", "RAW_AUGMENT_PER_WORKER", "RAM_CACHE_BW"):
        assert hasattr(PL, name) and PL.SOURCES[name]
