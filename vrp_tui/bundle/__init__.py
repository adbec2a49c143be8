"""The signed, encrypted bundle a spoke sends the hub (SPEC section 5)."""

from .names import FORMAT, bag_name, file_name
from .reader import BundleRejected, EnrolledKey, KeyLookup, VerifiedBundle, read_bundle
from .writer import write_bundle

__all__ = [
    "FORMAT", "BundleRejected", "EnrolledKey", "KeyLookup", "VerifiedBundle",
    "bag_name", "file_name", "read_bundle", "write_bundle",
]
