"""Use cases shared by the window and the `ivo` command."""
