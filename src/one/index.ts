// What the rest of the code may use of src/one: the client, its records, and the helpers around names,
// permissions, templates and where oned and the credentials are.

export * from './types';
export { createOneClient, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS, type OneClientOptions } from './client';
export { DEFAULT_ENDPOINT, resolveEndpoint, resolveSession, resolveTimeoutMs, type Env, type WhereToLook } from './credentials';
export { resolveTls, type TlsSettings } from './tls';
export { imageNameProblem, isValidImageName } from './names';
export { bitsToOctal, bitsToRwx, octalToBits } from './permissions';
export { attributeNameProblem, neutralizeValue, renderTemplate } from './template';
export { redactSession } from './redact';
export { parseDatastore, parseDatastorePool } from './parse-datastore';
export { parseImage, parseImagePool } from './parse-image';
export { parseGroupPool, parseUser, parseUserPool } from './parse-user';
export { parseOnedConfig } from './parse-config';
