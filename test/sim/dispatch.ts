// From a decoded call to the answer's bytes, as oned's Request::execute does it: unknown method
// (fault -506), session check (AUTHENTICATION), the handler, and the version's array shapes.
import { authenticate } from './authz';
import type { Ctx, Handler } from './context';
import type { Engine } from './engine';
import { imageAllocate } from './images-alloc';
import { imageClone } from './images-clone';
import { imageLock, imageUnlock, templateLock, templateUnlock } from './images-lock';
import { imageInfo, imagePoolInfo } from './images-read';
import { imageDelete, imageEnable, imagePersistent } from './images-state';
import { imageChmod, imageChown, imageRename, imageUpdate } from './images-write';
import { EC, Failure, failureArray, failureText, methodLabel, ObjName, successArray } from './messages';
import { datastoreInfo, datastorePoolInfo, groupPoolInfo, systemVersion, userInfo, userPoolInfo } from './methods-misc';
import { Params } from './params';
import { systemConfig } from './system-config';
import type { World } from './state';
import { templateAllocate, templateDelete, templateInfo, templatePoolInfo } from './vm-templates';
import { templateChmod, templateChown, templateRename, templateUpdate } from './vm-templates-write';
import { vmAction, vmAllocate } from './vms-rpc';
import { faultXml, responseXml, RpcCall, RpcFault } from './wire';

const METHODS: Record<string, { obj: ObjName; run: Handler }> = {
  'one.system.version': { obj: 'system', run: systemVersion },
  'one.system.config': { obj: 'system', run: systemConfig },
  'one.imagepool.info': { obj: 'image', run: imagePoolInfo },
  'one.image.info': { obj: 'image', run: imageInfo },
  'one.image.allocate': { obj: 'image', run: imageAllocate },
  'one.image.chown': { obj: 'image', run: imageChown },
  'one.image.chmod': { obj: 'image', run: imageChmod },
  'one.image.rename': { obj: 'image', run: imageRename },
  'one.image.enable': { obj: 'image', run: imageEnable },
  'one.image.delete': { obj: 'image', run: imageDelete },
  'one.image.update': { obj: 'image', run: imageUpdate },
  'one.image.persistent': { obj: 'image', run: imagePersistent },
  'one.image.clone': { obj: 'image', run: imageClone },
  'one.image.lock': { obj: 'image', run: imageLock },
  'one.image.unlock': { obj: 'image', run: imageUnlock },
  'one.templatepool.info': { obj: 'virtual machine template', run: templatePoolInfo },
  'one.template.info': { obj: 'virtual machine template', run: templateInfo },
  'one.template.allocate': { obj: 'virtual machine template', run: templateAllocate },
  'one.template.update': { obj: 'virtual machine template', run: templateUpdate },
  'one.template.chown': { obj: 'virtual machine template', run: templateChown },
  'one.template.chmod': { obj: 'virtual machine template', run: templateChmod },
  'one.template.rename': { obj: 'virtual machine template', run: templateRename },
  'one.template.delete': { obj: 'virtual machine template', run: templateDelete },
  'one.template.lock': { obj: 'virtual machine template', run: templateLock },
  'one.template.unlock': { obj: 'virtual machine template', run: templateUnlock },
  'one.vm.allocate': { obj: 'virtual machine', run: vmAllocate },
  'one.vm.action': { obj: 'virtual machine', run: vmAction },
  'one.datastorepool.info': { obj: 'datastore', run: datastorePoolInfo },
  'one.datastore.info': { obj: 'datastore', run: datastoreInfo },
  'one.userpool.info': { obj: 'user', run: userPoolInfo },
  'one.grouppool.info': { obj: 'group', run: groupPoolInfo },
  'one.user.info': { obj: 'user', run: userInfo },
};

/** Whether the simulator knows the method. */
export function isKnownMethod(method: string): boolean {
  return Object.prototype.hasOwnProperty.call(METHODS, method);
}

function failure(world: World, method: string, f: Failure, uid: number): string {
  const obj = f.opts.respObj ?? METHODS[method].obj;
  const respId = f.opts.respId ?? -1;
  const text = failureText(methodLabel(world.version, method), f.code, uid, { respMsg: f.respMsg, obj, respId });
  return responseXml(failureArray(world.version, f.code, text, respId));
}

/** Executes one call against the world and returns the response body. */
export function dispatch(world: World, engine: Engine, call: RpcCall): string {
  if (!isKnownMethod(call.method)) return faultXml(-506, `Method '${call.method}' not defined`);
  const p = new Params(call.params);
  try {
    const caller = authenticate(world, p.str(0));
    if (!caller) return failure(world, call.method, new Failure(EC.AUTHENTICATION, ''), -1);
    const ctx: Ctx = { world, engine, caller, p };
    try {
      return responseXml(successArray(METHODS[call.method].run(ctx)));
    } catch (err) {
      if (err instanceof Failure) return failure(world, call.method, err, caller.uid);
      throw err;
    }
  } catch (err) {
    if (err instanceof RpcFault) return faultXml(err.code, err.message);
    return faultXml(-500, `oned simulator bug: ${(err as Error).stack}`);
  }
}

const DEFAULT_TEXT: Record<number, string> = {
  [EC.ACTION]: 'Cannot perform the action (injected fault)',
  [EC.XML_RPC_API]: 'Wrong call arguments (injected fault)',
  [EC.INTERNAL]: 'Internal error (injected fault)',
};

/** The failure array an injected { type: 'error' } fault answers with. */
export function injectedFailure(world: World, call: RpcCall, code: number, message?: string): string {
  const idParam = call.params[1];
  const respId = idParam && idParam.type === 'int' ? (idParam.value as number) : -1;
  const obj = isKnownMethod(call.method) ? METHODS[call.method].obj : 'image';
  const text = message ?? failureText(methodLabel(world.version, call.method), code, 0, { respMsg: DEFAULT_TEXT[code] || '', obj, respId });
  return responseXml(failureArray(world.version, code, text, code === EC.NO_EXISTS ? respId : -1));
}
