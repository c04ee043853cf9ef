"""Metadata merged into a keeper before its copies go: what it reads from a photo and its
sidecars, what a plan copies (only what the keeper lacks), and writing that into a sidecar or
into the photo itself without ever leaving a half-written file."""
import os

import numpy as np
import pytest
from PIL import Image

from lookalike.engine.actions import metadata, xmp
from lookalike.engine.actions.metadata import MetadataError, PhotoMeta
from lookalike.engine.errors import LookalikeError
from helpers import photo, save

pyexiv2 = pytest.importorskip("pyexiv2")

EIFFEL = (48.85837, 2.29448)


def exif(taken_at=None, gps=None, altitude=None, make=None, model=None) -> Image.Exif:
    """EXIF as cameras write it: Make/Model in IFD0, DateTimeOriginal in the Exif IFD
    (0x8769), degrees/minutes/seconds with N/S/E/W refs in the GPS IFD (0x8825)."""
    tags = Image.Exif()
    if make:
        tags[0x010F] = make
    if model:
        tags[0x0110] = model
    if taken_at:
        tags.get_ifd(0x8769)[0x9003] = taken_at
    if gps:
        ifd = tags.get_ifd(0x8825)
        for ref_tag, value_tag, value, signs in ((1, 2, gps[0], "NS"), (3, 4, gps[1], "EW")):
            whole, rest = divmod(abs(value) * 3600, 3600)
            minutes, seconds = divmod(rest, 60)
            ifd[ref_tag] = signs[value < 0]
            ifd[value_tag] = (float(whole), float(minutes), round(seconds, 4))
        if altitude is not None:
            ifd[5] = b"\x01" if altitude < 0 else b"\x00"
            ifd[6] = abs(altitude)
    return tags


def jpeg(path, seed=0, **tags):
    path.parent.mkdir(parents=True, exist_ok=True)
    photo(seed, size=(160, 120)).save(path, "JPEG", quality=90, exif=exif(**tags) if tags else b"")
    return path


def embed(path, xmp_props=None, iptc=None):
    """Writes XMP / IPTC into a test photo through exiv2 (set-up, not the code under test)."""
    image = pyexiv2.Image(str(path))
    try:
        if xmp_props:
            image.modify_xmp(xmp_props)
        if iptc:
            image.modify_iptc(iptc)
    finally:
        image.close()


def sidecar(path, body: str, attrs: str = ""):
    """An XMP sidecar as Lightroom or darktable leaves one: `attrs` on rdf:Description, `body` inside."""
    path.write_text(
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:lr="http://ns.adobe.com/lightroom/1.0/" '
        f'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" xmlns:exif="http://ns.adobe.com/exif/1.0/" {attrs}>\n'
        f'{body}\n</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end="w"?>\n', encoding="utf-8")
    return path


def sidecar_xmp(path) -> dict:
    image = pyexiv2.Image(str(path))
    try:
        return image.read_xmp()
    finally:
        image.close()


def leftovers(folder) -> list:
    return [n for n in os.listdir(folder) if n.startswith(".lookalike-")]


# ----- reading what pyexiv2 hands back ------------------------------------------------------------

def test_reading_a_camera_jpeg_gives_its_date_gps_with_refs_altitude_and_camera(tmp_path):
    path = jpeg(tmp_path / "south west.jpg", taken_at="2019:12:24 18:05:09", gps=(-33.85678, -70.64827),
                altitude=-12.5, make="NIKON CORPORATION", model="NIKON D750")
    meta = metadata.read(path)
    assert meta.taken_at == "2019-12-24T18:05:09"
    assert meta.gps[0] == pytest.approx(-33.85678, abs=1e-6) and meta.gps[1] == pytest.approx(-70.64827, abs=1e-6)
    assert meta.gps[2] == pytest.approx(-12.5)
    assert (meta.make, meta.model) == ("NIKON CORPORATION", "NIKON D750")


