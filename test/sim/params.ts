// xmlrpc_c::paramList as oned uses it: typed getters that throw xmlrpc-c's -501 faults with its
// exact texts; extra parameters are never checked (oned does not call verifyEnd).
import { RpcFault, RpcParam } from './wire';

const TYPE_ERR = -501;

export class Params {
  constructor(private readonly list: RpcParam[]) {}

  get size(): number {
    return this.list.length;
  }

  private at(i: number, type: string, what: string): unknown {
    const p = this.list[i];
    if (!p) throw new RpcFault(TYPE_ERR, 'Not enough parameters');
    if (p.type !== type) throw new RpcFault(TYPE_ERR, `Parameter that is supposed to be ${what} is not`);
    return p.value;
  }

  int(i: number): number {
    return this.at(i, 'int', 'integer') as number;
  }

  str(i: number): string {
    return this.at(i, 'string', 'a string') as string;
  }

  bool(i: number): boolean {
    return this.at(i, 'boolean', 'boolean') as boolean;
  }
}
