"""The Forge extension's capture: StableDiffusionProcessing -> StableQueue generation_params.

Runs without Forge: ``p`` and the other extensions' scripts are the fakes in fakes.py,
with the same attributes as Forge's (ControlNet units are dataclasses holding arrays,
PIL images and enums, as in sd_forge_controlnet; ADetailer's args are its bool + dicts).
"""

import base64
import copy
import dataclasses
import json
import unittest

import sqtest_paths  # noqa: F401 - puts extensions/forge on sys.path
from fakes import (
    ADetailerScript,
    FakeArray,
    FakePILImage,
    ScriptRunner,
    adetailer_args,
    make_p,
    place_args,
    png_pixels,
    png_size,
)
from stablequeue_lib import capture, serialize
from stablequeue_lib.capture import build_generation_params, script_is_enabled
from stablequeue_lib.request_flag import RequestFlags
from stablequeue_lib.status_html import render_jobs

try:
    import numpy as np
except ImportError:  # the tests below that need it are skipped
    np = None

OPTS = {
    "sd_model_checkpoint": "SDXL/juggernautXL_v9.safetensors [c9e3e68f89]",
    "CLIP_stop_at_last_layers": 2,
    "forge_additional_modules": ["/home/me/forge/models/VAE/sdxl_vae.safetensors",
                                 "C:\\forge\\models\\text_encoder\\clip_l.safetensors"],
    "forge_unet_storage_dtype": "Automatic",
    "sd_vae": "Automatic",
    "eta_noise_seed_delta": 0,
    "randn_source": "GPU",
}


def roundtrip(value):
    """What StableQueue receives: the JSON text, parsed back."""
    return json.loads(json.dumps(value, allow_nan=False))


