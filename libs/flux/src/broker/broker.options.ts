import type { MessageCodecLimits } from './codec/message-codec.js';

/** Tuning of the `EventBroker`; every field is optional. */
export interface BrokerOptions {
  /** Size and depth limits of message bodies (publish and decode). */
  limits?: MessageCodecLimits;
}
