"""Pure logic of the StableQueue ComfyUI extension (no ComfyUI import; aiohttp only in routes)."""

__version__ = "1.0.0"