class Txt2ImgCaptureTest(unittest.TestCase):
    def setUp(self):
        self.p = make_p("txt2img")
        self.result = build_generation_params(self.p, opts=OPTS)
        self.params = roundtrip(self.result.generation_params)

    def test_mode_and_flat_fields(self):
        self.assertEqual(self.result.mode, "txt2img")
        params = self.params
        self.assertEqual(params["positive_prompt"], "a castle on a hill, <lora:detail:0.6>")
        self.assertEqual(params["negative_prompt"], "blurry")
        self.assertEqual(params["checkpoint_name"], OPTS["sd_model_checkpoint"])
        for key, expected in {
            "seed": 1234, "subseed": -1, "subseed_strength": 0.0, "width": 832, "height": 1216,
            "steps": 28, "cfg_scale": 6.5, "sampler_name": "DPM++ 2M", "scheduler": "Karras",
            "batch_size": 2, "n_iter": 1, "restore_faces": False, "denoising_strength": 0.45,
            "distilled_cfg_scale": 3.5,
        }.items():
            self.assertEqual(params[key], expected, key)

    def test_hires_fix_fields_pass_through(self):
        params = self.params
        self.assertIs(params["enable_hr"], True)
        self.assertEqual(params["hr_scale"], 1.5)
        self.assertEqual(params["hr_upscaler"], "4x-UltraSharp")
        self.assertEqual(params["hr_second_pass_steps"], 12)
        self.assertEqual(params["hr_cfg"], 1.0)
        self.assertEqual(params["hr_additional_modules"], ["Use same choices"])
        self.assertNotIn("hr_checkpoint_name", params)  # None = same checkpoint

    def test_local_only_fields_are_not_sent(self):
        for key in ("sd_model", "outpath_samples", "comments", "extra_generation_params", "scripts",
                    "script_args", "prompt", "styles", "eta", "s_churn", "firstpass_image"):
            self.assertNotIn(key, self.params, key)

    def test_settings_become_override_settings(self):
        override = self.params["override_settings"]
        self.assertEqual(override["CLIP_stop_at_last_layers"], 2)
        # Local absolute paths mean nothing on the target: basenames (Forge accepts them).
        self.assertEqual(override["forge_additional_modules"], ["sdxl_vae.safetensors", "clip_l.safetensors"])
        # defaults are not sent, so an A1111 target never sees Forge-only keys for nothing
        for key in ("forge_unet_storage_dtype", "sd_vae", "eta_noise_seed_delta", "randn_source",
                    "sd_model_checkpoint"):
            self.assertNotIn(key, override)

    def test_checkpoint_override_in_p_wins_and_leaves_override_settings(self):
        a1111_opts = {k: v for k, v in OPTS.items() if not k.startswith("forge_")}
        p = make_p("txt2img", override_settings={"sd_model_checkpoint": "other.safetensors", "sd_vae": "x.vae.pt"})
        params = build_generation_params(p, opts=a1111_opts).generation_params
        self.assertEqual(params["checkpoint_name"], "other.safetensors")
        self.assertNotIn("sd_model_checkpoint", params["override_settings"])
        self.assertEqual(params["vae"], "x.vae.pt")
        self.assertEqual(params["override_settings"]["sd_vae"], "x.vae.pt")

    def test_a_stale_sd_vae_is_never_the_vae_of_a_forge_job(self):
        p = make_p("txt2img", override_settings={"sd_vae": "old.vae.pt"})
        params = build_generation_params(p, opts={**OPTS, "sd_vae": "older.vae.pt"}).generation_params
        self.assertNotIn("vae", params)
        self.assertNotIn("sd_vae", params["override_settings"])
        self.assertEqual(params["override_settings"]["forge_additional_modules"], ["sdxl_vae.safetensors", "clip_l.safetensors"])

    def test_adetailer_is_api_is_not_sent(self):
        p = make_p("txt2img")
        ad = next(s for s in p.scripts.alwayson_scripts if s.title() == "ADetailer")
        args = list(p.script_args)
        args[ad.args_from + 2] = {**args[ad.args_from + 2], "is_api": ()}
        p.script_args = tuple(args)
        args = roundtrip(build_generation_params(p, opts=OPTS).generation_params)["alwayson_scripts"]["adetailer"]["args"]
        self.assertNotIn("is_api", args[2])
        self.assertEqual(args[2]["ad_model"], "face_yolov8n.pt")

    def test_refiner(self):
        p = make_p("txt2img", refiner_checkpoint="sdxl_refiner.safetensors", refiner_switch_at=0.8)
        params = build_generation_params(p, opts=OPTS).generation_params
        self.assertEqual(params["refiner_checkpoint"], "sdxl_refiner.safetensors")
        self.assertEqual(params["refiner_switch_at"], 0.8)

    def test_which_scripts_are_sent(self):
        alwayson = self.params["alwayson_scripts"]
        self.assertEqual(sorted(alwayson), ["adetailer", "controlnet"])
        reasons = {s.title: (s.included, s.reason) for s in self.result.scripts}
        self.assertEqual(reasons["StableQueue"][0], False)  # never ourselves
        self.assertEqual(reasons["Sampler"][0], False)  # built-in UI: values already in the payload
        self.assertEqual(reasons["DynamicThresholding (CFG-Scale Fix)"], (False, "switched off"))
        self.assertEqual(self.result.included_scripts, ["ControlNet", "ADetailer"])

    def test_adetailer_args_survive_untouched(self):
        self.assertEqual(self.params["alwayson_scripts"]["adetailer"], {"args": adetailer_args()})

    def test_controlnet_units_survive_with_images_as_png(self):
        units = self.params["alwayson_scripts"]["controlnet"]["args"]
        self.assertEqual(len(units), 2, "the disabled unit is not sent")
        depth, pose = units
        self.assertEqual(depth["module"], "depth_anything")
        self.assertEqual(depth["model"], "diffusers_xl_depth_full [2f51180b]")
        self.assertEqual(depth["weight"], 0.75)
        self.assertEqual(depth["processor_res"], 512)
        self.assertEqual(depth["guidance_end"], 0.8)
        self.assertIs(depth["pixel_perfect"], True)
        self.assertEqual(depth["resize_mode"], "Crop and Resize")  # enum -> its API value
        self.assertEqual(depth["control_mode"], "ControlNet is more important")
        self.assertNotIn("generated_image", depth)  # UI preview only
        # the gradio {image, mask} pair keeps its shape, with PNGs inside
        self.assertEqual(png_size(depth["image"]["image"]), (48, 32, 2))
        self.assertEqual(png_size(depth["image"]["mask"]), (48, 32, 2))
        self.assertEqual(png_pixels(depth["image"]["image"])[:4], b"\x00\x0a\x14\x1e")
        self.assertEqual(png_size(pose["image"]["image"]), (40, 24, 2))  # from a PIL image
        self.assertIsNone(pose["image"]["mask"])
        self.assertEqual(self.result.images, 3)

    def test_a_used_preview_travels_as_the_image_with_no_preprocessor(self):
        p = make_p("txt2img")
        cn = next(s for s in p.scripts.alwayson_scripts if s.title() == "ControlNet")
        unit = p.script_args[cn.args_from]
        unit.use_preview_as_input = True
        units = roundtrip(build_generation_params(p, opts=OPTS).generation_params)["alwayson_scripts"]["controlnet"]["args"]
        self.assertNotIn("generated_image", units[0])
        self.assertEqual(units[0]["module"], "None")
        self.assertIs(units[0]["use_preview_as_input"], False)
        self.assertEqual(png_size(units[0]["image"]), (48, 32, 2))

    @unittest.skipIf(np is None, "numpy not installed")
    def test_forge_canvas_layers_are_flattened_into_image_and_mask(self):
        p = make_p("txt2img")
        cn = next(s for s in p.scripts.alwayson_scripts if s.title() == "ControlNet")
        unit = p.script_args[cn.args_from]
        sketch = np.zeros((16, 24, 4), dtype=np.uint8)
        sketch[4:8, 4:8, 3] = 255  # a stroke drawn on an empty background
        unit.image = np.zeros((16, 24, 3), dtype=np.uint8)
        unit.image_fg = sketch
        unit.mask_image_fg = None
        units = roundtrip(build_generation_params(p, opts=OPTS).generation_params)["alwayson_scripts"]["controlnet"]["args"]
        self.assertNotIn("image_fg", units[0])
        self.assertNotIn("mask_image_fg", units[0])
        self.assertEqual(png_size(units[0]["image"]), (24, 16, 0))  # the stroke, as grey
        self.assertEqual(png_size(units[0]["mask_image"]), (24, 16, 0))
        self.assertEqual(png_pixels(units[0]["image"])[4 * (24 + 1) + 1 + 4], 255)  # row 4 (filter byte first), x 4

        # a drawing over a real picture keeps the picture; the drawing becomes the mask
        unit.image = np.full((16, 24, 3), 128, dtype=np.uint8)
        units = roundtrip(build_generation_params(p, opts=OPTS).generation_params)["alwayson_scripts"]["controlnet"]["args"]
        self.assertEqual(png_size(units[0]["image"]), (24, 16, 2))
        self.assertEqual(png_size(units[0]["mask_image"]), (24, 16, 0))

    def test_batch_inputs_cannot_travel_and_the_user_is_told(self):
        p = make_p("txt2img")
        cn = next(s for s in p.scripts.alwayson_scripts if s.title() == "ControlNet")
        unit = p.script_args[cn.args_from]
        unit.input_mode = "batch"
        unit.batch_image_dir = "/home/me/poses"
        result = build_generation_params(p, opts=OPTS)
        units = roundtrip(result.generation_params)["alwayson_scripts"]["controlnet"]["args"]
        self.assertEqual(units[0]["input_mode"], "simple")
        self.assertNotIn("batch_image_dir", units[0])
        self.assertTrue(any("reads folders on this computer" in w for w in result.warnings), result.warnings)

    def test_the_original_objects_are_not_modified(self):
        p = make_p("txt2img")
        before = copy.deepcopy(p.script_args)
        build_generation_params(p, opts=OPTS)
        cn = next(s for s in p.scripts.alwayson_scripts if s.title() == "ControlNet")
        self.assertIsInstance(p.script_args[cn.args_from].image["image"], FakeArray)
        self.assertEqual(p.script_args[-1], before[-1])

    def test_skip_list_from_settings(self):
        result = build_generation_params(make_p("txt2img"), opts=OPTS, skip_titles=[" adetailer "])
        self.assertEqual(sorted(result.generation_params["alwayson_scripts"]), ["controlnet"])

    def test_styles_are_expanded_locally(self):
        p = make_p("txt2img", styles=["cinematic"])

        def apply(prompt, styles, negative):
            return prompt + (", low quality" if negative else ", cinematic lighting")

        params = build_generation_params(p, opts=OPTS, styles_applier=apply).generation_params
        self.assertEqual(params["positive_prompt"], "a castle on a hill, <lora:detail:0.6>, cinematic lighting")
        self.assertEqual(params["negative_prompt"], "blurry, low quality")
        self.assertNotIn("styles", params)

    def test_selected_script_is_sent_by_name(self):
        p = make_p("txt2img", with_selectable=True)
        params = build_generation_params(p, opts=OPTS).generation_params
        self.assertEqual(params["script_name"], "x/y/z plot")
        self.assertEqual(params["script_args"], [1, "10,20", [], 0, "", []])

    def test_float_integers_from_number_boxes(self):
        p = make_p("txt2img", seed=42.0, width=1024.0)
        params = build_generation_params(p, opts=OPTS).generation_params
        self.assertEqual((params["seed"], params["width"]), (42, 1024))
        self.assertIsInstance(params["seed"], int)

    def test_no_scripts_at_all(self):
        p = make_p("txt2img")
        p.scripts, p.script_args = None, ()
        params = build_generation_params(p, opts={}).generation_params
        self.assertNotIn("alwayson_scripts", params)
        self.assertNotIn("checkpoint_name", params)


