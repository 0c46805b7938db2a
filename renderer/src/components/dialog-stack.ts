/** Open dialogs, innermost last: only the top one answers Escape and traps Tab. */
const stack: symbol[] = [];

export function pushDialog(): symbol {
  const id = Symbol('dialog');
  stack.push(id);
  return id;
}

export function popDialog(id: symbol): void {
  const i = stack.indexOf(id);
  if (i >= 0) stack.splice(i, 1);
}

export function isTopDialog(id: symbol): boolean {
  return stack[stack.length - 1] === id;
}

export function anyDialogOpen(): boolean {
  return stack.length > 0;
}
