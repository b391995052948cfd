/**
 * Problems the process found at run time that an operator must see without
 * reading logs (for example a PUBLIC_BASE_URL that does not match what Twilio
 * signs). `/readyz` lists them under `details`; they do not make the instance
 * unready, because taking it out of the load balancer would not fix them.
 */
export class ReadinessNotes {
  private readonly notes = new Map<string, Record<string, unknown>>();

  /** Records (or replaces) the note called `name`. */
  report(name: string, details: Record<string, unknown>): void {
    this.notes.set(name, { ...details, since: this.notes.get(name)?.since ?? new Date().toISOString() });
  }

  clear(name: string): void {
    this.notes.delete(name);
  }

  has(name: string): boolean {
    return this.notes.has(name);
  }

  snapshot(): Record<string, Record<string, unknown>> {
    return Object.fromEntries(this.notes);
  }
}
