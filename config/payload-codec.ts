import { METADATA_ENCODING_KEY, str, u8, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { KeyRing } from './key-ring.js';

const ProtoPayload = proto.temporal.api.common.v1.Payload;

/** The metadata of an encrypted payload, as in Temporal's encryption samples. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';

/**
 * Encrypts every payload luodi sends to Temporal (inputs and results, activity arguments, updates,
 * queries, memos; not search attributes, which the server must read) with the key ring's active
 * key; decrypts with whichever key a payload names. Payloads written before the codec pass through decode unchanged, so older
 * histories stay readable. A payload under a key the ring lacks fails loudly: that is an
 * operator's mistake (a key removed too soon), never something to skip.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly ring: KeyRing) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      // The key id is authenticated with the data: a payload relabelled with another key id is refused.
      const { keyId, data } = this.ring.encrypt(ProtoPayload.encode(payload).finish(), u8(this.ring.activeId));
      return { metadata: { [METADATA_ENCODING_KEY]: u8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: u8(keyId) }, data };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || str(encoding) !== ENCRYPTED_ENCODING) return payload;
      const keyId = payload.metadata?.[KEY_ID_METADATA];
      if (!keyId) throw new Error(`an encrypted payload has no ${KEY_ID_METADATA} metadata: it was not written by luodi's codec, or was altered`);
      const id = str(keyId);
      return ProtoPayload.decode(this.ring.decrypt(id, payload.data ?? new Uint8Array(), u8(id)));
    });
  }
}

/** The data converter every client and worker uses, so that all of them read what the others wrote. */
export function dataConverterFor(ring: KeyRing): { payloadCodecs: PayloadCodec[] } {
  return { payloadCodecs: [new EncryptionCodec(ring)] };
}
