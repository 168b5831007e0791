// One implementation for every suite: the library's spec helpers hold it.
export { freePort } from '../../libs/flux/src/broker/broker.spec-helpers.js';
