/**
 * Dynamic prompts in the syntax sd-dynamic-prompts users already write, expanded either
 * into every variant (combinatorial) or into one variant chosen by a seeded random source.
 *
 *   {red|green|blue}        one of the options; options nest: {a {big|small}|c}
 *   {2::red|blue}           a weight before `::` (random mode picks red twice as often)
 *   {2$$a|b|c}              two different options joined by ", "
 *   {1-3$$a|b|c}            one to three options; {-2$$…} is 1-2, {2-$$…} is 2-all
 *   {2$$ and $$a|b|c}       a custom joiner between the chosen options
 *   __colors__              a line of the wildcard file colors.txt
 *   __colors/warm__         colors/warm.txt (folders nest); __colors/*__ every file in colors/
 *   \{ \} \| \_             the character itself
 *
 * Pure: wildcard files come through a `WildcardSource`, randomness through a function.
 */

/** Why a prompt cannot be expanded; the batch API answers it as a 400. */
export class DynamicPromptError extends Error {}

/** Wildcard lines by name ("colors", "colors/warm", "colors/*"); null when no file matches. */
export type WildcardSource = (name: string) => readonly string[] | null;

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'variant'; options: { weight: number; body: Node[] }[]; min: number; max: number; joiner: string }
  | { kind: 'wildcard'; name: string };

/** Deepest wildcard-in-wildcard nesting followed; deeper is taken for a loop. */
const MAX_WILDCARD_DEPTH = 12;
const DEFAULT_JOINER = ', ';

class Parser {
  #pos = 0;
  readonly #src: string;
  constructor(src: string) {
    this.#src = src;
  }

  parse(): Node[] {
    const nodes = this.#sequence(false);
    return nodes;
  }

  /** Nodes up to the end, or (inside a variant) up to the `|` or `}` that ends an option. */
  #sequence(inVariant: boolean): Node[] {
    const nodes: Node[] = [];
    let text = '';
    const flush = () => {
      if (text) nodes.push({ kind: 'text', text });
      text = '';
    };
    while (this.#pos < this.#src.length) {
      const c = this.#src[this.#pos];
      // Only the characters this syntax uses are escapes: A1111's own `\(` must reach the server as written.
      if (c === '\\' && this.#pos + 1 < this.#src.length && '{}|_'.includes(this.#src[this.#pos + 1])) {
        text += this.#src[this.#pos + 1];
        this.#pos += 2;
      } else if (inVariant && (c === '|' || c === '}')) {
        break;
      } else if (c === '{') {
        flush();
        nodes.push(this.#variant());
      } else if (c === '_' && this.#src.startsWith('__', this.#pos)) {
        const end = this.#src.indexOf('__', this.#pos + 2);
        const name = end > 0 ? this.#src.slice(this.#pos + 2, end) : '';
        if (/^[^\s{}|]+$/.test(name) && !name.startsWith('_')) {
          flush();
          nodes.push({ kind: 'wildcard', name });
          this.#pos = end + 2;
        } else {
          text += '__';
          this.#pos += 2;
        }
      } else {
        text += c;
        this.#pos++;
      }
    }
    flush();
    return nodes;
  }

