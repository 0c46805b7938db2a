import { batchAxisTitle, type BatchMode, type ExpandedAxis } from '../../../shared/batches.ts';
import type { SheetAxis } from './contact-sheet.ts';

/** One contact sheet to draw: its title, axes and, per cell (row-major), the batch_index of the job shown there. */
export interface SheetPlan {
  title: string | null;
  columns: SheetAxis;
  rows: SheetAxis | null;
  cells: number[];
}

const axisLabel = (axis: ExpandedAxis, i: number) => `${batchAxisTitle(axis.name)}: ${axis.labels[i]}`;

/**
 * Which jobs go on which sheet. A product batch with two or more axes: columns from the
 * first axis, rows from the second, one sheet per combination of the others (named by
 * them). One axis, or zipped axes: one sheet, each cell captioned with its values.
 * Cells follow the expansion's numbering (axis 0 fastest).
 */
export function contactSheetPlans(axes: readonly ExpandedAxis[], mode: BatchMode, jobCount: number): SheetPlan[] {
  if (mode === 'zip' || axes.length < 2) {
    const labels = Array.from({ length: jobCount }, (_, i) => axes.map((axis) => axisLabel(axis, i)).join(' · '));
    return [{ title: null, columns: { axis: axes.map((a) => a.name).join(' + '), labels }, rows: null, cells: labels.map((_, i) => i) }];
  }
  const [colAxis, rowAxis, ...extra] = axes;
  const perSheet = colAxis.values.length * rowAxis.values.length;
  const sheets = extra.reduce((n, axis) => n * axis.values.length, 1);
  return Array.from({ length: sheets }, (_, sheet) => {
    let rest = sheet;
    const title = extra.map((axis) => {
      const i = rest % axis.values.length;
      rest = Math.floor(rest / axis.values.length);
      return axisLabel(axis, i);
    }).join(' · ') || null;
    return {
      title,
      columns: { axis: colAxis.name, labels: colAxis.labels.map((_, i) => axisLabel(colAxis, i)) },
      rows: { axis: rowAxis.name, labels: rowAxis.labels.map((_, i) => axisLabel(rowAxis, i)) },
      cells: Array.from({ length: perSheet }, (_, i) => sheet * perSheet + i),
    };
  });
}
