"""Every altered, truncated, misaddressed or malformed bundle is rejected with a specific reason."""

from __future__ import annotations

import io
import json
import struct
import warnings
import zipfile
from datetime import date

import pyrage
import pytest
from bundle_samples import SpokeKey, document, lookup, new_id

from vrp_tui.bundle import BundleRejected, names, read_bundle
from vrp_tui.bundle import bag as bagit
from vrp_tui.bundle.writer import bag_files, encrypt, zip_bag

FOLDER = "bristol_2025-26-Q1_v1"
WHEN = date(2025, 7, 3)


@pytest.fixture(scope="module")
def key() -> SpokeKey:
    return SpokeKey()


@pytest.fixture(scope="module")
def hub() -> pyrage.x25519.Identity:
    return pyrage.x25519.Identity.generate()


@pytest.fixture(scope="module")
def files(key: SpokeKey) -> dict[str, bytes]:
    return bag_files(document(), spoke="bristol", spoke_name="Bristol", period="2025-26-Q1", version=1,
                     bundle_id=new_id(), supersedes=None, secret_key=key.unlocked(), bagging_date=WHEN)


def seal(archive: bytes, hub: pyrage.x25519.Identity) -> bytes:
    return encrypt(archive, str(hub.to_public()))


def read(data: bytes, hub: pyrage.x25519.Identity, key: SpokeKey, **limits: int):  # type: ignore[no-untyped-def]
    return read_bundle(data, hub, lookup((key.key_id, key.enrolled())), **limits)


def reason(data: bytes, hub: pyrage.x25519.Identity, key: SpokeKey, **limits: int) -> str:
    with pytest.raises(BundleRejected) as caught:
        read(data, hub, key, **limits)
    assert "\n" not in caught.value.reason
    assert str(caught.value) == caught.value.reason
    return caught.value.reason


def resign(files: dict[str, bytes], key: SpokeKey, *, comment: str | None = None,
           spoke: str = "bristol") -> dict[str, bytes]:
    """Recompute manifests and signature after a change, as a spoke with its own key could."""
    out = dict(files)
    payload = {names.RETURN_JSON: out[names.RETURN_JSON]}
    out[names.MANIFEST] = bagit.manifest_txt(payload)
    out[names.TAG_MANIFEST] = bagit.manifest_txt({p: out[p] for p in names.TAG_FILES})
    old = out[names.SIGNATURE].decode().splitlines()[2].removeprefix("trusted comment: ")
    signature = key.unlocked().sign(out[names.TAG_MANIFEST], untrusted_comment=f"signature from the {spoke} spoke key",
                                    trusted_comment=comment or old)
    out[names.SIGNATURE] = bytes(signature) + b"\n"
    return out


def with_info(files: dict[str, bytes], label: str, value: str) -> dict[str, bytes]:
    lines = [line for line in files[names.BAG_INFO].decode().splitlines() if not line.startswith(label + ":")]
    info = "".join(f"{line}\n" for line in [*lines, f"{label}: {value}"])
    return {**files, names.BAG_INFO: info.encode()}