def test_exiv2_value_forms_are_parsed_lang_alt_bags_rationals_and_xmp_coordinates():
    assert xmp.text({'lang="fr"': "Titre", 'lang="x-default"': "Title"}) == "Title"
    assert xmp.text({'lang="en-US"': "Only English"}) == "Only English"
    assert xmp.text("Canon\x00\x00\x00 ") == "Canon"
    assert xmp.keywords(["paris", " ", "Paris", "tower"]) == ("paris", "tower")
    assert xmp.keywords("alone") == ("alone",)
    gps = xmp.exif_gps({"Exif.GPSInfo.GPSLatitude": "48/1 51/1 3013/100", "Exif.GPSInfo.GPSLatitudeRef": "N",
                        "Exif.GPSInfo.GPSLongitude": "2/1 17/1 4013/100", "Exif.GPSInfo.GPSLongitudeRef": "W",
                        "Exif.GPSInfo.GPSAltitude": "71/2", "Exif.GPSInfo.GPSAltitudeRef": "0"})
    assert gps == pytest.approx((48.858369, -2.294481, 35.5), abs=1e-6)
    no_fix = {"Exif.GPSInfo.GPSLatitude": "0/0 0/0 0/0", "Exif.GPSInfo.GPSLongitude": "0/0 0/0 0/0"}
    assert xmp.exif_gps(no_fix) is None
    lat, lon, alt = xmp.xmp_gps({"Xmp.exif.GPSLatitude": "48,51.5022N", "Xmp.exif.GPSLongitude": "2,17,40.13E"})
    assert (round(lat, 5), round(lon, 6), alt) == (48.85837, 2.294481, None)
    lat, lon, alt = xmp.xmp_gps({"Xmp.exif.GPSLatitude": "33,51.4068S", "Xmp.exif.GPSLongitude": "2,17,40.13E"})
    assert (round(lat, 5), round(lon, 5), alt) == (-33.85678, 2.29448, None)
    assert xmp.xmp_gps({"Xmp.exif.GPSLatitude": "48,51.5E", "Xmp.exif.GPSLongitude": "2,17.6E"}) is None
    assert xmp.date("2020-01-02T03:04:05.12+02:00") == "2020-01-02T03:04:05"
    assert xmp.date("2020-01-02") is None and xmp.date("0000:00:00 00:00:00") is None
    assert (xmp.rating("4.0"), xmp.rating("-1"), xmp.rating("junk")) == (4, None, None)


def test_xmp_coordinates_written_read_back_to_the_same_place():
    for value in (48.85837, -33.85678, 0.000004, 179.999999):
        text = xmp.xmp_coordinate(value, "EW")
        assert xmp._xmp_coordinate(text, "EW") == pytest.approx(value, abs=1e-7)
    assert xmp.exif_coordinate(10.9999999999) == "11/1 0/1 0/10000"   # no '60 seconds'


def test_embedded_xmp_and_iptc_give_keywords_title_description_and_rating(tmp_path):
    path = jpeg(tmp_path / "tagged.jpg")
    embed(path, {"Xmp.dc.subject": ["paris", "tower"], "Xmp.dc.title": {'lang="x-default"': "Eiffel"},
                 "Xmp.dc.description": {'lang="x-default"': "At dusk,\nfrom the river"}, "Xmp.xmp.Rating": "4"})
    meta = metadata.read(path)
    assert (meta.keywords, meta.title, meta.description, meta.rating) == (
        ("paris", "tower"), "Eiffel", "At dusk,\nfrom the river", 4)
    iptc_only = jpeg(tmp_path / "iptc.jpg")
    embed(iptc_only, iptc={"Iptc.Application2.Keywords": ["café"], "Iptc.Application2.ObjectName": "Obj",
                           "Iptc.Application2.Caption": "Cap"})
    assert metadata.read(iptc_only) == PhotoMeta(keywords=("café",), title="Obj", description="Cap")


