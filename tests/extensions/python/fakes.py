"""Stand-ins for Forge objects: the processing object, other extensions' scripts, images.

They carry the same attributes as the real ones (modules/processing.py,
extensions-builtin/sd_forge_controlnet, ADetailer) but need neither Forge, numpy nor PIL.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import io
import struct
import zlib
from typing import Any, Optional

# ----------------------------------------------------------------- images


class FakeDType:
    def __init__(self, name: str) -> None:
        self.name = name

    def __str__(self) -> str:
        return self.name


class FakeArray:
    """Just enough of numpy.ndarray: shape, dtype, tobytes() (C order)."""

    def __init__(self, height: int, width: int, channels: int, fill=(255, 0, 0)) -> None:
        self.shape = (height, width, channels) if channels != 1 else (height, width)
        self.dtype = FakeDType("uint8")
        pixel = bytes(fill[:channels]) if channels > 1 else bytes(fill[:1])
        self._data = pixel * (height * width)

    def tobytes(self) -> bytes:
        return self._data


class FakePILImage:
    """Just enough of PIL.Image.Image: mode, size, save(fp, format='PNG')."""

    def __init__(self, width: int, height: int, color=(0, 128, 255)) -> None:
        self.mode = "RGB"
        self.size = (width, height)
        self._color = color

    def save(self, fp, format=None, **_kw):  # noqa: A002 - PIL's own argument name
        assert format == "PNG"
        w, h = self.size
        raw = b"".join(b"\x00" + bytes(self._color) * w for _ in range(h))

        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

        fp.write(
            b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b"")
        )


def png_size(b64: str) -> tuple[int, int, int]:
    """(width, height, colour type) of a base64 PNG; asserts it is a PNG."""
    data = base64.b64decode(b64, validate=True)
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height, data[25]


def png_pixels(b64: str) -> bytes:
    data = base64.b64decode(b64)
    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    return zlib.decompress(idat)


# ----------------------------------------------------------------- scripts


class Script:
    """modules.scripts.Script as the runner sees it."""

    alwayson = True
    args_from = 0
    args_to = 0

    def title(self):  # pragma: no cover - overridden
        return "Script"


class ScriptBuiltinUI(Script):
    """modules.scripts.ScriptBuiltinUI: Sampler / Seed / Refiner written as scripts."""


class SamplerScript(ScriptBuiltinUI):
    def title(self):
        return "Sampler"


class StableQueueLikeScript(Script):
    def title(self):
        return "StableQueue"


class ResizeMode(enum.Enum):
    RESIZE = "Just Resize"
    INNER_FIT = "Crop and Resize"


class ControlMode(enum.Enum):
    BALANCED = "Balanced"
    CONTROL = "ControlNet is more important"


@dataclasses.dataclass
class ControlNetUnit:
    """lib_controlnet.external_code.ControlNetUnit (Forge), trimmed to what matters here."""

    input_mode: str = "simple"
    use_preview_as_input: bool = False
    generated_image: Any = None
    mask_image: Optional[dict] = None
    enabled: bool = True
    module: str = "None"
    model: str = "None"
    weight: float = 1.0
    image: Optional[dict] = None
    resize_mode: ResizeMode = ResizeMode.INNER_FIT
    processor_res: int = -1
    threshold_a: float = -1
    threshold_b: float = -1
    guidance_start: float = 0.0
    guidance_end: float = 1.0
    pixel_perfect: bool = False
    control_mode: ControlMode = ControlMode.BALANCED
    save_detected_map: bool = True
    image_fg: Any = None
    mask_image_fg: Any = None
    batch_image_dir: str = ''
    batch_mask_dir: str = ''


class ControlNetScript(Script):
    def title(self):
        return "ControlNet"


class ADetailerScript(Script):
    def title(self):
        return "ADetailer"


class DynamicThresholdingScript(Script):
    def title(self):
        return "DynamicThresholding (CFG-Scale Fix)"


class ExtraOptionsSection(Script):
    """A1111's "Extra options": settings shown in the generation tab."""

    def __init__(self):
        self.setting_names = ["CLIP_stop_at_last_layers", "sd_model_checkpoint"]

    def title(self):
        return "Extra options"


class XYZPlot(Script):
    alwayson = False

    def title(self):
        return "X/Y/Z plot"


class ScriptRunner:
    def __init__(self, alwayson_scripts, selectable_scripts=()):
        self.alwayson_scripts = list(alwayson_scripts)
        self.selectable_scripts = list(selectable_scripts)
        self.scripts = self.alwayson_scripts + self.selectable_scripts


def place_args(runner_scripts, args_by_title, first=0):
    """Give every script its args_from/args_to, like ScriptRunner.setup_ui, and build
    p.script_args: slot 0 is the selected script's index (0 = none)."""
    all_args = [first]
    for script in runner_scripts:
        args = list(args_by_title.get(script.title(), []))
        script.args_from = len(all_args)
        all_args.extend(args)
        script.args_to = len(all_args)
    return tuple(all_args)


# ----------------------------------------------------------------- processing