def test_the_untouched_bundle_is_accepted(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    assert read(seal(zip_bag(FOLDER, files, WHEN), hub), hub, key).name == FOLDER


# -- the outer file ----------------------------------------------------------------------


def test_every_flipped_byte_of_the_outer_file_is_rejected(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    data = seal(zip_bag(FOLDER, files, WHEN), hub)
    for position in range(len(data)):
        tampered = bytearray(data)
        tampered[position] ^= 0x01
        with pytest.raises(BundleRejected):
            read(bytes(tampered), hub, key)


def test_a_truncated_file_is_rejected(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    data = seal(zip_bag(FOLDER, files, WHEN), hub)
    for length in [0, 1, 21, 22, 60, len(data) // 2, len(data) - 17, len(data) - 1]:
        with pytest.raises(BundleRejected):
            read(data[:length], hub, key)
    assert "damaged or truncated" in reason(data[:-1], hub, key)


def test_not_an_age_file(key, hub) -> None:  # type: ignore[no-untyped-def]
    assert reason(b"PK\x03\x04 a zip, not encrypted", hub, key).startswith("not an age file")


def test_a_file_over_the_size_limit(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    data = seal(zip_bag(FOLDER, files, WHEN), hub)
    assert "more than the 100 a bundle may be" in reason(data, hub, key, max_bundle_bytes=100)


def test_age_content_that_is_not_a_zip(key, hub) -> None:  # type: ignore[no-untyped-def]
    assert "not a readable ZIP" in reason(seal(b"just some text", hub), hub, key)


# -- inside each member ---------------------------------------------------------------------


def _untrusted(content: bytes) -> range:
    """Where a signature's untrusted comment text is: any text there is accepted (SPEC section 5)."""
    return range(len(b"untrusted comment: "), content.index(b"\n"))


@pytest.mark.parametrize("member", names.MEMBERS)
def test_every_flipped_byte_inside_a_member_is_rejected(member, files, key, hub) -> None:  # type: ignore[no-untyped-def]
    content = files[member]
    step = 1 if len(content) < 1000 else 7
    free = _untrusted(content) if member == names.SIGNATURE else range(0)
    for position in range(0, len(content), step):
        if position in free:
            continue
        changed = bytearray(content)
        changed[position] ^= 0x01
        data = seal(zip_bag(FOLDER, {**files, member: bytes(changed)}, WHEN), hub)
        with pytest.raises(BundleRejected):
            read(data, hub, key)


@pytest.mark.parametrize(("member", "expected"), [
    (names.RETURN_JSON, "checksum mismatch for data/return.json in manifest-sha256.txt"),
    (names.BAG_INFO, "checksum mismatch for bag-info.txt in tagmanifest-sha256.txt"),
    (names.MANIFEST, "checksum mismatch for manifest-sha256.txt in tagmanifest-sha256.txt"),
    (names.TAG_MANIFEST, "the signature does not verify"),
])
def test_an_altered_member_is_named(member, expected, files, key, hub) -> None:  # type: ignore[no-untyped-def]
    changed = files[member].replace(b"1", b"2", 1)
    assert changed != files[member]
    assert reason(seal(zip_bag(FOLDER, {**files, member: changed}, WHEN), hub), hub, key).startswith(expected)


# -- the archive's shape -----------------------------------------------------------------------


def raw_zip(entries: list[tuple[str, bytes]], *, mode: int = 0o100644) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate we mean to write
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for name, data in entries:
                info = zipfile.ZipInfo(name, date_time=(2025, 7, 3, 0, 0, 0))
                info.external_attr = mode << 16
                z.writestr(info, data)
    return out.getvalue()


def members(files: dict[str, bytes], folder: str = FOLDER) -> list[tuple[str, bytes]]:
    return [(f"{folder}/{m}", files[m]) for m in names.MEMBERS]


@pytest.mark.parametrize(("change", "expected"), [
    (lambda e: [*e, (f"{FOLDER}/extra.txt", b"x")], "unexpected member"),
    (lambda e: e[:-1], "the bag has no data/return.json"),
    (lambda e: [*e, e[0]], "twice"),
    (lambda e: [*e[:-1], (f"{FOLDER}/data/../../return.json", e[-1][1])], "'..'"),
    (lambda e: [*e[:-1], ("/etc/return.json", e[-1][1])], "absolute path"),
    (lambda e: [*e[:-1], ("other_folder/data/return.json", e[-1][1])], "exactly one bag folder"),
    (lambda e: [*e[:-1], ("return.json", e[-1][1])], "outside the bag's folder"),
    (lambda e: [*e, (f"{FOLDER}/data/more/", b"")], "folder entry"),
    (lambda e: [*e, (f"{FOLDER}/other/", b"")], "folder entry"),
    (lambda e: [*e, ("other_folder/", b"")], "exactly one bag folder"),
    (lambda e: [*e, (f"{FOLDER}/manifest-md5.txt", b"")], "unexpected member"),
])
def test_archive_shapes_that_are_refused(change, expected, files, key, hub) -> None:  # type: ignore[no-untyped-def]
    assert expected in reason(seal(raw_zip(change(members(files))), hub), hub, key)


def test_a_link_member_is_refused(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    entries = members(files)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in entries[:-1]:
            z.writestr(name, data)
        link = zipfile.ZipInfo(entries[-1][0])
        link.external_attr = 0o120777 << 16
        z.writestr(link, b"/etc/passwd")
    archive = out.getvalue()
    assert "a link" in reason(seal(archive, hub), hub, key)


def test_too_many_members(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    entries = members(files) + [(f"{FOLDER}/data/pad{i}.txt", b"") for i in range(30)]
    assert "more than the 24 allowed" in reason(seal(raw_zip(entries), hub), hub, key)


def test_declared_sizes_over_the_unpacked_limit(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    data = seal(zip_bag(FOLDER, files, WHEN), hub)
    assert "would inflate to" in reason(data, hub, key, max_unpacked_bytes=1000)


def _set_declared_size(archive: bytes, member: str, size: int) -> bytes:
    """Rewrite a member's uncompressed size in the central directory and its local header."""
    out = bytearray(archive)
    name = member.encode()
    for signature, size_at, name_len_at, header in ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46)):
        at = out.find(signature)
        while at != -1:
            (name_len,) = struct.unpack_from("<H", out, at + name_len_at)
            if out[at + header: at + header + name_len] == name:
                struct.pack_into("<I", out, at + size_at, size)
            at = out.find(signature, at + 4)
    return bytes(out)


def test_a_member_that_inflates_beyond_its_declared_size(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    big = {**files, names.RETURN_JSON: b" " * 200_000}
    archive = _set_declared_size(zip_bag(FOLDER, big, WHEN), f"{FOLDER}/{names.RETURN_JSON}", 100)
    assert FOLDER + "/data/return.json" in reason(seal(archive, hub), hub, key)


def test_a_member_shorter_than_it_declares(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    archive = _set_declared_size(zip_bag(FOLDER, files, WHEN), f"{FOLDER}/{names.RETURN_JSON}", 500_000)
    assert "data/return.json" in reason(seal(archive, hub), hub, key)


# -- the signing key ------------------------------------------------------------------------


def test_signed_by_an_unknown_key(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    data = seal(zip_bag(FOLDER, files, WHEN), hub)
    with pytest.raises(BundleRejected, match=f"^signed by an unknown key {key.key_id}$"):
        read_bundle(data, hub, lookup())


def test_signed_by_a_revoked_key(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    data = seal(zip_bag(FOLDER, files, WHEN), hub)
    with pytest.raises(BundleRejected, match="^signed by a revoked key"):
        read_bundle(data, hub, lookup((key.key_id, key.enrolled(revoked=True))))


def test_signed_by_the_key_of_another_spoke(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    data = seal(zip_bag(FOLDER, files, WHEN), hub)
    with pytest.raises(BundleRejected, match="^signed by the key of banes, not bristol$"):
        read_bundle(data, hub, lookup((key.key_id, key.enrolled(spoke="banes"))))


def test_a_key_enrolled_under_the_id_but_different(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    data = seal(zip_bag(FOLDER, files, WHEN), hub)
    impostor = SpokeKey()
    with pytest.raises(BundleRejected, match="signature does not verify"):
        read_bundle(data, hub, lookup((key.key_id, impostor.enrolled())))


def test_any_untrusted_comment_is_accepted(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    """It is untrusted by definition and proves nothing (SPEC section 5): stock minisign writes its own."""
    for comment in (b"signature from minisign secret key", b"", b"[bold]anything[/]"):
        lines = files[names.SIGNATURE].split(b"\n")
        changed = b"\n".join([b"untrusted comment: " + comment, *lines[1:]])
        bundle = read(seal(zip_bag(FOLDER, {**files, names.SIGNATURE: changed}, WHEN), hub), hub, key)
        assert (bundle.spoke, bundle.version) == ("bristol", 1)


def test_a_signed_line_in_another_base64_encoding_of_the_same_bytes_is_refused(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    """Base64's unused trailing bits give other encodings of the same signature: not as minisign writes it."""
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    lines = files[names.SIGNATURE].split(b"\n")
    last = lines[3].index(b"=") - 1  # 64 bytes in 88 characters: the last one before '==' has 4 unused bits
    value = alphabet.index(lines[3][last:last + 1])
    lines[3] = lines[3][:last] + alphabet[value ^ 1:(value ^ 1) + 1] + lines[3][last + 1:]
    changed = b"\n".join(lines)
    data = seal(zip_bag(FOLDER, {**files, names.SIGNATURE: changed}, WHEN), hub)
    assert reason(data, hub, key) == f"{names.SIGNATURE} is altered: its signed lines are not canonical minisign"


def test_the_signed_line_altered_is_refused(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    lines = files[names.SIGNATURE].split(b"\n")
    changed = b"\n".join([lines[0], lines[1], b"trusted comment: something else", *lines[3:]])
    data = seal(zip_bag(FOLDER, {**files, names.SIGNATURE: changed}, WHEN), hub)
    assert "the signature does not verify" in reason(data, hub, key)


# -- agreement and schema, in bags the spoke's own key signed ------------------------------------


def test_bag_info_and_trusted_comment_disagree_on_the_version(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    changed = resign(with_info(files, "VRP-Return-Version", "2"), key)
    assert "trusted comment" in reason(seal(zip_bag(FOLDER, changed, WHEN), hub), hub, key)


def test_bag_info_and_trusted_comment_disagree_on_the_uuid(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    changed = resign(with_info(files, "External-Identifier", new_id()), key)
    assert "trusted comment" in reason(seal(zip_bag(FOLDER, changed, WHEN), hub), hub, key)


def test_the_folder_disagrees_with_bag_info(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    data = seal(zip_bag("bristol_2025-26-Q2_v1", files, WHEN), hub)
    assert reason(data, hub, key).startswith("the bag folder 'bristol_2025-26-Q2_v1' does not match")


def test_return_json_disagrees_with_bag_info(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    other = json.dumps(document(period="2025-26-Q2")).encode()
    changed = {**files, names.RETURN_JSON: other}
    changed = resign(with_info(changed, "Payload-Oxum", f"{len(other)}.1"), key)
    assert reason(seal(zip_bag(FOLDER, changed, WHEN), hub), hub, key) == (
        "return.json period '2025-26-Q2' does not match bag-info ('2025-26-Q1')")


def test_a_wrong_payload_oxum(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    changed = resign(with_info(files, "Payload-Oxum", "1.1"), key)
    assert reason(seal(zip_bag(FOLDER, changed, WHEN), hub), hub, key).startswith("Payload-Oxum 1.1 does not match")


def test_bag_info_labels_the_hub_does_not_use_are_kept_and_ignored(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    changed = resign(with_info(files, "Contact-Name", "Someone"), key)
    changed = resign({**changed, names.BAG_INFO: changed[names.BAG_INFO] + b"Contact-Name: Someone else\n"}, key)
    assert read(seal(zip_bag(FOLDER, changed, WHEN), hub), hub, key).spoke == "bristol"


def test_a_label_the_hub_uses_given_twice_is_refused(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    changed = resign({**files, names.BAG_INFO: files[names.BAG_INFO] + b"VRP-Spoke: banes\n"}, key)
    assert reason(seal(zip_bag(FOLDER, changed, WHEN), hub), hub, key) == "bag-info.txt repeats VRP-Spoke"


def test_an_unsupported_format(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    changed = resign(with_info(files, "VRP-Format", "2"), key)
    assert reason(seal(zip_bag(FOLDER, changed, WHEN), hub), hub, key).startswith("unsupported VRP-Format '2'")


@pytest.mark.parametrize(("label", "value"), [
    ("VRP-Return-Version", "\u00b2"), ("VRP-Return-Version", "10000000000000000000"),
    ("VRP-Return-Version", "0"), ("VRP-Return-Version", "01"), ("VRP-Return-Version", "\u0661"),
    ("VRP-Format", "\u00b9"), ("Bagging-Date", "99999-01-01"), ("Bagging-Date", "1999-12-31"),
    ("Bagging-Date", "2025-07-0\u0663"),
])
def test_bag_info_numbers_are_ascii_digits_within_bounds(label, value, files, key, hub) -> None:  # type: ignore[no-untyped-def]
    changed = resign(with_info(files, label, value), key)
    assert reason(seal(zip_bag(FOLDER, changed, WHEN), hub), hub, key).startswith(f"{label} ")


def test_return_json_that_is_not_json(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    bad = b"{not json"
    changed = resign(with_info({**files, names.RETURN_JSON: bad}, "Payload-Oxum", f"{len(bad)}.1"), key)
    assert reason(seal(zip_bag(FOLDER, changed, WHEN), hub), hub, key) == "data/return.json is not valid JSON"


def test_return_json_that_breaks_the_schema(files, key, hub) -> None:  # type: ignore[no-untyped-def]
    doc = document()
    doc["totals"]["contacts"] = -1
    bad = json.dumps(doc).encode()
    changed = resign(with_info({**files, names.RETURN_JSON: bad}, "Payload-Oxum", f"{len(bad)}.1"), key)
    assert "totals.contacts" in reason(seal(zip_bag(FOLDER, changed, WHEN), hub), hub, key)