def test_sidecars_win_over_embedded_values_and_name_ext_xmp_wins_over_name_xmp(tmp_path):
    path = jpeg(tmp_path / "IMG_7.jpg", taken_at="2021:06:03 14:22:05")
    embed(path, {"Xmp.xmp.Rating": "2", "Xmp.dc.title": {'lang="x-default"': "embedded"}})
    sidecar(tmp_path / "IMG_7.xmp", "", 'xmp:Rating="3" photoshop:DateCreated="2022-01-01T10:00:00"')
    assert (metadata.read(path).rating, metadata.read(path).taken_at) == (3, "2022-01-01T10:00:00")
    sidecar(tmp_path / "IMG_7.jpg.xmp", "", 'xmp:Rating="5"')
    meta = metadata.read(path)
    assert (meta.rating, meta.taken_at, meta.title) == (5, "2022-01-01T10:00:00", "embedded")


def test_sidecar_path_extends_an_adobe_name_xmp_only_when_no_name_ext_xmp_exists(tmp_path):
    path = jpeg(tmp_path / "IMG_1.jpg")
    assert metadata.sidecar_path(path) == str(tmp_path / "IMG_1.jpg.xmp")
    sidecar(tmp_path / "IMG_1.xmp", "")
    assert metadata.sidecar_path(path) == str(tmp_path / "IMG_1.xmp")
    sidecar(tmp_path / "IMG_1.jpg.xmp", "")
    assert metadata.sidecar_path(path) == str(tmp_path / "IMG_1.jpg.xmp")


# ----- planning ------------------------------------------------------------------------------

def test_a_keeper_without_exif_gets_the_donors_date_and_gps_in_a_new_sidecar(tmp_path):
    keeper = jpeg(tmp_path / "keep.jpg", seed=1)
    donor = jpeg(tmp_path / "IMG_1.jpg", seed=1, taken_at="2021:06:03 14:22:05", gps=EIFFEL)
    before = keeper.read_bytes()
    plan = metadata.plan_merge(keeper, [donor])
    assert plan.lines == ["capture date 2021-06-03 14:22:05 from IMG_1.jpg", "GPS 48.85837, 2.29448 from IMG_1.jpg"]
    assert plan.sources == {"taken_at": str(donor), "gps": str(donor)}
    written = metadata.write_sidecar(plan)
    assert written == str(tmp_path / "keep.jpg.xmp") and keeper.read_bytes() == before
    meta = metadata.read(keeper)
    assert meta.taken_at == "2021-06-03T14:22:05" and meta.gps[:2] == pytest.approx(EIFFEL, abs=1e-6)
    raw = sidecar_xmp(written)   # independently, through exiv2 on the sidecar alone
    assert raw["Xmp.exif.DateTimeOriginal"] == raw["Xmp.photoshop.DateCreated"] == "2021-06-03T14:22:05"
    degrees, minutes = raw["Xmp.exif.GPSLatitude"].rstrip("N").split(",")
    assert int(degrees) + float(minutes) / 60 == pytest.approx(EIFFEL[0], abs=1e-6)
    assert raw["Xmp.exif.GPSLongitude"].endswith("E") and leftovers(tmp_path) == []
    assert metadata.plan_merge(keeper, [donor]).empty


def test_a_keeper_with_its_own_date_keeps_it_and_still_gets_what_it_lacks(tmp_path):
    keeper = jpeg(tmp_path / "keep.jpg", taken_at="2020:01:01 09:00:00")
    donor = jpeg(tmp_path / "donor.jpg", taken_at="2021:06:03 14:22:05", gps=EIFFEL, make="Canon", model="EOS R5")
    plan = metadata.plan_merge(keeper, [donor])
    assert "taken_at" not in plan.fields and set(plan.fields) == {"gps", "make", "model"}
    metadata.write_sidecar(plan)
    assert metadata.read(keeper).taken_at == "2020-01-01T09:00:00"
    assert "Xmp.exif.DateTimeOriginal" not in sidecar_xmp(metadata.sidecar_path(keeper))
    assert (metadata.read(keeper).make, metadata.read(keeper).model) == ("Canon", "EOS R5")


def test_the_first_donor_in_the_given_order_supplies_a_field(tmp_path):
    keeper = jpeg(tmp_path / "keep.jpg")
    first = jpeg(tmp_path / "b.jpg", taken_at="2001:01:01 01:01:01")
    second = jpeg(tmp_path / "a.jpg", taken_at="2002:02:02 02:02:02", gps=EIFFEL)
    plan = metadata.plan_merge(keeper, [first, second])
    assert plan.fields["taken_at"] == "2001-01-01T01:01:01" and plan.sources["gps"] == str(second)


