// StableQueue for ComfyUI: registers "Queue in StableQueue" (Extensions → StableQueue in
// the menu, the canvas's right-click menu with a priority per job, and a button in the
// legacy menu). The logic is in stablequeue_core.js.
import { app } from "../../scripts/app.js";
import { api } from "../../scripts/api.js";
import { registerStableQueue } from "./stablequeue_core.js";

registerStableQueue(app, api);
