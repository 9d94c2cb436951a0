/**
 * A per-tenant share of a shared pool: at most `perTenant` of its connections at once for one tenant;
 * a tenant's further calls wait in that tenant's own queue (first come, first served), at most
 * `maxQueued` of them and for at most `maxWaitMs`, then are refused. With perTenant below the pool's
 * size, one tenant's slow statements always leave connections for the others, whose calls never queue
 * behind it. Per process: each server process guards its own pool.
 */
export class TenantBusyError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super("This tenant already has as many agent SQL statements running and waiting as it may; retry shortly.");
    this.name = "TenantBusyError";
  }
}

interface Waiter {
  grant: () => void;
  timer: NodeJS.Timeout;
}

interface TenantSlots {
  running: number;
  waiting: Waiter[];
}

export interface TenantShareOptions {
  perTenant: number;
  maxQueued: number;
  maxWaitMs: number;
}

export class TenantShare {
  private readonly tenants = new Map<string, TenantSlots>();

  constructor(private readonly options: TenantShareOptions) {}

  /** Resolves with a release function once the tenant is under its share; rejects with TenantBusyError. */
  acquire(tenantId: string): Promise<() => void> {
    const slots = this.tenants.get(tenantId) ?? { running: 0, waiting: [] };
    this.tenants.set(tenantId, slots);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const next = slots.waiting.shift();
      if (next) {
        clearTimeout(next.timer);
        next.grant(); // the slot passes to the next waiter of the same tenant
      } else if (--slots.running === 0) {
        this.tenants.delete(tenantId);
      }
    };
    if (slots.running < this.options.perTenant) {
      slots.running++;
      return Promise.resolve(release);
    }
    const retryAfter = Math.max(1, Math.ceil(this.options.maxWaitMs / 1000));
    if (slots.waiting.length >= this.options.maxQueued) return Promise.reject(new TenantBusyError(retryAfter));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => resolve(release),
        timer: setTimeout(() => {
          slots.waiting.splice(slots.waiting.indexOf(waiter), 1);
          reject(new TenantBusyError(retryAfter));
        }, this.options.maxWaitMs),
      };
      slots.waiting.push(waiter);
    });
  }

  /** Calls running and waiting for a tenant (tests). */
  load(tenantId: string): { running: number; waiting: number } {
    const slots = this.tenants.get(tenantId);
    return { running: slots?.running ?? 0, waiting: slots?.waiting.length ?? 0 };
  }
}
