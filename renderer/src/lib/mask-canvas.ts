/**
 * The inpaint mask as a canvas: painted on a copy no bigger than MAX_PAINT_SIDE (a 4K photo
 * would make every dab slow), then rendered back at the image's full size as A1111 wants
 * it: white where the picture changes, black where it stays. Soft (feathered) and
 * antialiased edges stay grey levels, which the server reads as partial strength.
 */

/** The longest side of the canvas the user paints on. */
export const MAX_PAINT_SIDE = 1024;
const UNDO_DEPTH = 30;
/** The colour the painted area shows in; only its alpha matters for the mask. */
const PAINT_RGB = [255, 64, 96] as const;

export interface BrushSettings {
  mode: 'brush' | 'eraser';
  /** diameter in pixels of the full-size image */
  size: number;
  /** 0 = hard edge … 1 = soft from the centre */
  feather: number;
}

export function paintSize(width: number, height: number): { width: number; height: number; scale: number } {
  const scale = Math.min(1, MAX_PAINT_SIDE / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)), scale };
}

export class MaskCanvas {
  readonly canvas: HTMLCanvasElement;
  readonly scale: number;
  readonly fullWidth: number;
  readonly fullHeight: number;
  readonly #ctx: CanvasRenderingContext2D;
  readonly #undo: ImageData[] = [];
  #last: { x: number; y: number } | null = null;

  constructor(canvas: HTMLCanvasElement, fullWidth: number, fullHeight: number) {
    this.fullWidth = fullWidth;
    this.fullHeight = fullHeight;
    const size = paintSize(fullWidth, fullHeight);
    canvas.width = size.width;
    canvas.height = size.height;
    this.canvas = canvas;
    this.scale = size.scale;
    this.#ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  }

  get canUndo(): boolean {
    return this.#undo.length > 0;
  }

  /** Saves the state a stroke or an action can be undone to. */
  checkpoint(): void {
    this.#undo.push(this.#ctx.getImageData(0, 0, this.canvas.width, this.canvas.height));
    if (this.#undo.length > UNDO_DEPTH) this.#undo.shift();
  }

  undo(): void {
    const previous = this.#undo.pop();
    if (previous) this.#ctx.putImageData(previous, 0, 0);
  }

  /** A point in canvas pixels from a pointer position over the element showing it. */
  toCanvas(clientX: number, clientY: number): { x: number; y: number } {
    const box = this.canvas.getBoundingClientRect();
    return {
      x: ((clientX - box.left) / box.width) * this.canvas.width,
      y: ((clientY - box.top) / box.height) * this.canvas.height,
    };
  }

  beginStroke(point: { x: number; y: number }, brush: BrushSettings): void {
    this.checkpoint();
    this.#last = point;
    this.#dab(point, brush);
  }

  /** Dabs along the segment from the last point, close enough together to read as a line. */
  continueStroke(point: { x: number; y: number }, brush: BrushSettings): void {
    if (!this.#last) return;
    const from = this.#last;
    const radius = this.#radius(brush);
    const spacing = Math.max(0.5, radius * (brush.feather > 0 ? 0.15 : 0.3));
    const distance = Math.hypot(point.x - from.x, point.y - from.y);
    for (let d = spacing; d <= distance; d += spacing) {
      const t = d / distance;
      this.#dab({ x: from.x + (point.x - from.x) * t, y: from.y + (point.y - from.y) * t }, brush);
    }
    this.#dab(point, brush);
    this.#last = point;
  }

  endStroke(): void {
    this.#last = null;
  }

  clear(): void {
    this.checkpoint();
    this.#ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
  }

  invert(): void {
    this.checkpoint();
    const data = this.#ctx.getImageData(0, 0, this.canvas.width, this.canvas.height);
    const px = data.data;
    for (let i = 0; i < px.length; i += 4) {
      px[i] = PAINT_RGB[0];
      px[i + 1] = PAINT_RGB[1];
      px[i + 2] = PAINT_RGB[2];
      px[i + 3] = 255 - px[i + 3]!;
    }
    this.#ctx.putImageData(data, 0, 0);
  }

  isEmpty(): boolean {
    const px = this.#ctx.getImageData(0, 0, this.canvas.width, this.canvas.height).data;
    for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) return false;
    return true;
  }

  /** The mask at the image's full size: a PNG data URL, white = repaint, black = keep. */
  exportFullSize(): string {
    const out = document.createElement('canvas');
    out.width = this.fullWidth;
    out.height = this.fullHeight;
    const ctx = out.getContext('2d')!;
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(this.canvas, 0, 0, this.fullWidth, this.fullHeight);
    ctx.globalCompositeOperation = 'source-in';
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, out.width, out.height);
    return out.toDataURL('image/png');
  }

  #radius(brush: BrushSettings): number {
    return Math.max(0.5, (brush.size * this.scale) / 2);
  }

  #dab(point: { x: number; y: number }, brush: BrushSettings): void {
    const ctx = this.#ctx;
    const radius = this.#radius(brush);
    const [r, g, b] = PAINT_RGB;
    ctx.save();
    ctx.globalCompositeOperation = brush.mode === 'eraser' ? 'destination-out' : 'source-over';
    if (brush.feather > 0) {
      const inner = radius * (1 - Math.min(1, brush.feather));
      const gradient = ctx.createRadialGradient(point.x, point.y, inner, point.x, point.y, radius);
      gradient.addColorStop(0, `rgba(${r},${g},${b},1)`);
      gradient.addColorStop(1, `rgba(${r},${g},${b},0)`);
      ctx.fillStyle = gradient;
    } else {
      ctx.fillStyle = `rgb(${r},${g},${b})`;
    }
    ctx.beginPath();
    ctx.arc(point.x, point.y, radius, 0, Math.PI * 2);
    ctx.fill();
    ctx.restore();
  }
}