class ExtraOptionsTest(unittest.TestCase):
    def test_extra_options_become_named_settings(self):
        from fakes import ExtraOptionsSection

        p = make_p("txt2img")
        extra = ExtraOptionsSection()
        scripts = p.scripts.alwayson_scripts + [extra]
        p.scripts = ScriptRunner(scripts)
        p.script_args = place_args(scripts, {
            "ControlNet": [], "ADetailer": adetailer_args(),
            "Extra options": [3, "sd15/dreamshaper_8.safetensors"],
        })
        p.override_settings = {"CLIP_stop_at_last_layers": 1}  # set in the UI's override box: wins
        result = build_generation_params(p, opts=OPTS)
        params = result.generation_params
        self.assertEqual(params["checkpoint_name"], "sd15/dreamshaper_8.safetensors")
        self.assertEqual(params["override_settings"]["CLIP_stop_at_last_layers"], 1)
        self.assertNotIn("extra options", params["alwayson_scripts"])
        reasons = {s.title: s.reason for s in result.scripts}
        self.assertEqual(reasons["Extra options"], "its values are sent as override_settings")


class Img2ImgCaptureTest(unittest.TestCase):
    def test_init_image_and_mask(self):
        p = make_p("img2img", image_mask=FakeArray(48, 64, 1, fill=(255,)))
        result = build_generation_params(p, opts=OPTS)
        params = roundtrip(result.generation_params)
        self.assertEqual(result.mode, "img2img")
        self.assertEqual(len(params["init_images"]), 1)
        self.assertEqual(png_size(params["init_images"][0]), (64, 48, 2))
        self.assertEqual(png_size(params["mask"]), (64, 48, 0))  # greyscale
        self.assertEqual(params["mask_blur"], 4)
        self.assertEqual(params["inpainting_fill"], 1)
        self.assertEqual(params["denoising_strength"], 0.45)
        self.assertNotIn("enable_hr", params)
        self.assertIn("controlnet", params["alwayson_scripts"])