def test_keywords_are_unioned_without_duplicates_keeping_the_keepers_own(tmp_path):
    keeper = jpeg(tmp_path / "keep.jpg")
    embed(keeper, iptc={"Iptc.Application2.Keywords": ["Paris"]})
    one, two = jpeg(tmp_path / "one.jpg"), jpeg(tmp_path / "two.jpg")
    embed(one, {"Xmp.dc.subject": ["paris", "tower"]})
    embed(two, {"Xmp.dc.subject": ["Tower", "louvre", "tower"]})
    plan = metadata.plan_merge(keeper, [one, two])
    assert plan.fields["keywords"] == ("tower", "louvre")
    assert plan.lines == ["keyword tower from one.jpg", "keyword louvre from two.jpg"]
    path = metadata.write_sidecar(plan)
    assert metadata.read(keeper).keywords == ("Paris", "tower", "louvre")
    assert sidecar_xmp(path)["Xmp.dc.subject"] == ["Paris", "tower", "louvre"]
    assert "<rdf:Bag>" in open(path, encoding="utf-8").read()   # dc:subject is a bag, not a Seq


def test_an_existing_lightroom_name_xmp_is_extended_keeping_its_other_properties(tmp_path):
    keeper = jpeg(tmp_path / "IMG_2.jpg")
    lr = sidecar(tmp_path / "IMG_2.xmp", '<lr:hierarchicalSubject><rdf:Bag><rdf:li>Places|Paris</rdf:li>'
                 '</rdf:Bag></lr:hierarchicalSubject><dc:subject><rdf:Bag><rdf:li>paris</rdf:li></rdf:Bag></dc:subject>',
                 'xmp:Label="Red" xmp:Rating="3"')
    os.chmod(lr, 0o640)
    donor = jpeg(tmp_path / "IMG_2 copy.jpg", taken_at="2021:06:03 14:22:05")
    embed(donor, {"Xmp.dc.subject": ["tower"], "Xmp.xmp.Rating": "5", "Xmp.dc.title": {'lang="x-default"': "T"}})
    plan = metadata.plan_merge(keeper, [donor])
    assert set(plan.fields) == {"taken_at", "keywords", "title"}   # it has a rating: 3 stays
    assert metadata.write_sidecar(plan) == str(lr)
    props = sidecar_xmp(lr)
    assert props["Xmp.lr.hierarchicalSubject"] == ["Places|Paris"] and props["Xmp.xmp.Label"] == "Red"
    assert props["Xmp.xmp.Rating"] == "3" and props["Xmp.dc.subject"] == ["paris", "tower"]
    assert props["Xmp.dc.title"] == {'lang="x-default"': "T"}
    assert not (tmp_path / "IMG_2.jpg.xmp").exists() and leftovers(tmp_path) == []
    assert os.stat(lr).st_mode & 0o777 == 0o640


def test_a_camera_model_comes_only_from_a_copy_of_the_same_make(tmp_path):
    keeper = jpeg(tmp_path / "keep.jpg", make="Canon")
    other = jpeg(tmp_path / "nikon.jpg", make="NIKON", model="D750")
    same = jpeg(tmp_path / "canon.jpg", make="canon", model="EOS R5")
    assert metadata.plan_merge(keeper, [other]).empty
    assert metadata.plan_merge(keeper, [other, same]).fields == {"model": "EOS R5"}


def test_a_rating_of_zero_is_unrated_and_takes_a_donors_stars(tmp_path):
    keeper, donor = jpeg(tmp_path / "keep.jpg"), jpeg(tmp_path / "donor.jpg")
    embed(keeper, {"Xmp.xmp.Rating": "0"})
    embed(donor, {"Xmp.xmp.Rating": "4"})
    assert metadata.plan_merge(keeper, [donor]).fields == {"rating": 4}


