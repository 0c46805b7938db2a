#!/usr/bin/env node
// One-off: renders resources/icon.svg and resources/tray.svg to the PNGs electron-builder,
// the tray and the notifications use. The PNGs are committed; run again after editing an SVG:
//   node scripts/make-icons.mjs
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

const dir = path.join(import.meta.dirname, '..', 'resources');
const icon = await fs.readFile(path.join(dir, 'icon.svg'));
const tray = await fs.readFile(path.join(dir, 'tray.svg'));

async function render(svg, size, file) {
  const image = sharp(svg, { density: Math.max(72, Math.ceil((72 * size) / 32)) }).resize(size, size);
  await image.png({ compressionLevel: 9 }).toFile(path.join(dir, file));
  console.log(`resources/${file} ${size}x${size}`);
}

// App icon: electron-builder (icon.png, 512), window/notification icon (256), Windows tray (32).
await render(icon, 512, 'icon.png');
await render(icon, 256, 'icon-256.png');
await render(icon, 32, 'icon-32.png');
// macOS menu bar: black template images, 16pt and @2x.
await render(tray, 16, 'trayTemplate.png');
await render(tray, 32, 'trayTemplate@2x.png');
// Linux panels (22px) and Windows (icon-32.png, scaled down by the shell): the small
// colour app icon reads well on light and dark panels alike.
await render(icon, 22, 'tray-22.png');
