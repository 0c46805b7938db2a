import sharp, { type OverlayOptions } from 'sharp';
import { withPngText } from '../results/png-text-write.ts';

/**
 * A contact sheet: a batch's images in a grid with the axis values written beside them, as
 * A1111's X/Y/Z plot draws it. The first axis gives the columns, the second the rows; a
 * batch with one axis (or zipped axes) is wrapped into a near-square grid with a caption
 * under each image. The labels are an SVG drawn by sharp (librsvg) over the canvas, and
 * the same labels are kept in the PNG as text (`stablequeue_contact_sheet`), so a reader
 * can tell the cells apart without looking at pixels.
 */

/** Longest side of one cell; bigger images are scaled down to it. */
export const CELL_MAX = 512;
/** Shortest side of one cell: smaller images are scaled up to it, so the labels above them have room. */
export const CELL_MIN = 160;
/** Longest side of a whole sheet: a 1,000-job grid stays a picture viewers open and about 64 MB of pixels while drawn. */
export const SHEET_MAX_SIDE = 4096;
export const SHEET_GAP = 4;
export const HEADER_H = 40;
export const ROW_LABEL_W = 180;
export const TITLE_H = 32;
export const CAPTION_H = 28;
export const SHEET_TEXT_KEY = 'stablequeue_contact_sheet';
const FONT_SIZE = 13;
const BACKGROUND = { r: 24, g: 24, b: 28, alpha: 1 };
const EMPTY_CELL = '#34343c';

export interface SheetAxis {
  axis: string;
  labels: string[];
}

export interface SheetInput {
  /** Shown above the grid (the values of the axes after the second); null: none. */
  title: string | null;
  columns: SheetAxis;
  /** null: one axis, wrapped, with captions. */
  rows: SheetAxis | null;
  /** Row-major (rows × columns, or the single axis in order): the image, or a word for a job that made none ("failed"). */
  cells: (Buffer | string)[];
}

export interface SheetGeometry {
  width: number;
  height: number;
  cellW: number;
  cellH: number;
  gridColumns: number;
  gridRows: number;
  captions: boolean;
}

/** Where everything goes, from the cell size the images need. */
export function sheetGeometry(input: Pick<SheetInput, 'title' | 'columns' | 'rows' | 'cells'>, cellW: number, cellH: number): SheetGeometry {
  const title = input.title ? TITLE_H : 0;
  if (input.rows) {
    const gridColumns = input.columns.labels.length;
    const gridRows = input.rows.labels.length;
    return {
      width: ROW_LABEL_W + gridColumns * cellW + (gridColumns + 1) * SHEET_GAP,
      height: title + HEADER_H + gridRows * cellH + (gridRows + 1) * SHEET_GAP,
      cellW, cellH, gridColumns, gridRows, captions: false,
    };
  }
  const gridColumns = Math.max(1, Math.ceil(Math.sqrt(input.cells.length)));
  const gridRows = Math.max(1, Math.ceil(input.cells.length / gridColumns));
  return {
    width: gridColumns * cellW + (gridColumns + 1) * SHEET_GAP,
    height: title + gridRows * (cellH + CAPTION_H) + (gridRows + 1) * SHEET_GAP,
    cellW, cellH, gridColumns, gridRows, captions: true,
  };
}

/** The cell size: the largest image's size, scaled so its longest side is at most `cellMax` and its shortest at least CELL_MIN. */
export function cellSize(sizes: readonly { width: number; height: number }[], cellMax = CELL_MAX): { cellW: number; cellH: number } {
  if (sizes.length === 0) return { cellW: Math.min(CELL_MIN, cellMax), cellH: Math.min(CELL_MIN, cellMax) };
  const maxW = Math.max(...sizes.map((s) => s.width));
  const maxH = Math.max(...sizes.map((s) => s.height));
  const scale = Math.min(cellMax / Math.max(maxW, maxH), Math.max(1, Math.min(CELL_MIN, cellMax) / Math.min(maxW, maxH)));
  return { cellW: Math.max(1, Math.round(maxW * scale)), cellH: Math.max(1, Math.round(maxH * scale)) };
}

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' }[c]!));

