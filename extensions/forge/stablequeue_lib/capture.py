"""Build StableQueue's ``generation_params`` from Forge's ``StableDiffusionProcessing``.

The Forge script hands us the processing object ``p`` of the click the user made. It
holds every field of the A1111 API payload, plus ``p.scripts`` / ``p.script_args`` with
the arguments of every other extension. We turn it into:

* MobileSD's flat fields (``positive_prompt``, ``checkpoint_name``, ``width`` …);
* every other A1111 payload field that ``p`` carries (hires fix, refiner, Forge's
  ``distilled_cfg_scale`` …), passed through under its API name;
* ``override_settings`` with what the user set in Forge (CLIP skip, VAE / Forge's
  additional modules as basenames, …);
* ``alwayson_scripts`` = ``{title: {"args": [...]}}`` for every other always-on script
  that is switched on: ControlNet units, ADetailer, Dynamic Prompts … with their images
  as base64 PNG, so nothing the user set is silently dropped;
* ``script_name`` / ``script_args`` for a selected script (X/Y/Z plot …).

No Forge import: objects are read through attributes, so the tests use plain fakes.
"""

from __future__ import annotations

import dataclasses
import math
import ntpath
import posixpath
from typing import Any, Callable, Iterable

from .serialize import SerializeReport, image_to_base64_png, is_image_like, object_fields, to_jsonable

__all__ = [
    "CaptureResult",
    "ScriptCapture",
    "OPTION_KEYS",
    "build_generation_params",
    "script_is_enabled",
]

# Fields of StableDiffusionProcessing* the A1111 API model does not take (modules/api/models.py)
# or that we send another way.
_NOT_API_FIELDS = {
    "sd_model", "outpath_samples", "outpath_grids", "prompt_for_display", "sampler_index",
    "extra_generation_params", "overlay_images", "do_not_reload_embeddings",
    "seed_enable_extras", "sampler_noise_scheduler_override", "ddim_discretize",
    "do_not_save_samples", "do_not_save_grid", "firstpass_image", "scripts_value",
    "script_args_value", "scripts_setup_complete", "comments", "styles",
    "override_settings", "override_settings_restore_afterwards", "init_images", "mask",
    "image_mask", "latent_mask", "prompt", "negative_prompt", "user", "txt2img_upscale",
    "force_task_id",
}

# Field names we read when ``p`` is not a dataclass (a fork, or the test's fake).
_KNOWN_FIELDS = (
    "seed", "subseed", "subseed_strength", "seed_resize_from_h", "seed_resize_from_w",
    "sampler_name", "scheduler", "batch_size", "n_iter", "steps", "cfg_scale",
    "distilled_cfg_scale", "width", "height", "restore_faces", "tiling", "eta", "s_min_uncond",
    "s_churn", "s_tmax", "s_tmin", "s_noise", "denoising_strength", "refiner_checkpoint",
    "refiner_switch_at", "disable_extra_networks",
    # txt2img
    "enable_hr", "hr_scale", "hr_upscaler", "hr_second_pass_steps", "hr_resize_x",
    "hr_resize_y", "hr_checkpoint_name", "hr_additional_modules", "hr_sampler_name",
    "hr_scheduler", "hr_prompt", "hr_negative_prompt", "hr_cfg", "hr_distilled_cfg",
    "firstphase_width", "firstphase_height",
    # img2img
    "resize_mode", "image_cfg_scale", "mask_blur_x", "mask_blur_y", "inpainting_fill",
    "inpaint_full_res", "inpaint_full_res_padding", "inpainting_mask_invert",
    "initial_noise_multiplier",
)

# Integer fields a UI number box may hand over as a float (20.0): StableQueue wants ints.
_INT_FIELDS = {
    "seed", "subseed", "seed_resize_from_h", "seed_resize_from_w", "batch_size", "n_iter",
    "steps", "width", "height", "hr_second_pass_steps", "hr_resize_x", "hr_resize_y",
    "firstphase_width", "firstphase_height", "mask_blur_x", "mask_blur_y", "inpainting_fill",
    "inpaint_full_res_padding", "resize_mode",
}

