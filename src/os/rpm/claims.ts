/**
 * In every rpmdb backend a record's bytes are its own: rpm refuses NDB slots that overlap
 * (rpmpkg.c, "slots overlap"), SQLite's integrity_check a page or cell byte used twice, and a
 * Berkeley DB overflow page belongs to one item. A crafted database that points many records at
 * one stored header would otherwise have it copied and parsed once per record.
 */
export class Claims {
  private readonly taken: Uint8Array

  /** `units` bytes of a page, blocks of a file or pages of a database, numbered from 0. */
  constructor(units: number) {
    this.taken = new Uint8Array(units)
  }

  /**
   * Takes units `start` to `end` (exclusive, within the units); false when one was already
   * taken. The free units scanned before it are taken too, so no unit is found free twice: all
   * claims together cost time linear in `units` plus their number, however many overlap.
   */
  claim(start: number, end: number): boolean {
    const clash = this.taken.subarray(start, end).indexOf(1)
    this.taken.fill(1, start, clash === -1 ? end : start + clash)
    return clash === -1
  }
}
