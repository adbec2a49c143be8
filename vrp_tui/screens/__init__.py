"""The spoke app's screens."""
