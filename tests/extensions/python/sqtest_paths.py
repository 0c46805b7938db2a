"""Paths of the project's extensions, put on sys.path for the tests."""

import os
import sys

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.abspath(os.path.join(TESTS_DIR, "..", "..", ".."))
FORGE_EXTENSION = os.path.join(REPO_ROOT, "extensions", "forge")
COMFY_EXTENSION = os.path.join(REPO_ROOT, "extensions", "comfyui")

for path in (FORGE_EXTENSION, TESTS_DIR):
    if path not in sys.path:
        sys.path.insert(0, path)
