// oned's failure answers: error codes, Request::failure_message texts and the version-dependent
// array shapes (5.2: 3 elements, 5.8: + object id, 6.10: + object id and an <i8>).
import type { SimVersion } from './types';
import { Out, bool, i4, i8, str } from './wire';

export const EC = {
  AUTHENTICATION: 0x100,
  AUTHORIZATION: 0x200,
  NO_EXISTS: 0x400,
  ACTION: 0x800,
  XML_RPC_API: 0x1000,
  INTERNAL: 0x2000,
  ALLOCATE: 0x4000,
  LOCKED: 0x8000,
  REPLICATION: 0x10000,
} as const;

/** Request::object_name: how a failure text names the object. */
export type ObjName = 'image' | 'virtual machine template' | 'virtual machine' | 'datastore' | 'user' | 'group' | 'system';

/** What a handler returns when oned would answer with a failure array. */
export class Failure {
  constructor(
    readonly code: number,
    readonly respMsg: string,
    readonly opts: { respId?: number; respObj?: ObjName } = {},
  ) {}
}

// 5.2 logged and prefixed errors with the C++ class name of the request, 5.4+ with the method name.
const CLASS_NAMES: Record<string, string> = {
  'one.system.version': 'SystemVersion',
  'one.system.config': 'SystemConfig',
  'one.imagepool.info': 'ImagePoolInfo',
  'one.image.info': 'ImageInfo',
  'one.image.allocate': 'ImageAllocate',
  'one.image.chown': 'ImageChown',
  'one.image.chmod': 'ImageChmod',
  'one.image.rename': 'ImageRename',
  'one.image.enable': 'ImageEnable',
  'one.image.delete': 'ImageDelete',
  'one.image.update': 'ImageUpdateTemplate',
  'one.image.persistent': 'ImagePersistent',
  'one.image.clone': 'ImageClone',
  'one.templatepool.info': 'TemplatePoolInfo',
  'one.template.info': 'TemplateInfo',
  'one.template.allocate': 'TemplateAllocate',
  'one.template.update': 'TemplateUpdateTemplate',
  'one.template.chown': 'TemplateChown',
  'one.template.chmod': 'TemplateChmod',
  'one.template.rename': 'TemplateRename',
  'one.template.delete': 'TemplateDelete',
  'one.vm.allocate': 'VirtualMachineAllocate',
  'one.vm.action': 'VirtualMachineAction',
  'one.datastorepool.info': 'DatastorePoolInfo',
  'one.datastore.info': 'DatastoreInfo',
  'one.userpool.info': 'UserPoolInfo',
  'one.grouppool.info': 'GroupPoolInfo',
  'one.user.info': 'UserInfo',
};

/** The "[...]" prefix oned puts in front of its messages. */
export function methodLabel(version: SimVersion, method: string): string {
  return version === '5.2' ? CLASS_NAMES[method] || method : method;
}

/** Request::failure_message. */
export function failureText(label: string, code: number, uid: number, f: { respMsg: string; obj: ObjName; respId: number }): string {
  const p = `[${label}] `;
  switch (code) {
    case EC.AUTHORIZATION:
      return f.respMsg ? `${p}User [${uid}] : ${f.respMsg}.` : `${p}User [${uid}] not authorized to perform action on ${f.obj}.`;
    case EC.AUTHENTICATION:
      return `${p}User couldn't be authenticated, aborting call.`;
    case EC.NO_EXISTS:
      return `${p}Error getting ${f.obj}${f.respId === -1 ? ' Pool.' : ` [${f.respId}].`}`;
    case EC.ALLOCATE:
      return `${p}Error allocating a new ${f.obj}.${f.respMsg ? ` ${f.respMsg}` : ''}`;
    case EC.LOCKED:
      return `${p}The resource ${f.obj} is locked.${f.respId === -1 ? '' : ` [${f.respId}].`}`;
    case EC.REPLICATION:
      return `${p}Error replicating log entry 0${f.respMsg ? `: ${f.respMsg}.` : '.'}`;
    default:
      return `${p}${f.respMsg}`;
  }
}

/** The failure array in the shape of the version. */
export function failureArray(version: SimVersion, code: number, message: string, respId: number): Out {
  const items = [bool(false), str(message), i4(code)];
  if (version !== '5.2') items.push(i4(respId));
  // RequestAttributes::replication_idx starts at UINT64_MAX, which xmlrpc-c writes as a signed -1
  if (version === '6.10') items.push(i8(-1));
  return { t: 'array', v: items };
}

/** The success array: [true, value, 0] in every version. */
export function successArray(value: Out): Out {
  return { t: 'array', v: [bool(true), value, i4(0)] };
}
