// Which configuration a node uses (thesis 4.1): the latest one in its log,
// committed or not, from the moment the entry is there. So the node keeps
// the configuration entries of its log, in order, on top of the one before
// the log (its snapshot's, or the starting one): truncating a conflicting
// suffix takes its configurations away with it (back to the previous one),
// and discarding a prefix folds its configurations into that base, which the
// snapshot records.

import { type Configuration, fromCommand } from './configuration.js';
import type { LogEntry } from './messages.js';

export class ConfigLog {
  /** Configuration entries after `baseIndex`, in index order. */
  private entries: Array<{ index: number; config: Configuration }> = [];

  /**
   * @param base the configuration in effect at `baseIndex` (the snapshot's
   *   last-included-index, 0 without one): the snapshot's, or the starting one
   * @param log the entries after it
   */
  constructor(
    private base: Configuration,
    private baseIndex: number,
    log: readonly LogEntry[],
  ) {
    this.append(log);
  }

  /** What the node uses now. */
  get latest(): Configuration {
    return this.entries[this.entries.length - 1]?.config ?? this.base;
  }

  /** The index of the entry holding `latest`; the snapshot's index (or 0) for the base. */
  get latestIndex(): number {
    return this.entries[this.entries.length - 1]?.index ?? this.baseIndex;
  }

  /** The configuration in effect at `index`: the last one at or before it. */
  at(index: number): Configuration {
    for (let i = this.entries.length - 1; i >= 0; i--) if (this.entries[i]!.index <= index) return this.entries[i]!.config;
    return this.base;
  }

  /** Every configuration the log still holds, the base included, oldest first. */
  all(): Configuration[] {
    return [this.base, ...this.entries.map((e) => e.config)];
  }

  /** Entries just appended to the log. */
  append(log: readonly LogEntry[]): void {
    for (const e of log) if (e.command.op === 'config') this.entries.push({ index: e.index, config: fromCommand(e.command) });
  }

  /** The log dropped `index` and everything after it: so do its configurations. */
  truncateFrom(index: number): void {
    while (this.entries.length > 0 && this.entries[this.entries.length - 1]!.index >= index) this.entries.pop();
  }

  /**
   * A snapshot through `index` now replaces that prefix: the prefix's
   * configurations fold into the base, which becomes `config` (the
   * snapshot's) when one is given. Without `keepAfter` the log after it went
   * too (an InstallSnapshot from a leader our log disagrees with).
   */
  discardThrough(index: number, config: Configuration | undefined, keepAfter: boolean): void {
    if (index <= this.baseIndex) return;
    this.base = config ?? this.at(index);
    this.entries = keepAfter ? this.entries.filter((e) => e.index > index) : [];
    this.baseIndex = index;
  }
}
