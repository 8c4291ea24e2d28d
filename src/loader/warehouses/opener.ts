/**
 * The run's warehouse, opened once and on demand: an existing one while the source is listed (its
 * manifest plans the run), a new DuckDB file once the workers have files queued (loading DuckDB blocks
 * this thread ~0.25 s). A failure meanwhile is kept and reported where the warehouse is awaited.
 */
import type { Warehouse } from './warehouse.js';

export class WarehouseOpener {
  private ready: Promise<Warehouse> | null = null;
  private failure: unknown = null;

  constructor(private readonly open: () => Promise<Warehouse>) {}

  /** Starts opening (and preparing the tables) once; later calls return the same promise. */
  get(): Promise<Warehouse> {
    if (!this.ready) {
      this.ready = this.open().then(async (warehouse) => {
        await warehouse.ensureTables();
        return warehouse;
      });
      this.ready.catch((error: unknown) => {
        this.failure ??= error;
      });
    }
    return this.ready;
  }

  /** Starts opening without waiting. */
  start(): void {
    void this.get();
  }

  /** A failure that happened while the run did something else (checked between batches). */
  get failed(): unknown {
    return this.failure;
  }
}