class StableDiffusionProcessingTxt2Img:
    """The fields of modules.processing.StableDiffusionProcessingTxt2Img (Forge)."""

    def __init__(self, **kw):
        self.prompt = "a castle on a hill, <lora:detail:0.6>"
        self.negative_prompt = "blurry"
        self.styles = []
        self.seed = 1234
        self.subseed = -1
        self.subseed_strength = 0.0
        self.seed_resize_from_h = -1
        self.seed_resize_from_w = -1
        self.sampler_name = "DPM++ 2M"
        self.scheduler = "Karras"
        self.batch_size = 2
        self.n_iter = 1
        self.steps = 28
        self.cfg_scale = 6.5
        self.distilled_cfg_scale = 3.5
        self.width = 832
        self.height = 1216
        self.restore_faces = False
        self.tiling = False
        self.eta = None
        self.s_min_uncond = None
        self.s_churn = None
        self.s_tmax = None
        self.s_tmin = None
        self.s_noise = None
        self.denoising_strength = 0.45
        self.override_settings = {}
        self.override_settings_restore_afterwards = True
        self.refiner_checkpoint = None
        self.refiner_switch_at = None
        self.disable_extra_networks = False
        self.comments = {}
        self.extra_generation_params = {}
        self.sd_model = object()  # never sent
        self.outpath_samples = "/local/outputs"  # never sent
        # txt2img
        self.enable_hr = True
        self.hr_scale = 1.5
        self.hr_upscaler = "4x-UltraSharp"
        self.hr_second_pass_steps = 12
        self.hr_resize_x = 0
        self.hr_resize_y = 0
        self.hr_checkpoint_name = None
        self.hr_additional_modules = ["Use same choices"]
        self.hr_sampler_name = None
        self.hr_scheduler = None
        self.hr_prompt = ""
        self.hr_negative_prompt = ""
        self.hr_cfg = 1.0
        self.hr_distilled_cfg = 3.5
        self.firstpass_image = None
        self.scripts = None
        self.script_args = ()
        for key, value in kw.items():
            setattr(self, key, value)

    def comment(self, text):
        self.comments[text] = 1


class StableDiffusionProcessingImg2Img(StableDiffusionProcessingTxt2Img):
    def __init__(self, **kw):
        super().__init__()
        for name in ("enable_hr", "hr_scale", "hr_upscaler", "hr_second_pass_steps", "hr_resize_x",
                     "hr_resize_y", "hr_checkpoint_name", "hr_additional_modules", "hr_sampler_name",
                     "hr_scheduler", "hr_prompt", "hr_negative_prompt", "hr_cfg", "hr_distilled_cfg"):
            delattr(self, name)
        self.init_images = [FakePILImage(64, 48)]
        self.image_mask = None
        self.resize_mode = 0
        self.image_cfg_scale = None
        self.mask_blur_x = 4
        self.mask_blur_y = 4
        self.inpainting_fill = 1
        self.inpaint_full_res = False
        self.inpaint_full_res_padding = 32
        self.inpainting_mask_invert = 0
        self.initial_noise_multiplier = 1.0
        for key, value in kw.items():
            setattr(self, key, value)


def controlnet_units():
    """Three units as Forge's ControlNet hands them over: one on with a depth map and a
    mask (numpy arrays from gradio), one on with a PIL image, one off."""
    depth = ControlNetUnit(
        enabled=True,
        module="depth_anything",
        model="diffusers_xl_depth_full [2f51180b]",
        weight=0.75,
        image={"image": FakeArray(32, 48, 3, fill=(10, 20, 30)), "mask": FakeArray(32, 48, 3, fill=(0, 0, 0))},
        resize_mode=ResizeMode.INNER_FIT,
        processor_res=512,
        guidance_end=0.8,
        pixel_perfect=True,
        control_mode=ControlMode.CONTROL,
        generated_image=FakeArray(32, 48, 3),
    )
    pose = ControlNetUnit(
        enabled=True,
        module="openpose_full",
        model="thibaud_xl_openpose [c7b9cadd]",
        weight=1.0,
        image={"image": FakePILImage(40, 24), "mask": None},
    )
    off = ControlNetUnit(enabled=False, image={"image": FakeArray(8, 8, 3), "mask": None})
    return [depth, pose, off]


def adetailer_args():
    """ADetailer's args: ad_enable, skip_img2img, then one dict per tab."""
    return [
        True,
        False,
        {
            "ad_model": "face_yolov8n.pt",
            "ad_prompt": "detailed face",
            "ad_negative_prompt": "",
            "ad_confidence": 0.3,
            "ad_mask_k_largest": 0,
            "ad_denoising_strength": 0.4,
            "ad_inpaint_only_masked": True,
            "ad_use_steps": False,
            "ad_steps": 28,
            "ad_controlnet_model": "None",
        },
        {"ad_model": "None", "ad_prompt": ""},
    ]


def make_p(kind="txt2img", *, with_selectable=False, **fields):
    cls = StableDiffusionProcessingImg2Img if kind == "img2img" else StableDiffusionProcessingTxt2Img
    p = cls(**fields)
    alwayson = [SamplerScript(), ControlNetScript(), StableQueueLikeScript(), ADetailerScript(),
                DynamicThresholdingScript()]
    selectable = [XYZPlot()] if with_selectable else []
    args = {
        "Sampler": [28, "DPM++ 2M", "Karras"],
        "ControlNet": controlnet_units(),
        "StableQueue": ["auto", 7, "sq:1:abcd"],
        "ADetailer": adetailer_args(),
        "DynamicThresholding (CFG-Scale Fix)": [False, 7.0, 1.0, "Constant"],
        "X/Y/Z plot": [1, "10,20", [], 0, "", []],
    }
    p.scripts = ScriptRunner(alwayson, selectable)
    p.script_args = place_args(alwayson + selectable, args, first=1 if with_selectable else 0)
    return p
