/**
 * Prompt styles applied the way Forge / A1111 apply styles.csv (modules/styles.py,
 * merge_prompts): a style whose text holds `{prompt}` has the user's prompt put there;
 * any other style is appended after it with ", " (empty parts dropped). Styles apply in
 * the order named, each to the result of the one before.
 */
export interface StyleText {
  prompt: string;
  negative_prompt: string;
}

export function mergePrompts(stylePrompt: string, prompt: string): string {
  if (stylePrompt.includes('{prompt}')) return stylePrompt.replaceAll('{prompt}', prompt);
  return [prompt.trim(), stylePrompt.trim()].filter(Boolean).join(', ');
}

export function applyStyles(prompt: string, negative: string, styles: StyleText[]): { prompt: string; negative_prompt: string } {
  let p = prompt;
  let n = negative;
  for (const style of styles) {
    p = mergePrompts(style.prompt, p);
    n = mergePrompts(style.negative_prompt, n);
  }
  return { prompt: p, negative_prompt: n };
}