def test_a_corrupt_donor_is_skipped_with_a_reason_and_the_others_still_give(tmp_path):
    keeper = jpeg(tmp_path / "keep.jpg")
    good = jpeg(tmp_path / "good.jpg", taken_at="2021:06:03 14:22:05")
    garbage = tmp_path / "garbage.jpg"
    garbage.write_bytes(b"\x00not a photo at all" * 50)
    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes(good.read_bytes()[:40])
    plan = metadata.plan_merge(keeper, [garbage, truncated, tmp_path / "gone.jpg", good])
    assert plan.fields == {"taken_at": "2021-06-03T14:22:05"}
    assert [os.path.basename(p) for p, _ in plan.skipped] == ["garbage.jpg", "truncated.jpg", "gone.jpg"]
    assert all(reason for _, reason in plan.skipped)
    assert "3 copies could not be read" in metadata.describe(plan) and "gone.jpg (no such file" in metadata.describe(plan)


def test_an_unreadable_keeper_is_a_readable_error_not_a_plan(tmp_path):
    keeper = tmp_path / "keep.jpg"
    keeper.write_bytes(b"")
    with pytest.raises(LookalikeError, match="keep.jpg could not be read: an empty file"):
        metadata.plan_merge(keeper, [jpeg(tmp_path / "d.jpg", taken_at="2021:06:03 14:22:05")])


def test_a_damaged_sidecar_of_the_keeper_is_refused_and_left_alone(tmp_path):
    keeper = jpeg(tmp_path / "keep.jpg")
    broken = tmp_path / "keep.jpg.xmp"
    broken.write_text('<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RD')
    before = broken.read_bytes()
    with pytest.raises(MetadataError, match="its sidecar keep.jpg.xmp is"):
        metadata.plan_merge(keeper, [jpeg(tmp_path / "d.jpg", taken_at="2021:06:03 14:22:05")])
    assert broken.read_bytes() == before


def test_an_empty_plan_when_the_keeper_already_has_everything(tmp_path):
    keeper = jpeg(tmp_path / "keep.jpg", taken_at="2020:01:01 09:00:00", gps=EIFFEL)
    embed(keeper, {"Xmp.dc.subject": ["paris", "tower"]})
    donor = jpeg(tmp_path / "donor.jpg", taken_at="2021:06:03 14:22:05", gps=(1.0, 2.0))
    embed(donor, {"Xmp.dc.subject": ["TOWER"]})
    plan = metadata.plan_merge(keeper, [donor, keeper])
    assert plan.empty and plan.fields == {} and plan.lines == [] and plan.skipped == []
    assert "nothing needs copying" in metadata.describe(plan)
    assert metadata.write_sidecar(plan) == str(tmp_path / "keep.jpg.xmp")
    assert not (tmp_path / "keep.jpg.xmp").exists()


def test_describe_names_the_keeper_and_every_line(tmp_path):
    keeper = jpeg(tmp_path / "keep.jpg")
    donor = jpeg(tmp_path / "IMG_1.jpg", taken_at="2021:06:03 14:22:05", gps=EIFFEL)
    text = metadata.describe(metadata.plan_merge(keeper, [donor]))
    assert text.startswith("Before its copies go, keep.jpg receives") and "\n" not in text
    assert "capture date 2021-06-03 14:22:05 from IMG_1.jpg; GPS 48.85837, 2.29448 from IMG_1.jpg." in text


# ----- writing into the photo ---------------------------------------------------------------

def test_write_in_file_gives_pillow_the_date_and_gps_and_leaves_the_pixels_alone(tmp_path):
    keeper = jpeg(tmp_path / "keep.jpg", seed=3)
    donor = jpeg(tmp_path / "donor.jpg", seed=3, taken_at="2021:06:03 14:22:05", gps=(-33.85678, 151.21541),
                 altitude=58.0)
    embed(donor, {"Xmp.dc.subject": ["sydney", "opéra"], "Xmp.dc.title": {'lang="x-default"': "Harbour"}})
    pixels = np.asarray(Image.open(keeper))
    metadata.write_in_file(metadata.plan_merge(keeper, [donor]))
    with Image.open(keeper) as image:
        tags = image.getexif()
        assert tags.get_ifd(0x8769)[0x9003] == "2021:06:03 14:22:05"
        gps = tags.get_ifd(0x8825)
        lat = sum(float(v) / 60 ** i for i, v in enumerate(gps[2]))
        assert gps[1] == "S" and lat == pytest.approx(33.85678, abs=1e-5) and gps[3] == "E"
        assert float(gps[6]) == pytest.approx(58.0)
        assert np.array_equal(np.asarray(image), pixels)
    meta = metadata.read(keeper)
    assert (meta.keywords, meta.title) == (("sydney", "opéra"), "Harbour")
    image = pyexiv2.Image(str(keeper))
    assert image.read_iptc()["Iptc.Application2.Keywords"] == ["sydney", "opéra"]
    image.close()
    assert leftovers(tmp_path) == [] and not (tmp_path / "keep.jpg.xmp").exists()


