import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { combinatorialPrompts, DynamicPromptError, randomPrompt, seededRandom, type WildcardSource } from '../../../../electron/engine/batches/dynamic-prompts.ts';
import { readWildcardFolder, wildcardFileLines } from '../../../../electron/engine/batches/wildcard-folder.ts';
import { makeTempDir } from '../../../helpers/temp-dir.ts';

const cards: Record<string, string[]> = {
  animals: ['cat', 'dog'],
  'colors/warm': ['red', 'orange'],
  'colors/cool': ['blue'],
  nested: ['{small|big} __animals__'],
  loop: ['__loop__'],
};
const wildcards: WildcardSource = (name) => cards[name] ?? null;
const all = (template: string, limit = 1000) => combinatorialPrompts(template, wildcards, limit);

describe('dynamic prompts, combinatorial', () => {
  it('expands alternatives in order, nested and side by side', () => {
    expect(all('a {red|green|blue} car')).toEqual(['a red car', 'a green car', 'a blue car']);
    expect(all('{a|b}{1|2}')).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(all('{x {big|small}|y}')).toEqual(['x big', 'x small', 'y']);
    expect(all('{|blurry}')).toEqual(['', 'blurry']);
  });

  it('chooses several options with $$: a count, a range, a custom joiner', () => {
    expect(all('{2$$a|b|c}')).toEqual(['a, b', 'a, c', 'b, c']);
    expect(all('{1-2$$a|b}')).toEqual(['a', 'b', 'a, b']);
    expect(all('{2$$ and $$a|b}')).toEqual(['a and b']);
    expect(all('{2-$$a|b|c}')).toHaveLength(4);
  });

  it('reads wildcards: one option per line, nested folders, globs, wildcards inside wildcards', () => {
    expect(all('a __animals__')).toEqual(['a cat', 'a dog']);
    expect(all('__colors/warm__')).toEqual(['red', 'orange']);
    expect(all('__nested__')).toEqual(['small cat', 'small dog', 'big cat', 'big dog']);
  });

  it('leaves the rest as written: A1111 escapes and weights, single underscores', () => {
    expect(all('\\(masterpiece\\), (red:1.2), my_style')).toEqual(['\\(masterpiece\\), (red:1.2), my_style']);
    expect(all('a \\{literal\\} brace')).toEqual(['a {literal} brace']);
  });

  it('refuses what cannot be expanded, saying why', () => {
    expect(() => all('a {red|blue')).toThrow(/never closed/);
    expect(() => all('__missing__')).toThrow(/missing\.txt/);
    expect(() => all('__loop__')).toThrow(/nest more than/);
    expect(() => all('{a|b|c|d}{a|b|c|d}{a|b|c|d}', 50)).toThrow(/more than 50 prompts/);
    expect(() => all('x')).not.toThrow(DynamicPromptError);
  });
});

describe('dynamic prompts, random', () => {
  it('gives the same prompts for the same seed and only ever a valid variant', () => {
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 20 }, () => randomPrompt('a {tiny|huge} __animals__, {2$$a|b|c}', wildcards, random));
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(1)).not.toEqual(draw(2));
    for (const prompt of draw(3)) expect(prompt).toMatch(/^a (tiny|huge) (cat|dog), (a|b|c), (a|b|c)$/);
    for (const prompt of draw(4)) expect(prompt.split(', ').slice(1)[0]).not.toBe(prompt.split(', ')[2]);
  });

  it('follows weights', () => {
    const random = seededRandom(9);
    const picks = Array.from({ length: 2000 }, () => randomPrompt('{9::a|b}', wildcards, random));
    const share = picks.filter((p) => p === 'a').length / picks.length;
    expect(share).toBeGreaterThan(0.85);
    expect(share).toBeLessThan(0.95);
  });
});

describe('wildcard folder', () => {
  it('reads the sd-dynamic-prompts layout: name.txt, folders, comments and blank lines left out, globs', async () => {
    const tmp = makeTempDir('sq-wildcards-');
    try {
      fs.mkdirSync(path.join(tmp.dir, 'colors', 'deep'), { recursive: true });
      fs.writeFileSync(path.join(tmp.dir, 'Animals.txt'), '# pets\r\ncat\r\n\r\n  dog  \r\n');
      fs.writeFileSync(path.join(tmp.dir, 'colors', 'warm.txt'), 'red\n');
      fs.writeFileSync(path.join(tmp.dir, 'colors', 'cool.txt'), 'blue\n');
      fs.writeFileSync(path.join(tmp.dir, 'colors', 'deep', 'dark.txt'), 'black\n');
      fs.writeFileSync(path.join(tmp.dir, 'notes.md'), 'not a wildcard\n');
      const source = await readWildcardFolder(tmp.dir);
      expect(source('animals')).toEqual(['cat', 'dog']);
      expect(source('colors/warm')).toEqual(['red']);
      expect(source('colors/*')).toEqual(['blue', 'red']);
      expect(source('colors/**')).toEqual(['blue', 'black', 'red']);
      expect(source('**/dark')).toEqual(['black']);
      expect(source('notes')).toBeNull();
      expect(await readWildcardFolder(path.join(tmp.dir, 'absent')).then((s) => s('x'))).toBeNull();
    } finally {
      tmp.cleanup();
    }
    expect(wildcardFileLines('a\n#b\n\nc')).toEqual(['a', 'c']);
  });
});
