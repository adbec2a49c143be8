"""What screens and widgets may ask of the app they run in: a small typed host, not the App class.

Screens depend on these Protocols, never on ``VrpApp`` or ``HubApp``, so the
apps import their screens and nothing imports back. Each thread worker gets its
own store from the host: a sqlite3 connection never crosses threads.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Protocol, cast

from textual.dom import DOMNode

if TYPE_CHECKING:
    import pyrage

    from vrp_tui.hub.store import HubStore
    from vrp_tui.store import Store


class SpokeHost(Protocol):
    """The spoke app, as its screens see it."""

    spoke: str | None

    def store(self) -> Store: ...


class HubHost(Protocol):
    """The hub app, as its screens see it."""

    today: date
    identity: pyrage.x25519.Identity | None

    def store(self) -> HubStore: ...


def spoke_host(node: DOMNode) -> SpokeHost:
    return cast("SpokeHost", node.app)


def hub_host(node: DOMNode) -> HubHost:
    return cast("HubHost", node.app)


def spoke_store(node: DOMNode) -> Store:
    """The calling thread's spoke store; call it only in a thread worker."""
    return spoke_host(node).store()


def hub_store(node: DOMNode) -> HubStore:
    """The calling thread's hub store; call it only in a thread worker."""
    return hub_host(node).store()
