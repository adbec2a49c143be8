"""Widgets shared by the spoke app and the hub app."""