/** Text broken into at most `maxLines` lines that fit `width` pixels (an ellipsis when cut). */
export function wrapLabel(text: string, width: number, maxLines: number, fontSize = FONT_SIZE): string[] {
  const perLine = Math.max(4, Math.floor(width / (fontSize * 0.6)));
  const words = text.replace(/\s+/g, ' ').trim().split(' ');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    for (let rest = word; rest.length > 0;) {
      const room = perLine - (line ? line.length + 1 : 0);
      if (rest.length <= room) { line = line ? `${line} ${rest}` : rest; rest = ''; }
      else if (line) { lines.push(line); line = ''; }
      else { lines.push(rest.slice(0, perLine)); rest = rest.slice(perLine); }
    }
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${kept[maxLines - 1].slice(0, perLine - 1)}…`;
  return kept;
}

function textBlock(lines: string[], x: number, centerY: number, anchor: 'middle' | 'start', weight = 'normal'): string {
  const lineH = FONT_SIZE + 3;
  const top = centerY - ((lines.length - 1) * lineH) / 2;
  return lines.map((line, i) => `<text x="${x}" y="${Math.round(top + i * lineH)}" text-anchor="${anchor}" dominant-baseline="middle" font-weight="${weight}">${escapeXml(line)}</text>`).join('');
}

/** The label overlay as SVG (pure: the same input gives the same text). */
export function sheetSvg(input: SheetInput, g: SheetGeometry): string {
  const parts: string[] = [];
  const titleH = input.title ? TITLE_H : 0;
  if (input.title) parts.push(textBlock(wrapLabel(input.title, g.width - 16, 1, 14), 8, TITLE_H / 2, 'start', 'bold'));
  const left = g.captions ? 0 : ROW_LABEL_W;
  const top = titleH + (g.captions ? 0 : HEADER_H);
  const cellX = (col: number) => left + SHEET_GAP + col * (g.cellW + SHEET_GAP);
  const cellY = (row: number) => top + SHEET_GAP + row * (g.cellH + (g.captions ? CAPTION_H : 0) + SHEET_GAP);
  if (!g.captions && input.rows) {
    input.columns.labels.forEach((label, col) => {
      parts.push(textBlock(wrapLabel(label, g.cellW - 4, 2), cellX(col) + g.cellW / 2, titleH + HEADER_H / 2, 'middle'));
    });
    input.rows.labels.forEach((label, row) => {
      parts.push(textBlock(wrapLabel(label, ROW_LABEL_W - 12, Math.max(1, Math.floor(g.cellH / (FONT_SIZE + 3)))), 8, cellY(row) + g.cellH / 2, 'start'));
    });
  }
  input.cells.forEach((cell, i) => {
    const col = i % g.gridColumns;
    const row = Math.floor(i / g.gridColumns);
    if (typeof cell === 'string') {
      parts.push(`<rect x="${cellX(col)}" y="${cellY(row)}" width="${g.cellW}" height="${g.cellH}" fill="${EMPTY_CELL}"/>`);
      parts.push(textBlock([cell], cellX(col) + g.cellW / 2, cellY(row) + g.cellH / 2, 'middle'));
    }
    if (g.captions) {
      parts.push(textBlock(wrapLabel(input.columns.labels[i] ?? '', g.cellW - 4, 1), cellX(col) + g.cellW / 2, cellY(row) + g.cellH + CAPTION_H / 2, 'middle'));
    }
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${g.width}" height="${g.height}">`
    + `<style>text{font-family:'DejaVu Sans','Liberation Sans',Arial,sans-serif;font-size:${FONT_SIZE}px;fill:#ececf1}</style>${parts.join('')}</svg>`;
}

/** The sheet as a PNG, with its geometry and the label overlay it drew. */
export async function composeContactSheet(input: SheetInput): Promise<{ png: Buffer; geometry: SheetGeometry; svg: string }> {
  const sizes: { width: number; height: number }[] = [];
  for (const cell of input.cells) {
    if (typeof cell === 'string') continue;
    const meta = await sharp(cell).metadata().catch(() => null);
    if (meta?.width && meta.height) sizes.push({ width: meta.width, height: meta.height });
  }
  // A big grid gets smaller cells, so the sheet stays a size viewers and memory can take.
  const grid = sheetGeometry(input, 0, 0);
  const cellMax = Math.max(32, Math.min(CELL_MAX, Math.floor((SHEET_MAX_SIDE - grid.width) / grid.gridColumns),
    Math.floor((SHEET_MAX_SIDE - grid.height) / grid.gridRows)));
  const { cellW, cellH } = cellSize(sizes, cellMax);
  const geometry = sheetGeometry(input, cellW, cellH);
  const left = geometry.captions ? 0 : ROW_LABEL_W;
  const top = (input.title ? TITLE_H : 0) + (geometry.captions ? 0 : HEADER_H);
  const layers: OverlayOptions[] = [];
  const cells = [...input.cells];
  for (const [i, cell] of cells.entries()) {
    if (typeof cell === 'string') continue;
    const col = i % geometry.gridColumns;
    const row = Math.floor(i / geometry.gridColumns);
    const fitted = await sharp(cell).resize(cellW, cellH, { fit: 'contain', background: BACKGROUND }).png().toBuffer().catch(() => null);
    if (!fitted) { cells[i] = 'unreadable'; continue; }
    layers.push({
      input: fitted,
      left: left + SHEET_GAP + col * (cellW + SHEET_GAP),
      top: top + SHEET_GAP + row * (cellH + (geometry.captions ? CAPTION_H : 0) + SHEET_GAP),
    });
  }
  const svg = sheetSvg({ ...input, cells }, geometry);
  layers.push({ input: Buffer.from(svg), left: 0, top: 0 });
  const png = await sharp({ create: { width: geometry.width, height: geometry.height, channels: 4, background: BACKGROUND } })
    .composite(layers).png().toBuffer();
  const text = JSON.stringify({ title: input.title, columns: input.columns, rows: input.rows });
  return { png: withPngText(png, SHEET_TEXT_KEY, text), geometry, svg };
}