# Options from Forge's settings that change the picture, sent as override_settings.
# Only non-default values are sent, so an A1111 target does not see Forge-only keys
# it would reject unless the user really uses them.
_CAPTURED_OPTIONS: dict[str, Callable[[Any], bool]] = {
    "CLIP_stop_at_last_layers": lambda v: v not in (None, 1),
    "sd_vae": lambda v: v not in (None, "", "Automatic", "None"),
    "forge_additional_modules": lambda v: bool(v),
    "forge_unet_storage_dtype": lambda v: v not in (None, "", "Automatic"),
    "eta_noise_seed_delta": lambda v: v not in (None, 0),
    "randn_source": lambda v: v not in (None, "", "GPU"),
}

# The settings to hand to build_generation_params(opts=...).
OPTION_KEYS = ("sd_model_checkpoint", *_CAPTURED_OPTIONS)

# What the UI puts in a field to mean "nothing chosen".
_UI_NONE_VALUES = {
    "hr_checkpoint_name": ("Use same checkpoint",),
    "hr_sampler_name": ("Use same sampler",),
    "hr_scheduler": ("Use same scheduler",),
    "refiner_checkpoint": ("", "None", "none"),
}

# ControlNet fields that only drive its UI and can be large: not needed to generate.
_CONTROLNET_UI_ONLY = ("generated_image",)
# Forge's canvas layers: its ControlNet decodes only ``image`` and ``mask_image`` from the
# API, so a base64 ``image_fg`` breaks the unit there (silently: the job runs without it).
_CONTROLNET_CANVAS_LAYERS = ("image_fg", "mask_image_fg")
# Paths and galleries on this computer: meaningless on the target.
_CONTROLNET_LOCAL_INPUTS = ("batch_image_dir", "batch_mask_dir", "batch_input_gallery", "batch_mask_gallery")
# Input modes that read those local inputs.
_CONTROLNET_LOCAL_MODES = ("batch", "merge")
# ADetailer's own marker of "called through the API": a tuple in its UI that JSON turns
# into a list, which means something else on the target. The target sets it itself.
_ADETAILER_LOCAL_ONLY = ("is_api",)


@dataclasses.dataclass
class ScriptCapture:
    title: str
    args_from: int
    args_to: int
    included: bool
    reason: str = ""


@dataclasses.dataclass
class CaptureResult:
    generation_params: dict[str, Any]
    mode: str  # "txt2img" | "img2img"
    scripts: list[ScriptCapture]
    warnings: list[str]
    images: int

    @property
    def included_scripts(self) -> list[str]:
        return [s.title for s in self.scripts if s.included]


# --------------------------------------------------------------------------- helpers


def _title(script: Any) -> str:
    try:
        return str(script.title())
    except Exception:  # noqa: BLE001
        return type(script).__name__


def _is_builtin_ui(script: Any) -> bool:
    """Forge/A1111's own UI parts written as scripts (Sampler, Seed, Refiner …).

    Their values are already on ``p`` (their ``setup`` ran), the API skips them
    (``setup_for_ui_only``), and an A1111 target may not have the same ones.
    """
    return any(c.__name__ == "ScriptBuiltinUI" for c in type(script).__mro__)


_ENABLE_KEYS = ("enabled", "enable", "is_enabled")


def _enabled_flag(value: Any) -> bool | None:
    if isinstance(value, dict):
        for key in _ENABLE_KEYS:
            if isinstance(value.get(key), bool):
                return value[key]
        return None
    for key in _ENABLE_KEYS:
        flag = getattr(value, key, None)
        if isinstance(flag, bool):
            return flag
    return None


def _is_unit(value: Any) -> bool:
    """A ControlNet-style unit: a dict or object with an ``enabled`` flag."""
    return not isinstance(value, (bool, int, float, str, type(None))) and _enabled_flag(value) is not None


def script_is_enabled(args: list[Any]) -> tuple[bool, str]:
    """Whether an always-on script's args say it is switched on, and why we think so.

    * no args: nothing to send (it runs anyway on the target if installed);
    * first arg a bool (InputAccordion, ADetailer's ``ad_enable``…): that bool;
    * every arg a unit with ``enabled`` (ControlNet): any unit on;
    * first arg an object with ``enabled``/``enable`` (AnimateDiff…): that flag;
    * otherwise we cannot tell, so we send it rather than drop the user's settings.
    """
    if not args:
        return False, "has no arguments"
    first = args[0]
    if isinstance(first, bool):
        return first, "switched on" if first else "switched off"
    if all(_is_unit(a) for a in args):
        on = any(_enabled_flag(a) for a in args)
        return on, "has enabled units" if on else "has no enabled unit"
    flag = _enabled_flag(first)
    if flag is not None:
        return flag, "switched on" if flag else "switched off"
    return True, "state unknown, sent"


