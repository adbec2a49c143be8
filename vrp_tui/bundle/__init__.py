"""The signed, encrypted bundle a spoke sends the hub (SPEC section 5)."""

from vrp_tui.bundle.names import FORMAT, bag_name, file_name
from vrp_tui.bundle.reader import BundleRejected, EnrolledKey, KeyLookup, VerifiedBundle, read_bundle
from vrp_tui.bundle.writer import write_bundle

__all__ = [
    "FORMAT", "BundleRejected", "EnrolledKey", "KeyLookup", "VerifiedBundle",
    "bag_name", "file_name", "read_bundle", "write_bundle",
]
