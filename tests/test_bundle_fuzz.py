"""Fuzzing the hub's reading of bundles: no exception but the project's own refusals ever escapes.

Random bytes go in raw, inside a valid age envelope to the hub, inside a valid
ZIP of the bag's members, and as the payload of a correctly signed bag; random
JSON (and mutations of a valid return.json) goes into the strict reading of
return.json. Whatever happens, the outcome is an accepted bundle or a
``BundleRejected`` / ``DocumentError`` with a one-line reason.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from typing import Any

import pyrage
import pytest
from hub_bags import Entry, SpokeKey, bundle, document, make_bag, seal, zip_entries
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vrp_tui.bundle import BundleRejected, EnrolledKey, names, read_bundle
from vrp_tui.bundle.received import parse_return_json
from vrp_tui.returns.document import DocumentError, validate_document

TODAY = date(2026, 1, 1)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                        HealthCheck.function_scoped_fixture])

HUB = pyrage.x25519.Identity.generate()
KEY = SpokeKey("bristol")
ENROLLED = {KEY.key_id: EnrolledKey(spoke="bristol", public_key=KEY.line, revoked=False)}


def read(data: bytes) -> Any:
    """Read ``data`` at the hub: a VerifiedBundle, or the one-line reason it was rejected."""
    try:
        return read_bundle(data, HUB, ENROLLED.get, today=TODAY)
    except BundleRejected as exc:
        assert exc.reason and "\n" not in exc.reason and str(exc) == exc.reason
        return exc.reason


def test_the_valid_bundle_is_accepted() -> None:
    """The fuzzed inputs below start from this bundle, so what they reach is real."""
    assert read(bundle(make_bag(document(), KEY), HUB.to_public())).spoke == "bristol"


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes(data: bytes) -> None:
    read(data)


@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes_after_the_age_header_line(data: bytes) -> None:
    read(b"age-encryption.org/v1\n" + data)


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes_inside_a_valid_age_envelope(data: bytes) -> None:
    assert isinstance(read(seal(data, HUB.to_public())), str)


@pytest.mark.filterwarnings("ignore:Duplicate name")  # zipfile warns of the duplicates we mean to write
@FUZZ
@given(st.lists(st.tuples(st.sampled_from([*names.MEMBERS, *names.OPTIONAL_MEMBERS, "data/", "", "x/../y"]),
                          st.binary(max_size=512)), max_size=10))
def test_random_members_inside_a_valid_zip(members: list[tuple[str, bytes]]) -> None:
    entries = [Entry(f"bristol_2025-26-Q1_v1/{name}", data) for name, data in members]
    read(seal(zip_entries(entries), HUB.to_public()))


@FUZZ
@given(st.sampled_from(names.MEMBERS), st.integers(min_value=0), st.integers(min_value=1, max_value=255))
def test_one_byte_of_a_member_changed_inside_a_valid_zip(member: str, where: int, flip: int) -> None:
    bag = make_bag(document(), KEY)
    content = bytearray(bag.files[member])
    content[where % len(content)] ^= flip
    bag.files[member] = bytes(content)
    read(bundle(bag, HUB.to_public()))


@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes_as_the_payload_of_a_correctly_signed_bag(payload: bytes) -> None:
    bag = make_bag(document(), KEY).set_document(payload).reseal_manifests().sign(KEY)
    assert isinstance(read(bundle(bag, HUB.to_public())), str)


# -- return.json ---------------------------------------------------------------------------------

SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
           | st.text(alphabet=st.characters(), max_size=20))
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=5)
                    | st.dictionaries(st.text(max_size=10), inner, max_size=5), max_leaves=30)


def check(raw: bytes) -> Any:
    """The strict reading of return.json: the validated document, or the one-line reason it is refused."""
    try:
        return validate_document(parse_return_json(raw), received=TODAY)
    except DocumentError as exc:
        assert exc.message and "\n" not in exc.message
        return exc.message


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


@FUZZ
@given(JSON)
def test_random_json(value: Any) -> None:
    assert isinstance(check(dumps(value)), str)


@FUZZ
@given(st.binary(max_size=1024))
def test_random_bytes_as_json(raw: bytes) -> None:
    check(raw)


def _paths(value: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [here]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*here, key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            out += _paths(item, (*here, n))
    return out


VALID = json.loads(json.dumps(document()))
PATHS = _paths(VALID)[1:]


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(PATHS), JSON), min_size=1, max_size=3))
def test_mutations_of_a_valid_return(changes: list[tuple[tuple[Any, ...], Any]]) -> None:
    doc = copy.deepcopy(VALID)
    for path, value in changes:
        target = doc
        try:
            for part in path[:-1]:
                target = target[part]
            target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed the place
    result = check(dumps(doc))
    if not isinstance(result, str):  # accepted: then it is in the schema, so the spoke's model takes it too
        assert validate_document(result.to_json()).to_json() == result.to_json()


@FUZZ
@given(st.integers(min_value=0), st.binary(min_size=1, max_size=4))
def test_bytes_of_a_valid_return_json_replaced(where: int, junk: bytes) -> None:
    raw = bytearray(json.dumps(VALID, indent=2).encode())
    at = where % len(raw)
    raw[at:at + len(junk)] = junk
    check(bytes(raw))


@pytest.mark.parametrize("value", [10**9, 10**9 + 1, -1, True, 1.0, "1", None, 2**70])
def test_the_count_bound_by_hand(value: Any) -> None:
    doc = copy.deepcopy(VALID)
    doc["totals"]["starts"] = value
    result = check(dumps(doc))
    assert isinstance(result, str) != (value == 10**9), result
