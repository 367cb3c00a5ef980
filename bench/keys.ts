import { createHash } from 'node:crypto';
import { parseKeyRing } from '../config/key-ring.js';
import { dataConverterFor } from '../config/payload-codec.js';

/**
 * The benchmarks' one encryption key, the same in every process a benchmark starts: luodi pays
 * for its payload codec in every figure, as in production, and so does the floor beside it
 * (they share one client). Derived from a fixed phrase; it protects nothing.
 */
export const BENCH_KEY_LINE = `bench-key:${createHash('sha256').update('luodi bench encryption key').digest('base64')}`;

export const BENCH_DATA_CONVERTER = dataConverterFor(parseKeyRing(BENCH_KEY_LINE, 'bench/keys.ts'));
