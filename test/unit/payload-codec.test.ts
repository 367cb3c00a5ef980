/**
 * The Temporal payload codec (config/payload-codec.ts): every payload leaves encrypted and comes
 * back as it was, an altered or relabelled one is refused, rotation keeps old histories readable,
 * and payloads written before the codec pass through.
 */
import { defaultPayloadConverter, str, u8, type Payload } from '@temporalio/common';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { newKeyLine, parseKeyRing } from '../../config/key-ring.js';
import { dataConverterFor, EncryptionCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../config/payload-codec.js';

const oldLine = newKeyLine('k2025');
const oldCodec = new EncryptionCodec(parseKeyRing(oldLine, 'test'));
const rotatedCodec = new EncryptionCodec(parseKeyRing(`${newKeyLine('k2026')}\n${oldLine}`, 'test'));
const withoutOldCodec = new EncryptionCodec(parseKeyRing(newKeyLine('k2026'), 'ENCRYPTION_KEYS_FILE'));

const payloadArb: fc.Arbitrary<Payload> = fc.record({
  metadata: fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.uint8Array({ maxLength: 40 }), { maxKeys: 4 }),
  data: fc.uint8Array({ maxLength: 1024 }),
});
const payloadsArb = fc.array(payloadArb, { maxLength: 5 });

/** A payload as plain values, to compare whatever array types protobuf decodes into. */
const plain = (p: Payload) => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('hex')])),
  data: Buffer.from(p.data ?? new Uint8Array()).toString('hex'),
});

const meta = (p: Payload, key: string) => str(p.metadata![key]!);

describe('EncryptionCodec', () => {
  test('decode(encode(payloads)) is the payloads, and what is sent is encrypted under the active key', async () => {
    await fc.assert(
      fc.asyncProperty(payloadsArb, async (payloads) => {
        const encoded = await oldCodec.encode(payloads);
        expect(encoded).toHaveLength(payloads.length);
        for (const [i, e] of encoded.entries()) {
          expect(Object.keys(e.metadata!).sort()).toEqual(['encoding', KEY_ID_METADATA]);
          expect(meta(e, 'encoding')).toBe(ENCRYPTED_ENCODING);
          expect(meta(e, KEY_ID_METADATA)).toBe('k2025');
          if (payloads[i]!.data!.length >= 8) expect(Buffer.from(e.data!).includes(Buffer.from(payloads[i]!.data!))).toBe(false);
        }
        expect((await oldCodec.decode(encoded)).map(plain)).toEqual(payloads.map(plain));
      }),
    );
  });

  test('a JSON value round-trips through the SDK converter and the codec', async () => {
    const value = { code: 'LN-2018-SY-0042', name: '沈阳机器人产业园', amountMinor: '1250000000000' };
    const [encoded] = await oldCodec.encode([defaultPayloadConverter.toPayload(value)]);
    expect(Buffer.from(encoded!.data!).toString('utf8')).not.toContain('LN-2018');
    const [decoded] = await oldCodec.decode([encoded!]);
    expect(meta(decoded!, 'encoding')).toBe('json/plain');
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(value);
  });

  test('a flipped bit in the IV, ciphertext or tag is refused', async () => {
    await fc.assert(
      fc.asyncProperty(payloadArb, fc.nat(), fc.nat({ max: 7 }), async (payload, at, bit) => {
        const [encoded] = await oldCodec.encode([payload]);
        const data = Uint8Array.from(encoded!.data!);
        const i = at % data.length;
        data[i] = data[i]! ^ (1 << bit);
        await expect(oldCodec.decode([{ ...encoded!, data }])).rejects.toThrow(/failed authentication/);
      }),
    );
  });

  test('a payload relabelled with another key id is refused (the key id is authenticated)', async () => {
    const [encoded] = await oldCodec.encode([{ metadata: { encoding: u8('json/plain') }, data: u8('"x"') }]);
    const relabelled = { ...encoded!, metadata: { ...encoded!.metadata, [KEY_ID_METADATA]: u8('k2026') } };
    await expect(rotatedCodec.decode([relabelled])).rejects.toThrow(/failed authentication/);
  });

  test('after rotation, old payloads decode and new ones are encrypted under the new key', async () => {
    await fc.assert(
      fc.asyncProperty(payloadsArb, async (payloads) => {
        const old = await oldCodec.encode(payloads);
        expect((await rotatedCodec.decode(old)).map(plain)).toEqual(payloads.map(plain));
        const fresh = await rotatedCodec.encode(payloads);
        for (const e of fresh) expect(meta(e, KEY_ID_METADATA)).toBe('k2026');
        expect((await rotatedCodec.decode(fresh)).map(plain)).toEqual(payloads.map(plain));
      }),
    );
  });

  test('a payload under a key the ring lacks fails, naming the key id', async () => {
    const encoded = await oldCodec.encode([{ metadata: { encoding: u8('json/plain') }, data: u8('1') }]);
    await expect(withoutOldCodec.decode(encoded)).rejects.toThrow("encrypted with key 'k2025' which is not in the key ring (k2026); add it back to ENCRYPTION_KEYS_FILE");
  });

  test('an encrypted payload without its key id is refused', async () => {
    const [encoded] = await oldCodec.encode([{ metadata: {}, data: u8('1') }]);
    await expect(oldCodec.decode([{ ...encoded!, metadata: { encoding: u8(ENCRYPTED_ENCODING) } }])).rejects.toThrow(/no encryption-key-id metadata/);
  });

  test('payloads not encrypted (written before the codec) pass through decode unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(payloadsArb, async (payloads) => {
        const unencrypted = payloads.filter((p) => p.metadata?.encoding === undefined || str(p.metadata.encoding) !== ENCRYPTED_ENCODING);
        const decoded = await oldCodec.decode(unencrypted);
        for (const [i, p] of unencrypted.entries()) expect(decoded[i]).toBe(p);
      }),
    );
    const legacy = defaultPayloadConverter.toPayload({ stage: 'signed' });
    expect((await withoutOldCodec.decode([legacy]))[0]).toBe(legacy);
  });

  test('dataConverterFor gives clients and workers the one codec', () => {
    const { payloadCodecs } = dataConverterFor(parseKeyRing(oldLine, 'test'));
    expect(payloadCodecs).toHaveLength(1);
    expect(payloadCodecs[0]).toBeInstanceOf(EncryptionCodec);
  });
});
