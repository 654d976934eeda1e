// The asynchronous side of oned: the datastore driver's copy/mkfs after allocate (image LOCKED
// until it ends, then READY or ERROR with TEMPLATE/ERROR) and the rm after delete.
import * as fs from 'fs';
import { copyIntoDatastore, isRestricted, makeEmptyDisk, restrictedDirsOf } from './datastores';
import type { Datastore, Image, World } from './state';
import { setAttr } from './templates';

export const S = { READY: 1, USED: 2, DISABLED: 3, LOCKED: 4, ERROR: 5, CLONE: 6, DELETE: 7, USED_PERS: 8 } as const;

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number): string => String(n).padStart(2, '0');

/** one_util::log_time(): ctime(3) without the newline, e.g. "Wed Feb 22 23:15:08 2017". */
export function logTime(d = new Date()): string {
  const time = `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${time} ${d.getFullYear()}`;
}

/** Image::set_state_unlock: back to USED while VMs hold it, else READY. */
export function unlockState(img: Image): number {
  if (img.runningVms > 0) return img.persistent ? S.USED_PERS : S.USED;
  return S.READY;
}

/** What oned's fs datastore driver takes: its scripts start in a few hundred ms, then the bytes move. */
export const REALISTIC_DELETE_MS = 300;
export function realisticCopyMs(sizeMb: number): number {
  return 300 + Math.max(0, sizeMb);
}

export class Engine {
  private readonly pending = new Set<Promise<void>>();
  private readonly wakers = new Set<() => void>();
  private closed = false;
  failNext: string | null = null;

  constructor(
    readonly world: World,
    readonly opts: { copyDelayMs?: number; deleteDelayMs: number },
  ) {}

  /** How long the datastore's copy of an image takes: the configured time, else a real driver's. */
  private copyMs(img: Image): number {
    return this.opts.copyDelayMs === undefined ? realisticCopyMs(img.sizeMb) : this.opts.copyDelayMs;
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  private track(job: () => Promise<void>): void {
    const p = job().finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Runs the driver's cp (PATH) or mkfs (SIZE only) for an image just allocated in LOCKED. */
  register(img: Image, ds: Datastore, kind: 'copy' | 'mkfs'): void {
    const injected = this.failNext;
    this.failNext = null;
    this.track(async () => {
      await this.delay(this.copyMs(img));
      if (this.closed || this.world.images.get(img.id) !== img) return;
      try {
        if (injected !== null) throw new Error(injected);
        let source: string;
        if (kind === 'copy') {
          if (isRestricted(this.world, ds, img.path)) {
            // fs/cp logs the directories it refuses (oned's own, then the datastore's) before its message.
            const dirs = ['/var/lib/one/', '/etc/one/', '/var/lib/one/'].concat(restrictedDirsOf(ds)).join(' ');
            throw new Error(`ERROR: cp: Not allowed to copy images from ${dirs} Not allowed to copy image from ${img.path}, check RESTRICTED_DIRS in your datastore`);
          }
          const [dst, format] = await copyIntoDatastore(ds, img.id, img.path);
          source = dst;
          if (this.world.version === '6.10') img.format = format;
        } else {
          source = await makeEmptyDisk(ds, img.id, img.sizeMb);
        }
        if (this.world.images.get(img.id) !== img) {
          await fs.promises.rm(source, { force: true });
          return;
        }
        img.source = source;
        this.world.setState(img, unlockState(img));
      } catch (err) {
        const message = `Error copying image in the datastore: ${(err as Error).message}`;
        img.template = setAttr(img.template, { name: 'ERROR', value: `${logTime()} : ${message}` });
        this.world.setState(img, S.ERROR);
      }
    });
  }

  /** The driver's clone: the new image LOCKED and the source in CLONE until the copy ends. */
  clone(img: Image, src: Image, ds: Datastore): void {
    if (src.state === S.READY) this.world.setState(src, S.CLONE);
    const release = (): void => {
      if (this.world.images.get(src.id) === src && src.state === S.CLONE) this.world.setState(src, unlockState(src));
    };
    this.track(async () => {
      await this.delay(this.copyMs(src));
      try {
        if (this.closed || this.world.images.get(img.id) !== img) return;
        const [dst] = await copyIntoDatastore(ds, img.id, src.source);
        if (this.world.images.get(img.id) !== img) {
          await fs.promises.rm(dst, { force: true });
          return;
        }
        img.source = dst;
        this.world.setState(img, unlockState(img));
      } catch (err) {
        img.template = setAttr(img.template, { name: 'ERROR', value: `${logTime()} : Error cloning image: ${(err as Error).message}` });
        this.world.setState(img, S.ERROR);
      } finally {
        release();
      }
    });
  }

  /** The rm after a delete: the image disappears at once, or after deleteDelayMs in DELETE. */
  remove(img: Image): void {
    const drop = (): void => {
      if (img.source.startsWith(`${this.world.root}/`)) fs.rmSync(img.source, { force: true });
      if (this.world.images.get(img.id) === img) this.world.images.delete(img.id);
    };
    if (!img.source || this.opts.deleteDelayMs <= 0) {
      drop();
      return;
    }
    this.world.setState(img, S.DELETE);
    this.track(async () => {
      await this.delay(this.opts.deleteDelayMs);
      drop();
    });
  }

  /** Resolves when nothing is in flight. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Cuts every wait short and lets running jobs finish without touching the world. */
  async close(): Promise<void> {
    this.closed = true;
    for (const wake of [...this.wakers]) wake();
    await this.settle();
  }
}
