// StableQueue for Forge / A1111: the "Queue in StableQueue" button under Generate.
//
// A click writes a one-shot token into the extension's hidden textbox
// (#stablequeue_<tab>_request) and clicks Generate. The Python side sees the token where
// Forge would start processing (before any model is loaded), sends the whole job (with
// every extension's settings) to StableQueue and shows the outcome under the gallery
// instead of generating. Afterwards the accordion's job list is refreshed
// every few seconds while jobs are still waiting or running.
//
// The job list's buttons (Top, Cancel, Retry) carry data-sq-action and data-sq-job; a
// click writes "<action>:<job id>" into the hidden #stablequeue_<tab>_job_action textbox
// and presses the hidden #stablequeue_<tab>_job_action_run button, whose Python handler
// asks StableQueue and redraws the list.
(function () {
    "use strict";

    const TABS = ["txt2img", "img2img"];
    const REFRESH_EVERY_MS = 4000;
    const REFRESH_FOR_MS = 10 * 60 * 1000;
    const refreshTimers = {};

    function root() {
        return typeof gradioApp === "function" ? gradioApp() : document;
    }

    function byId(id) {
        return root().querySelector("#" + id);
    }

    function flagInput(tab) {
        return root().querySelector(
            "#stablequeue_" + tab + "_request textarea, #stablequeue_" + tab + "_request input"
        );
    }

    function setFlag(input, value) {
        input.value = value;
        if (typeof updateInput === "function") {
            updateInput(input);
        } else {
            input.dispatchEvent(new Event("input", { bubbles: true }));
        }
    }

    function newToken() {
        const random = Math.random().toString(36).slice(2, 12).replace(/[^a-z0-9]/gi, "") || "x0x0";
        return "sq:" + Date.now() + ":" + random.padEnd(4, "0");
    }

    function activeJobs(tab) {
        const panel = root().querySelector("#stablequeue_" + tab + "_status [data-active]");
        return panel ? parseInt(panel.getAttribute("data-active") || "0", 10) || 0 : 0;
    }

    function refreshStatusSoon(tab) {
        clearInterval(refreshTimers[tab]);
        const started = Date.now();
        let clicks = 0;
        refreshTimers[tab] = setInterval(function () {
            const button = byId("stablequeue_" + tab + "_refresh_status");
            if (!button) return;
            // Keep refreshing while StableQueue reports waiting/running jobs.
            if ((clicks > 1 && activeJobs(tab) === 0) || Date.now() - started > REFRESH_FOR_MS) {
                clearInterval(refreshTimers[tab]);
                return;
            }
            clicks += 1;
            button.click();
        }, REFRESH_EVERY_MS);
    }

    function queueInStableQueue(tab) {
        const input = flagInput(tab);
        const generate = byId(tab + "_generate");
        if (!input || !generate) {
            alert("StableQueue: the extension's controls were not found on this page. Reload the UI.");
            return;
        }
        const token = newToken();
        setFlag(input, token);
        generate.click();
        // The token is used once on the server side anyway; clear it so a later plain
        // Generate click does not carry it.
        setTimeout(function () {
            if (input.value === token) setFlag(input, "");
        }, 1500);
        refreshStatusSoon(tab);
    }

    function tabOf(element) {
        return TABS.find(function (tab) {
            const panel = byId("stablequeue_" + tab + "_status");
            return panel && panel.contains(element);
        });
    }

    function runJobAction(tab, action, jobId) {
        const input = root().querySelector(
            "#stablequeue_" + tab + "_job_action textarea, #stablequeue_" + tab + "_job_action input"
        );
        const run = byId("stablequeue_" + tab + "_job_action_run");
        if (!input || !run) return false;
        setFlag(input, action + ":" + jobId);
        run.click();
        refreshStatusSoon(tab);
        return true;
    }

    function onJobButton(event) {
        const target = event.target;
        const button = target && typeof target.closest === "function" ? target.closest("[data-sq-action]") : null;
        if (!button || button.disabled) return;
        const tab = tabOf(button);
        if (!tab) return;
        event.preventDefault();
        button.disabled = true; // one request per click; the redrawn list brings fresh buttons
        runJobAction(tab, button.getAttribute("data-sq-action"), button.getAttribute("data-sq-job"));
    }

    function addButton(tab) {
        const generate = byId(tab + "_generate");
        if (!generate || byId("stablequeue_" + tab + "_queue")) return;
        const button = document.createElement("button");
        button.id = "stablequeue_" + tab + "_queue";
        button.type = "button";
        button.className = (generate.className || "").replace(/\bprimary\b/g, "secondary") + " stablequeue-queue-button";
        button.textContent = "Queue in StableQueue";
        button.title = "Send this job, with every extension's settings, to StableQueue instead of generating here";
        button.addEventListener("click", function (event) {
            event.preventDefault();
            queueInStableQueue(tab);
        });
        // Below the Generate box (which also holds Interrupt/Skip, stacked on Generate).
        const box = byId(tab + "_generate_box") || generate.parentNode;
        box.parentNode.insertBefore(button, box.nextSibling);
    }

    let listening = false;

    function setup() {
        TABS.forEach(addButton);
        if (!listening) {
            root().addEventListener("click", onJobButton);
            listening = true;
        }
    }

    if (typeof onUiLoaded === "function") {
        onUiLoaded(setup);
    } else {
        document.addEventListener("DOMContentLoaded", function () {
            setTimeout(setup, 2000);
        });
    }
})();