@dataclasses.dataclass
class ForkProcessing:
    """A processing dataclass with a field this extension has never heard of."""

    prompt: str = "p"
    negative_prompt: str = ""
    steps: int = 20
    some_new_fork_field: float = 0.25
    sd_model: object = None
    internal: list = dataclasses.field(default=None, init=False)


class GenericFieldsTest(unittest.TestCase):
    def test_dataclass_fields_pass_through(self):
        p = ForkProcessing()
        params = build_generation_params(p).generation_params
        self.assertEqual(params["some_new_fork_field"], 0.25)
        self.assertEqual(params["steps"], 20)
        self.assertNotIn("internal", params)
        self.assertNotIn("sd_model", params)


class EnabledTest(unittest.TestCase):
    def test_rules(self):
        self.assertEqual(script_is_enabled([]), (False, "has no arguments"))
        self.assertEqual(script_is_enabled([False, 1, 2])[0], False)
        self.assertEqual(script_is_enabled([True, {"x": 1}])[0], True)
        self.assertEqual(script_is_enabled([{"enabled": False}, {"enabled": True}])[0], True)
        self.assertEqual(script_is_enabled([{"enabled": False}, {"enabled": False}])[0], False)
        self.assertEqual(script_is_enabled(["some mode", 3])[0], True)  # unknown: keep

        class AnimateDiffProcess:
            enable = False

        self.assertEqual(script_is_enabled([AnimateDiffProcess()])[0], False)