  #variant(): Node {
    const open = this.#pos;
    this.#pos++; // {
    let min = 1;
    let max = 1;
    let joiner = DEFAULT_JOINER;
    const bounds = /^(\d*)(-(\d*))?\$\$/.exec(this.#src.slice(this.#pos, this.#pos + 40));
    if (bounds && (bounds[1] !== '' || bounds[2] !== undefined)) {
      this.#pos += bounds[0].length;
      const low = bounds[1] === '' ? 1 : Number(bounds[1]);
      const high = bounds[2] === undefined ? low : bounds[3] === '' ? Infinity : Number(bounds[3]);
      min = low;
      max = high;
      // An optional joiner: `{2$$ and $$a|b}`. It is a joiner only when `$$` follows before any `|`, `{` or `}`.
      const rest = this.#src.slice(this.#pos);
      const joinerEnd = rest.indexOf('$$');
      if (joinerEnd >= 0 && !/[|{}]/.test(rest.slice(0, joinerEnd))) {
        joiner = rest.slice(0, joinerEnd);
        this.#pos += joinerEnd + 2;
      }
    }
    const options: { weight: number; body: Node[] }[] = [];
    for (;;) {
      let weight = 1;
      const weighted = /^\s*(\d+(?:\.\d+)?|\.\d+)::/.exec(this.#src.slice(this.#pos, this.#pos + 40));
      if (weighted) {
        weight = Number(weighted[1]);
        this.#pos += weighted[0].length;
      }
      options.push({ weight, body: this.#sequence(true) });
      const c = this.#src[this.#pos];
      if (c === '|') { this.#pos++; continue; }
      if (c === '}') { this.#pos++; break; }
      throw new DynamicPromptError(`The "{" at character ${open + 1} is never closed with "}" (write \\{ for a literal brace).`);
    }
    if (min > max) throw new DynamicPromptError(`{${min}-${max}$$…} asks for at least ${min} options but at most ${max}.`);
    return { kind: 'variant', options, min, max: Math.min(max, options.length), joiner };
  }
}

const parse = (template: string): Node[] => new Parser(template).parse();

/** A random source in [0, 1) that gives the same numbers for the same seed (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function wildcardLines(wildcards: WildcardSource, name: string, depth: number): readonly string[] {
  if (depth > MAX_WILDCARD_DEPTH) throw new DynamicPromptError(`Wildcards nest more than ${MAX_WILDCARD_DEPTH} deep at __${name}__: does a file use itself?`);
  const lines = wildcards(name);
  if (!lines) throw new DynamicPromptError(`No wildcard file for __${name}__ (looked for ${name}.txt in the wildcards folder).`);
  if (lines.length === 0) throw new DynamicPromptError(`The wildcard __${name}__ has no lines (empty lines and # comments do not count).`);
  return lines;
}

/** Every k-element subset of 0..n-1, in order. */
function* subsets(n: number, k: number, start = 0): Generator<number[]> {
  if (k === 0) { yield []; return; }
  for (let i = start; i <= n - k; i++) for (const rest of subsets(n, k - 1, i + 1)) yield [i, ...rest];
}

/**
 * Every variant of `template`, in order (the first option first). Throws when there are
 * more than `limit`, so a runaway template is refused before it is expanded in full.
 */
export function combinatorialPrompts(template: string, wildcards: WildcardSource, limit: number): string[] {
  const tooMany = () => new DynamicPromptError(`"${template.length > 80 ? `${template.slice(0, 77)}…` : template}" expands to more than ${limit} prompts.`);

  const expandSequence = (nodes: Node[], depth: number): string[] => {
    let out = [''];
    for (const node of nodes) {
      const parts = expandNode(node, depth);
      if (out.length * parts.length > limit) throw tooMany();
      out = out.flatMap((head) => parts.map((part) => head + part));
    }
    return out;
  };

  const expandNode = (node: Node, depth: number): string[] => {
    if (node.kind === 'text') return [node.text];
    if (node.kind === 'wildcard') {
      const out: string[] = [];
      for (const line of wildcardLines(wildcards, node.name, depth)) {
        out.push(...expandSequence(parse(line), depth + 1));
        if (out.length > limit) throw tooMany();
      }
      return out;
    }
    const bodies = node.options.map((option) => expandSequence(option.body, depth));
    const out: string[] = [];
    for (let k = node.min; k <= node.max; k++) {
      for (const chosen of subsets(bodies.length, k)) {
        let joined = [''];
        chosen.forEach((index, i) => {
          joined = joined.flatMap((head) => bodies[index].map((body) => (i === 0 ? body : head + node.joiner + body)));
          if (joined.length > limit) throw tooMany();
        });
        out.push(...joined);
        if (out.length > limit) throw tooMany();
      }
    }
    return out;
  };

  return expandSequence(parse(template), 0);
}

/** One variant of `template`, chosen with `random` (weights respected, options of one variant never repeated). */
export function randomPrompt(template: string, wildcards: WildcardSource, random: () => number): string {
  const pickSequence = (nodes: Node[], depth: number): string => nodes.map((node) => pickNode(node, depth)).join('');
  const pickNode = (node: Node, depth: number): string => {
    if (node.kind === 'text') return node.text;
    if (node.kind === 'wildcard') {
      const lines = wildcardLines(wildcards, node.name, depth);
      return pickSequence(parse(lines[Math.floor(random() * lines.length)]), depth + 1);
    }
    const count = node.min + Math.floor(random() * (node.max - node.min + 1));
    const left = [...node.options];
    const chosen: string[] = [];
    for (let i = 0; i < count && left.length > 0; i++) {
      const total = left.reduce((sum, option) => sum + option.weight, 0);
      let r = random() * total;
      let index = left.findIndex((option) => (r -= option.weight) < 0);
      if (index < 0) index = left.length - 1;
      chosen.push(pickSequence(left[index].body, depth));
      left.splice(index, 1);
    }
    return chosen.join(node.joiner);
  };
  return pickSequence(parse(template), 0);
}

/** Whether a prompt uses any dynamic syntax (so a plain prompt is left exactly as written). */
export function isDynamicPrompt(template: string): boolean {
  return parse(template).some((node) => node.kind !== 'text');
}
