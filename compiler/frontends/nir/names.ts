/** @fileoverview Node names <-> snnc layer names: layer names are identifiers (letters, digits, _), unique per model. */

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Hands out unique identifiers: a NIR node "0" becomes layer "n0", "fc.1" becomes "fc_1", a repeat gets "_2". */
export class LayerNames {
  private readonly used = new Set<string>();

  constructor(reserved: Iterable<string> = []) {
    for (const name of reserved) this.used.add(name);
  }

  take(wanted: string): string {
    let base = wanted.replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z_]/.test(base)) base = `n${base}`;
    base = base.slice(0, 60);
    let name = base;
    for (let i = 2; this.used.has(name) || !IDENTIFIER.test(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }
}