def test_a_crash_before_the_rename_leaves_the_keeper_as_it_was_and_no_temporary(tmp_path, monkeypatch):
    keeper = jpeg(tmp_path / "keep.jpg")
    donor = jpeg(tmp_path / "donor.jpg", taken_at="2021:06:03 14:22:05")
    before = keeper.read_bytes()
    plan = metadata.plan_merge(keeper, [donor])

    def power_cut(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(metadata.os, "replace", power_cut)
    with pytest.raises(MetadataError, match="keep.jpg could not be written: the disk is full; it was left as it is"):
        metadata.write_in_file(plan)
    with pytest.raises(MetadataError):
        metadata.write_sidecar(plan)
    assert keeper.read_bytes() == before and leftovers(tmp_path) == []
    assert not (tmp_path / "keep.jpg.xmp").exists()


def test_write_in_file_refuses_formats_exiv2_cannot_write_and_raw_files(tmp_path):
    donor = jpeg(tmp_path / "donor.jpg", taken_at="2021:06:03 14:22:05")
    bmp = save(photo(0, size=(32, 24)), tmp_path / "old.bmp")
    before = bmp.read_bytes()
    with pytest.raises(MetadataError, match=r"cannot write metadata into old.bmp .*write a sidecar instead"):
        metadata.write_in_file(metadata.plan_merge(bmp, [donor]))
    assert bmp.read_bytes() == before
    plan = metadata.MergePlan(keeper=str(tmp_path / "IMG.CR2"), fields={"taken_at": "2021-06-03T14:22:05"})
    with pytest.raises(MetadataError, match="does not write into RAW files such as IMG.CR2"):
        metadata.write_in_file(plan)


@pytest.mark.parametrize("name", ["my holiday photo.jpg", "café 東京 ✓.jpg", "trip.2021.06.jpg", ".hidden.jpg"])
def test_odd_file_names_get_their_own_sidecar_and_in_file_metadata(tmp_path, name):
    keeper = jpeg(tmp_path / "sub dir" / name)
    donor = jpeg(tmp_path / "sub dir" / f"copy of {name}", taken_at="2021:06:03 14:22:05", gps=EIFFEL)
    embed(donor, {"Xmp.dc.subject": ["naïve"]})
    plan = metadata.plan_merge(keeper, [donor])
    assert metadata.write_sidecar(plan) == str(tmp_path / "sub dir" / f"{name}.xmp")
    assert metadata.read(keeper).keywords == ("naïve",)
    os.remove(metadata.sidecar_path(keeper))
    metadata.write_in_file(plan)
    meta = metadata.read(keeper)
    assert meta.taken_at == "2021-06-03T14:22:05" and meta.keywords == ("naïve",)
    assert leftovers(tmp_path / "sub dir") == []


def test_titles_and_descriptions_with_quotes_markup_and_newlines_survive_the_sidecar(tmp_path):
    keeper, donor = jpeg(tmp_path / "keep.jpg"), jpeg(tmp_path / "donor.jpg")
    title, description = 'He said "cheese" & <smiled>', "Line one, lang=\nline two – 東京"
    embed(donor, {"Xmp.dc.title": {'lang="x-default"': title}, "Xmp.dc.description": {'lang="x-default"': description}})
    metadata.write_sidecar(metadata.plan_merge(keeper, [donor]))
    meta = metadata.read(keeper)
    assert (meta.title, meta.description) == (title, description)
