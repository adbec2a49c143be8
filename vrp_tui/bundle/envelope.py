"""Opening a bundle's age envelope at the hub, within bounds (SPEC section 5, check 1).

Before any decryption work the header is read as text, up to its ``---``
line, and held to a small size and a few recipient stanzas: a header of
thousands of stanzas would otherwise cost minutes and hundreds of MB to
refuse. Only then does pyrage (the age format's library) decrypt. Any failure
is one line.

The size bound is 8 KiB, not more: the library's header parser takes time
growing with the square of the header's length (a 64 KiB header of stanza
body lines takes it seconds to refuse), while a bundle's real header is a few
hundred bytes (one X25519 stanza and the library's grease), and 20 stanzas
take about 2 KiB.
"""

from __future__ import annotations

import pyrage

from vrp_tui.errors import VrpError

MAX_BUNDLE_BYTES = 8 * 1024 * 1024
MAX_HEADER_BYTES = 8 * 1024
MAX_STANZAS = 20

AGE_HEADER = b"age-encryption.org/v1\n"
_STANZA = b"\n-> "
_MAC = b"\n--- "


class EnvelopeError(VrpError):
    """A file that is not an age file this hub can open; str() is the one-line reason."""


def check_header(data: bytes, *, max_header_bytes: int = MAX_HEADER_BYTES,
                 max_stanzas: int = MAX_STANZAS) -> int:
    """The number of recipient stanzas in the age header, refusing an oversized or unending header."""
    if not data.startswith(AGE_HEADER):
        raise EnvelopeError("not an age file: a bundle is age-encrypted (age-encryption.org/v1)")
    head = data[: max_header_bytes + 1]
    end = head.find(_MAC)
    if end < 0:
        if len(data) > max_header_bytes:
            raise EnvelopeError(f"the age header is longer than the {max_header_bytes} bytes a bundle's may be")
        raise EnvelopeError("the age header is damaged or truncated (no '---' line)")
    stanzas = head.count(_STANZA, 0, end + 1)
    if stanzas > max_stanzas:
        raise EnvelopeError(
            f"the age header has {stanzas} recipient stanzas, more than the {max_stanzas} a bundle may have"
        )
    if stanzas == 0:
        raise EnvelopeError("the age header has no recipient stanza")
    return stanzas


def decrypt(data: bytes, identity: pyrage.x25519.Identity, *, max_bytes: int = MAX_BUNDLE_BYTES) -> bytes:
    """The plaintext of an age file addressed to ``identity``; EnvelopeError says why not."""
    if len(data) > max_bytes:
        raise EnvelopeError(f"the file is {len(data)} bytes, more than the {max_bytes} a bundle may be")
    check_header(data)
    try:
        return pyrage.decrypt(data, [identity])
    except pyrage.DecryptError as exc:
        if "no matching keys" in str(exc).lower():
            raise EnvelopeError("not addressed to this hub: no recipient matches the hub's identity") from None
        raise EnvelopeError(f"the encrypted file is damaged or truncated ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - the library's any other failure on hostile bytes is a refusal
        raise EnvelopeError(f"the encrypted file cannot be opened ({type(exc).__name__}: {exc})") from None