def _is_simple_json(value: Any) -> bool:
    if value is None or isinstance(value, (bool, int, str)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, (list, tuple)):
        return all(_is_simple_json(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _is_simple_json(v) for k, v in value.items())
    return False


def _field_names(p: Any) -> list[str]:
    names: list[str] = []
    if dataclasses.is_dataclass(p):
        names = [f.name for f in dataclasses.fields(p) if f.init]
    for name in _KNOWN_FIELDS:
        if name not in names:
            names.append(name)
    return [n for n in names if n not in _NOT_API_FIELDS]


def _basename(path: str) -> str:
    return ntpath.basename(posixpath.basename(path)) if isinstance(path, str) else path


def _checkpoint_title(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()


# --------------------------------------------------------------------------- main


def build_generation_params(
    p: Any,
    *,
    opts: dict[str, Any] | None = None,
    own_title: str = "StableQueue",
    skip_titles: Iterable[str] = (),
    styles_applier: Callable[[str, list[str], bool], str] | None = None,
) -> CaptureResult:
    """Capture the whole job held by ``p`` (see the module docstring).

    ``opts`` is a snapshot of Forge's settings (``shared.opts.data``); ``styles_applier``
    (prompt, styles, is_negative) -> prompt expands the user's saved styles here, since
    the target server may not have the same styles.
    """
    opts = dict(opts or {})
    report = SerializeReport()
    params: dict[str, Any] = {}

    is_img2img = "Img2Img" in type(p).__name__ or getattr(p, "init_images", None) is not None
    mode = "img2img" if is_img2img else "txt2img"

    # ---- prompts (styles expanded) ----
    prompt = getattr(p, "prompt", "") or ""
    negative = getattr(p, "negative_prompt", "") or ""
    if isinstance(prompt, list):
        report.warn("prompt", "several prompts; only the first is queued")
        prompt = prompt[0] if prompt else ""
    if isinstance(negative, list):
        negative = negative[0] if negative else ""
    styles = [s for s in (getattr(p, "styles", None) or []) if s]
    if styles and styles_applier is not None:
        try:
            prompt = styles_applier(prompt, styles, False)
            negative = styles_applier(negative, styles, True)
        except Exception as exc:  # noqa: BLE001
            report.warn("styles", f"could not apply styles ({exc}); sent by name")
            params["styles"] = styles
    elif styles:
        params["styles"] = styles
    params["positive_prompt"] = prompt
    params["negative_prompt"] = negative

    # ---- plain fields ----
    for name in _field_names(p):
        if not hasattr(p, name):
            continue
        value = getattr(p, name)
        if value is None:
            continue
        if name in _UI_NONE_VALUES and value in _UI_NONE_VALUES[name]:
            continue
        if isinstance(value, float) and not math.isfinite(value):
            continue
        if not _is_simple_json(value):
            if is_image_like(value):
                continue  # images on p are handled below or are UI leftovers
            report.warn(name, f"{type(value).__name__} is not JSON; not sent")
            continue
        if name in _INT_FIELDS and isinstance(value, float) and value.is_integer():
            value = int(value)
        params[name] = list(value) if isinstance(value, tuple) else value

    # mask_blur is one number in the UI; send the single field when both sides agree.
    if params.get("mask_blur_x") is not None and params.get("mask_blur_x") == params.get("mask_blur_y"):
        params["mask_blur"] = params["mask_blur_x"]

    # ---- img2img pictures ----
    if is_img2img:
        images = []
        for i, image in enumerate(getattr(p, "init_images", None) or []):
            if image is None:
                continue
            try:
                images.append(image_to_base64_png(image) if is_image_like(image) else str(image))
                report.images += 1
            except Exception as exc:  # noqa: BLE001
                report.warn(f"init_images[{i}]", f"could not be encoded ({exc})")
        params["init_images"] = images
        mask = getattr(p, "image_mask", None)
        if mask is not None and is_image_like(mask):
            params["mask"] = image_to_base64_png(mask)
            report.images += 1

    # ---- checkpoint and settings ----
    override = dict(getattr(p, "override_settings", None) or {})
    # A1111's "Extra options" section: settings shown in the txt2img/img2img tab. Their
    # values are sent by setting name; as positional script args they would land on the
    # wrong settings wherever the target's list of extra options differs.
    for name, value in _settings_from_scripts(p).items():
        override.setdefault(name, value)
    checkpoint = _checkpoint_title(override.pop("sd_model_checkpoint", None)) or _checkpoint_title(
        opts.get("sd_model_checkpoint")
    )
    if checkpoint:
        params["checkpoint_name"] = checkpoint
    for key, wanted in _CAPTURED_OPTIONS.items():
        if key in override or key not in opts:
            continue
        value = opts[key]
        if wanted(value):
            override[key] = value
    if "forge_additional_modules" in override:
        modules = override["forge_additional_modules"] or []
        # Local absolute paths mean nothing on the target; Forge accepts basenames.
        override["forge_additional_modules"] = [_basename(m) for m in modules]
    is_forge_ui = "forge_additional_modules" in opts
    if is_forge_ui:
        # Forge picks VAEs and text encoders as modules; its sd_vae setting is a stale leftover.
        override.pop("sd_vae", None)
    elif "sd_vae" in override and override["sd_vae"] not in (None, "", "Automatic", "None"):
        params["vae"] = override["sd_vae"]
    if isinstance(params.get("hr_additional_modules"), list):
        params["hr_additional_modules"] = [
            m if m == "Use same choices" else _basename(m) for m in params["hr_additional_modules"]
        ]
    if override:
        params["override_settings"] = to_jsonable(override, report, "override_settings")

    # ---- other extensions ----
    captured, alwayson, script_name, script_args = _capture_scripts(
        p, own_title=own_title, skip_titles=skip_titles, report=report
    )
    if alwayson:
        params["alwayson_scripts"] = alwayson
    if script_name:
        params["script_name"] = script_name
        params["script_args"] = script_args

    return CaptureResult(
        generation_params=params,
        mode=mode,
        scripts=captured,
        warnings=list(report.warnings),
        images=report.images,
    )


def _capture_scripts(
    p: Any, *, own_title: str, skip_titles: Iterable[str], report: SerializeReport
) -> tuple[list[ScriptCapture], dict[str, Any], str | None, list[Any]]:
    runner = getattr(p, "scripts", None)
    all_args = list(getattr(p, "script_args", None) or [])
    skip = {t.strip().lower() for t in skip_titles if t and t.strip()}
    skip.add(own_title.lower())
    captured: list[ScriptCapture] = []
    alwayson: dict[str, Any] = {}
    if runner is None:
        return captured, alwayson, None, []

    for script in list(getattr(runner, "alwayson_scripts", None) or []):
        title = _title(script)
        key = title.lower()
        args_from = int(getattr(script, "args_from", 0) or 0)
        args_to = int(getattr(script, "args_to", 0) or 0)
        entry = ScriptCapture(title, args_from, args_to, included=False)
        captured.append(entry)
        if key in skip:
            entry.reason = "this extension" if key == own_title.lower() else "skipped in settings"
            continue
        if _is_builtin_ui(script):
            entry.reason = "built into the UI (its values are in the payload)"
            continue
        args = all_args[args_from:args_to]
        if _setting_names(script, args) is not None:
            entry.reason = "its values are sent as override_settings"
            continue
        enabled, why = script_is_enabled(args)
        entry.reason = why
        if not enabled:
            continue
        if all(_is_unit(a) for a in args):
            # ControlNet & co.: units are interchangeable slots; send the enabled ones.
            args = [a for a in args if _enabled_flag(a)]
        if key == "controlnet":
            args = [_prepare_controlnet_unit(u, report, f"alwayson_scripts.controlnet[{i}]") for i, u in enumerate(args)]
        elif key == "adetailer":
            args = [_without_keys(a, _ADETAILER_LOCAL_ONLY) for a in args]
        alwayson[key] = {"args": to_jsonable(args, report, f"alwayson_scripts.{key}")}
        entry.included = True

    script_name, script_args = None, []
    selected = all_args[0] if all_args else 0
    selectable = list(getattr(runner, "selectable_scripts", None) or [])
    if isinstance(selected, int) and not isinstance(selected, bool) and 0 < selected <= len(selectable):
        script = selectable[selected - 1]
        script_name = _title(script).lower()
        args_from = int(getattr(script, "args_from", 0) or 0)
        args_to = int(getattr(script, "args_to", 0) or 0)
        script_args = to_jsonable(all_args[args_from:args_to], report, "script_args")
    return captured, alwayson, script_name, script_args


def _setting_names(script: Any, args: list[Any]) -> list[str] | None:
    names = getattr(script, "setting_names", None)
    if isinstance(names, (list, tuple)) and names and len(names) == len(args) and all(isinstance(n, str) for n in names):
        return list(names)
    return None


def _settings_from_scripts(p: Any) -> dict[str, Any]:
    runner = getattr(p, "scripts", None)
    all_args = list(getattr(p, "script_args", None) or [])
    settings: dict[str, Any] = {}
    for script in list(getattr(runner, "alwayson_scripts", None) or []) if runner is not None else []:
        args = all_args[int(getattr(script, "args_from", 0) or 0):int(getattr(script, "args_to", 0) or 0)]
        names = _setting_names(script, args)
        if names is None:
            continue
        for name, value in zip(names, args):
            if _is_simple_json(value):
                settings[name] = list(value) if isinstance(value, tuple) else value
    return settings


def _without_keys(value: Any, keys: Iterable[str]) -> Any:
    if not isinstance(value, dict):
        return value
    return {k: v for k, v in value.items() if k not in keys}


def _enum_text(value: Any) -> str:
    return str(getattr(value, "value", value) or "").lower()


def _prepare_controlnet_unit(unit: Any, report: SerializeReport, path: str) -> Any:
    """A unit as the target's ControlNet can read it from the API (before images are encoded).

    * a used preview travels as the unit's ``image`` with module ``None`` (it is already
      preprocessed), since the target never reads ``generated_image`` from the API;
    * Forge's drawn canvas layers are flattened into ``image`` / ``mask_image`` the way
      Forge's ControlNet reads them locally (see _flatten_canvas);
    * batch folders and galleries are paths on this computer: dropped, and the user told.
    """
    fields = dict(unit) if isinstance(unit, dict) else object_fields(unit)
    if fields is None:
        return unit
    if _enum_text(fields.get("input_mode")) in _CONTROLNET_LOCAL_MODES:
        report.warn(path, f"its input mode '{_enum_text(fields.get('input_mode'))}' reads folders on this computer, "
                          "which the target cannot see; it is sent with its single image instead")
        fields["input_mode"] = "simple"
    for key in _CONTROLNET_LOCAL_INPUTS:
        fields.pop(key, None)
    if fields.get("use_preview_as_input") and fields.get("generated_image") is not None:
        fields["image"] = fields["generated_image"]
        fields["module"] = "None"
        fields["use_preview_as_input"] = False
    elif any(fields.get(k) is not None for k in _CONTROLNET_CANVAS_LAYERS):
        try:
            fields["image"], fields["mask_image"] = _flatten_canvas(fields)
        except Exception as exc:  # noqa: BLE001 - report and send what we have
            report.warn(path, f"its drawing could not be merged into the image ({exc}); only the background is sent")
    for key in (*_CONTROLNET_UI_ONLY, *_CONTROLNET_CANVAS_LAYERS):
        fields.pop(key, None)
    return fields


def _flatten_canvas(fields: dict[str, Any]) -> tuple[Any, Any]:
    """``(image, mask_image)`` from Forge's canvas layers, as its ControlNet's
    ``get_input_data`` picks them: a drawing on an empty background is the image (its alpha
    channel); the mask is the drawn mask layer, else the mask image, else the drawing."""
    import numpy as np  # noqa: PLC0415 - canvas layers are numpy arrays, so numpy is there

    def alpha(layer: Any) -> Any:
        if layer is None:
            return None
        arr = np.asarray(layer)
        return arr[:, :, 3] if arr.ndim == 3 and arr.shape[2] == 4 else None

    def drawn(layer: Any) -> bool:
        return layer is not None and bool((np.asarray(layer) > 5).any())

    image, mask_image = fields.get("image"), fields.get("mask_image")
    image_fg, mask_fg = alpha(fields.get("image_fg")), alpha(fields.get("mask_image_fg"))
    if image is None or isinstance(image, dict):
        flat_image = image  # the img2img input is used, or a {image, mask} pair as the API takes it
    elif bool((np.asarray(image) < 5).all()) and drawn(image_fg):
        flat_image = image_fg
    else:
        flat_image = image
    if drawn(mask_fg):
        flat_mask = mask_fg
    elif not isinstance(mask_image, dict) and drawn(mask_image):
        flat_mask = mask_image
    elif isinstance(mask_image, dict):
        flat_mask = mask_image
    elif drawn(image_fg):
        flat_mask = image_fg
    else:
        flat_mask = None
    return flat_image, flat_mask
