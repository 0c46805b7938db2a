/**
 * The few fields of an A1111/Forge `parameters` infotext that a job row needs when it is
 * rebuilt from an image on disk: prompt, negative prompt, and the `Key: value` settings
 * line (Steps, Sampler, Seed, Size, Model…). Anything unusual is simply left out.
 */
export interface InfotextFields {
  positive_prompt: string;
  negative_prompt?: string;
  settings: Record<string, string>;
}

export function parseInfotext(text: string): InfotextFields {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let settingsLine = '';
  if (lines.length > 0 && /^Steps: /.test(lines[lines.length - 1])) settingsLine = lines.pop()!;
  const body = lines.join('\n');
  const negativeAt = body.indexOf('\nNegative prompt:');
  const positive = (negativeAt >= 0 ? body.slice(0, negativeAt) : body).trim();
  const negative = negativeAt >= 0 ? body.slice(negativeAt + '\nNegative prompt:'.length).trim() : undefined;
  const settings: Record<string, string> = {};
  // Values may be quoted and hold commas ("Lora hashes: \"a: 1, b: 2\"").
  for (const match of settingsLine.matchAll(/\s*([^:,]+):\s*("(?:[^"\\]|\\.)*"|[^,]*)\s*(?:,|$)/g)) {
    if (match[1]) settings[match[1].trim()] = match[2].trim().replace(/^"(.*)"$/, '$1');
  }
  return { positive_prompt: positive, ...(negative !== undefined ? { negative_prompt: negative } : {}), settings };
}
