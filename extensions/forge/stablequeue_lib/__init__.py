"""Pure logic of the StableQueue Forge extension: no Forge, gradio, numpy or PIL import.

* ``client``        — StableQueue HTTP API client (urllib only)
* ``capture``       — StableDiffusionProcessing -> generation_params (+ alwayson_scripts)
* ``serialize``     — script arguments -> JSON (images -> base64 PNG)
* ``request_flag``  — the one-shot "queue this click" token
* ``status_html``   — the recent-jobs panel
"""

__version__ = "1.0.0"