class SerializeTest(unittest.TestCase):
    def test_png_encoder_round_trip(self):
        png = serialize.encode_png(2, 2, 3, bytes([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]))
        b64 = base64.b64encode(png).decode()
        self.assertEqual(png_size(b64), (2, 2, 2))
        self.assertEqual(png_pixels(b64), b"\x00\x01\x02\x03\x04\x05\x06\x00\x07\x08\x09\x0a\x0b\x0c")

    def test_unknown_values_are_reported_not_dropped(self):
        class Opaque:
            __slots__ = ()

            def __str__(self):
                return "opaque!"

        report = serialize.SerializeReport()
        out = serialize.to_jsonable({"a": Opaque(), "b": float("nan"), "c": (1, 2), "d": b"\x01"}, report)
        self.assertEqual(out, {"a": "opaque!", "b": None, "c": [1, 2], "d": "AQ=="})
        self.assertEqual(len(report.warnings), 2)
        json.dumps(out, allow_nan=False)

    def test_cycles_do_not_hang(self):
        a = {"x": 1}
        a["self"] = a
        report = serialize.SerializeReport()
        self.assertEqual(serialize.to_jsonable(a, report), {"x": 1, "self": None})

    @unittest.skipIf(np is None, "numpy not installed")
    def test_real_numpy_values(self):
        report = serialize.SerializeReport()
        out = serialize.to_jsonable(
            {
                "img": np.zeros((16, 8, 3), dtype=np.uint8),
                "float_img": np.ones((4, 4), dtype=np.float32),
                "mask": np.ones((4, 4), dtype=bool),
                "i": np.int64(3),
                "f": np.float32(0.5),
                "b": np.bool_(True),
                "vec": np.arange(3),
            },
            report,
        )
        self.assertEqual(png_size(out["img"]), (8, 16, 2))
        self.assertEqual(png_pixels(out["float_img"])[:3], b"\x00\xff\xff")
        self.assertEqual(png_pixels(out["mask"])[:3], b"\x00\xff\xff")
        self.assertEqual((out["i"], out["f"], out["b"], out["vec"]), (3, 0.5, True, [0, 1, 2]))
        self.assertEqual(report.images, 3)

    def test_pil_image(self):
        self.assertEqual(png_size(serialize.image_to_base64_png(FakePILImage(3, 5))), (3, 5, 2))


class RequestFlagTest(unittest.TestCase):
    def test_token_is_honoured_once(self):
        flags = RequestFlags()
        self.assertFalse(flags.claim(""))
        self.assertFalse(flags.claim("queue please"))
        self.assertTrue(flags.claim("sq:1700000000000:abc123"))
        self.assertFalse(flags.claim("sq:1700000000000:abc123"))
        self.assertTrue(flags.claim("sq:1700000000001:abc123"))


class StatusHtmlTest(unittest.TestCase):
    def test_escapes_and_counts_active_jobs(self):
        html = render_jobs(
            [
                {"mobilesd_job_id": "11111111-aaaa", "status": "processing", "progress": 40,
                 "target_server_alias": "gpu<1>", "positive_prompt": "<script>alert(1)</script>"},
                {"mobilesd_job_id": "22222222-bbbb", "status": "pending", "queue_position": 2},
                {"mobilesd_job_id": "33333333-cccc", "status": "failed", "error_message": "OOM \"x\""},
            ],
            base_url="http://sq:3000",
        )
        self.assertIn('data-active="2"', html)
        self.assertIn("running 40%", html)
        self.assertIn("waiting (#2)", html)
        self.assertNotIn("<script>", html)
        self.assertIn("gpu&lt;1&gt;", html)
        self.assertIn('title="OOM &quot;x&quot;"', html)

    def test_shows_the_extension_argument_warnings_of_a_job(self):
        html = render_jobs(
            [{"mobilesd_job_id": "44444444-dddd", "status": "completed",
              "script_warnings": ["ADetailer: the job sends 3 arguments, the server's version takes 2 <old>"]},
             {"mobilesd_job_id": "55555555-eeee", "status": "completed"}],
            actions=True,
        )
        self.assertEqual(html.count('class="stablequeue-warning"'), 1)
        self.assertIn('colspan="4"', html)
        self.assertIn("ADetailer: the job sends 3 arguments, the server&#x27;s version takes 2 &lt;old&gt;", html)


class OptionKeysTest(unittest.TestCase):
    def test_option_keys(self):
        self.assertIn("sd_model_checkpoint", capture.OPTION_KEYS)
        self.assertIn("forge_additional_modules", capture.OPTION_KEYS)


class RunnerWithoutArgsTest(unittest.TestCase):
    def test_script_without_args_is_skipped(self):
        p = make_p("txt2img")
        script = ADetailerScript()
        p.scripts = ScriptRunner([script])
        p.script_args = place_args([script], {})
        result = build_generation_params(p)
        self.assertNotIn("alwayson_scripts", result.generation_params)
        self.assertEqual(result.scripts[0].reason, "has no arguments")


if __name__ == "__main__":
    unittest.main()
