"""Command palette commands (ctrl+p) for the spoke app's main actions.

Record commands open the add form of a section; screen commands come from the
screen registry, so a screen added there shows up here too.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from vrp_tui.screens.spoke.registry import SCREENS

# (command, help, kind whose add form it opens)
RECORD_COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("Add intervention", "Record a new intervention the spoke runs", "interventions"),
    ("Add young person", "Record a young person by their case ref", "participants"),
    ("Refer a young person", "Refer a young person to an intervention", "enrolments"),
    ("Log session", "Log one session (contact) with a young person", "contacts"),
    ("Record spend", "Record a quarter's spend on an intervention", "spend"),
    ("Record budget", "Record an intervention's budget for a financial year", "budgets"),
)


class VrpCommands(Provider):
    """Add records, log a group session, import a CSV file, open help."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        app: Any = self.app
        commands: list[tuple[str, str, Callable[[], Any]]] = [(name, text, partial(app.action_add, kind)) for name, text, kind in RECORD_COMMANDS]
        commands += [(e.title, e.help, partial(app.action_open, e.name)) for e in SCREENS.values()]
        return commands

    async def discover(self) -> Hits:
        for name, text, command in self._commands():
            yield DiscoveryHit(name, command, help=text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, text, command in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), command, text=name, help=text)
