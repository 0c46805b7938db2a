/** Styles, ComfyUI templates, form presets and server capabilities: the Generate page's library calls. */
import type {
  ComfyTemplate, ComfyTemplateInput, FormPreset, ServerCapabilities, Style, StyleImportResult, StyleInput,
} from '../../../shared/generate-library.ts';
import { ApiRequestError } from './errors.ts';
import { useApi } from './client.ts';

const enc = encodeURIComponent;

export function libraryApi() {
  const api = useApi();
  return {
    styles: async () => (await api.request<{ styles: Style[] }>('GET', '/api/v1/styles')).styles,
    createStyle: (body: StyleInput) => api.request<Style>('POST', '/api/v1/styles', { body }),
    updateStyle: (id: number, body: StyleInput) => api.request<Style>('PUT', `/api/v1/styles/${id}`, { body }),
    deleteStyle: (id: number) => api.request<void>('DELETE', `/api/v1/styles/${id}`),
    importStyles: (csv: string) => api.request<StyleImportResult>('POST', '/api/v1/styles/import', { body: { csv } }),
    stylesExportUrl: () => api.assetUrl('/api/v1/styles/export'),

    templates: async () => (await api.request<{ templates: ComfyTemplate[] }>('GET', '/api/v1/comfyui/templates')).templates,
    createTemplate: (body: ComfyTemplateInput) => api.request<ComfyTemplate>('POST', '/api/v1/comfyui/templates', { body }),
    updateTemplate: (id: number, body: ComfyTemplateInput) => api.request<ComfyTemplate>('PUT', `/api/v1/comfyui/templates/${id}`, { body }),
    deleteTemplate: (id: number) => api.request<void>('DELETE', `/api/v1/comfyui/templates/${id}`),

    presets: async () => (await api.request<{ presets: FormPreset[] }>('GET', '/api/v1/generate/presets')).presets,
    savePreset: (name: string, form: Record<string, unknown>) => api.request<FormPreset>('POST', '/api/v1/generate/presets', { body: { name, form } }),
    deletePreset: (id: number) => api.request<void>('DELETE', `/api/v1/generate/presets/${id}`),

    capabilities: (alias: string, signal?: AbortSignal) => api.request<ServerCapabilities>('GET', `/api/v1/servers/${enc(alias)}/capabilities`, { signal }),
  };
}

