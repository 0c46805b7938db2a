/**
 * The v2 status's application_specific_data, read from stored rows: what a Forge or a
 * ComfyUI client wants to know about how its job runs there.
 */
import { describe, expect, it } from 'vitest';
import type { JobRow } from '../../../electron/engine/queue/job-row.ts';
import { applicationSpecificData, type ServerFacts } from '../../../electron/engine/queue/application-data.ts';

function row(overrides: Partial<JobRow> & { params: Record<string, unknown> }): JobRow {
  const { params, ...rest } = overrides;
  return {
    mobilesd_job_id: '00000000-0000-4000-8000-000000000001', status: 'pending', creation_timestamp: '', last_updated_timestamp: '',
    started_timestamp: null, completion_timestamp: null, target_server_alias: 'gpu', assigned_server_alias: null,
    forge_session_hash: null, generation_params_json: JSON.stringify(params), result_details_json: null, backend_task_id: null,
    app_type: 'forge', mode: 'txt2img', source_info: null, api_key_id: null, priority: 5, position: 1, attempts: 0,
    max_attempts: 3, run_after: 0, lease_token: null, error_message: null, cancel_requested: 0, archived: 0,
    positive_prompt: '', checkpoint_name: null, metadata_json: null, ...rest,
  } as JobRow;
}

const servers: ServerFacts = {
  checkpointsOf: (alias) => (alias === 'gpu' ? [{ title: 'Pony\\cyberrealisticPony_v8.safetensors [abcdef1234]' }] : null),
};

describe('application_specific_data', () => {
  it('Forge: the title the checkpoint resolves to on the named server, and the always-on extensions', () => {
    const data = applicationSpecificData(row({
      params: { checkpoint_name: 'Pony/cyberrealisticPony_v8.safetensors', alwayson_scripts: { ControlNet: { args: [] }, ADetailer: { args: [] } }, script_name: 'x/y/z plot' },
    }), null, servers);
    expect(data).toEqual({
      mode: 'txt2img', checkpoint_name: 'Pony/cyberrealisticPony_v8.safetensors',
      checkpoint_title: 'Pony\\cyberrealisticPony_v8.safetensors [abcdef1234]', sd_model_hash: null,
      alwayson_scripts: ['ControlNet', 'ADetailer'], script_name: 'x/y/z plot', task_id: null,
    });
  });

  it('Forge: the attempt\'s title wins; an auto job without a server, or an unknown list, has none yet', () => {
    const ran = applicationSpecificData(row({ params: { checkpoint_name: 'cyber' } }), { checkpoint_title: 'exact [1]', sd_model_hash: '1' }, servers);
    expect(ran).toMatchObject({ checkpoint_title: 'exact [1]', sd_model_hash: '1', alwayson_scripts: [] });
    expect(applicationSpecificData(row({ target_server_alias: 'auto', params: { checkpoint_name: 'Pony/cyberrealisticPony_v8.safetensors' } }), null, servers).checkpoint_title).toBeNull();
    expect(applicationSpecificData(row({ target_server_alias: 'other', params: { checkpoint_name: 'Pony/cyberrealisticPony_v8.safetensors' } }), null, servers).checkpoint_title).toBeNull();
  });

  it('ComfyUI: prompt_id, node count and the graph\'s output ends of a workflow', () => {
    const workflow = {
      1: { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'a.safetensors' } },
      2: { class_type: 'CLIPTextEncode', inputs: { text: 'x', clip: ['1', 1] } },
      3: { class_type: 'EmptyLatentImage', inputs: { width: 64, height: 64, batch_size: 1 } },
      4: { class_type: 'KSampler', inputs: { seed: 1, steps: 2, cfg: 7, sampler_name: 'euler', scheduler: 'normal', denoise: 1, model: ['1', 0], positive: ['2', 0], negative: ['2', 0], latent_image: ['3', 0] } },
      5: { class_type: 'VAEDecode', inputs: { samples: ['4', 0], vae: ['1', 2] } },
      9: { class_type: 'PreviewImage', inputs: { images: ['5', 0] } },
      10: { class_type: 'SaveImage', inputs: { images: ['5', 0], filename_prefix: 'x' } },
    };
    const data = applicationSpecificData(row({ app_type: 'comfyui', backend_task_id: 'p-1', params: { workflow } }), null, servers);
    expect(data).toEqual({ prompt_id: 'p-1', workflow_source: 'workflow', node_count: 7, output_node_ids: ['9', '10'] });
  });

  it('ComfyUI: the built-in txt2img graph of the flat fields, counted with its LoRA nodes', () => {
    const data = applicationSpecificData(row({
      app_type: 'comfyui', params: { positive_prompt: 'x', checkpoint_name: 'a.safetensors', loras: [{ name: 'l1.safetensors' }, { name: 'l2.safetensors', weight: 0.5 }] },
    }), { prompt_id: 'p-2' }, servers);
    expect(data).toEqual({ prompt_id: 'p-2', workflow_source: 'built_in_txt2img', node_count: 9, output_node_ids: ['7'] });
  });

  it('ComfyUI: a workflow that is not an API graph counts nothing', () => {
    const data = applicationSpecificData(row({ app_type: 'comfyui', params: { workflow: { nodes: [], links: [] } } }), null, servers);
    expect(data).toEqual({ prompt_id: null, workflow_source: null, node_count: null, output_node_ids: [] });
  });
});
