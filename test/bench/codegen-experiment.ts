/**
 * Experiment, not production code: would generating JavaScript source per (schema, version) with
 * `new Function` beat the interpreter's tree of closures? This compiles the same schemas into
 * straight-line code (object literals with fixed keys, inlined Reader/Writer calls) and is benchmarked
 * against `codecFor` by codec-bench.ts. It covers what the benchmarked messages need plus tagged
 * fields; the round-trip check in codec-bench.ts confirms it produces the same bytes.
 *
 *   node dist/test/bench/codec-bench.js   (prints both)
 */
import type { FieldSpec, MessageSpec } from '../../protocol/schema.js';
import { defaultOf, isDefault } from '../../src/codec/interpret.js';
import { ProtocolError } from '../../src/codec/errors.js';
import { Reader } from '../../src/codec/reader.js';
import { inRange } from '../../src/codec/versions.js';
import { Writer, sizeOfUnsignedVarint } from '../../src/codec/writer.js';

interface Generated {
  decode(buf: Buffer): unknown;
  encode(v: unknown): Buffer[];
}

const FIXED: Record<string, number> = { int8: 1, int16: 2, int32: 4, int64: 8, uint16: 2, uint32: 4, float64: 8, bool: 1, uuid: 16 };

export function generate(spec: MessageSpec, version: number): Generated {
  const flexible = inRange(version, spec.flexibleVersions);
  const consts: unknown[] = [];
  const ref = (v: unknown) => `K[${consts.push(v) - 1}]`;
  const fns: string[] = [];
  let n = 0;

  /** Emits read/size/write functions for a struct; returns their index. */
  function struct(fields: readonly FieldSpec[], flex: boolean): number {
    const id = n++;
    const reads: string[] = [];
    const props: string[] = [];
    const sizes: string[] = [];
    const writes: string[] = [];
    const tagged: { f: FieldSpec; tag: number; read: string; size: (x: string) => string; write: (x: string) => string }[] = [];
    fields.forEach((f, i) => {
      const local = `f${i}`;
      const present = inRange(version, f.versions);
      const isTagged = present && flex && inRange(version, f.taggedVersions);
      if (!present || isTagged) {
        props.push(`${JSON.stringify(f.name)}: ${local}`);
        reads.push(`let ${local} = D(${ref(f)});`);
        if (isTagged) {
          const c = field(f, flex);
          tagged.push({ f, tag: f.tag!, read: c.read, size: c.size, write: c.write });
        } else if (!f.ignorable) writes.unshift(`if (!ID(${ref(f)}, o.${f.name})) throw new Error(${JSON.stringify(`field ${f.name} absent in v${version}`)});`);
        return;
      }
      const c = field(f, flex);
      reads.push(`const ${local} = ${c.read};`);
      props.push(`${JSON.stringify(f.name)}: ${local}`);
      sizes.push(c.size(`o.${f.name}`));
      writes.push(c.write(`o.${f.name}`) + ';');
    });
    tagged.sort((a, b) => a.tag - b.tag);
    if (flex) {
      const cases = tagged.map((t) => `case ${t.tag}: f${fields.indexOf(t.f)} = ${t.read}; break;`).join(' ');
      reads.push(`for (let c = r.unsignedVarint(); c > 0; c--) { const tag = r.unsignedVarint(); const len = r.unsignedVarint();
        if (len > r.remaining) throw new PE('tagged field overruns'); const end = r.pos + len;
        switch (tag) { ${cases} default: break; } r.pos = end; }`);
      sizes.push(`T${id}s(o)`);
      writes.push(`T${id}w(w, o);`);
      const nonDefault = (t: (typeof tagged)[number]) => `!ID(${ref(t.f)}, o.${t.f.name})`;
      fns.push(`function T${id}s(o) { let n = 0, c = 0;
        ${tagged.map((t) => `if (${nonDefault(t)}) { c++; const s = ${t.size(`o.${t.f.name}`)}; n += UV(${t.tag}) + UV(s) + s; }`).join('\n')}
        return n + UV(c); }`);
      fns.push(`function T${id}w(w, o) { let c = 0;
        ${tagged.map((t) => `if (${nonDefault(t)}) c++;`).join(' ')}
        w.unsignedVarint(c);
        ${tagged.map((t) => `if (${nonDefault(t)}) { w.unsignedVarint(${t.tag}); w.unsignedVarint(${t.size(`o.${t.f.name}`)}); ${t.write(`o.${t.f.name}`)}; }`).join('\n')} }`);
    }
    fns.push(`function R${id}(r) { ${reads.join('\n')} return { ${props.join(', ')} }; }`);
    fns.push(`function S${id}(o) { return 0 ${sizes.map((s) => `+ ${s}`).join(' ')}; }`);
    fns.push(`function W${id}(w, o) { ${writes.join('\n')} }`);
    return id;
  }

  function field(f: FieldSpec, flexIn: boolean): { read: string; size: (x: string) => string; write: (x: string) => string } {
    const flex = flexIn && f.flexibleVersions !== 'none';
    const nullable = inRange(version, f.nullableVersions);
    if (f.type === '[]' || f.type.startsWith('[]')) {
      const elem = f.type === '[]' ? struct(f.fields!, flex) : -1;
      const prim = f.type === '[]' ? null : primitive(f.type.slice(2), flex, false);
      const readElem = prim ? prim.read : `R${elem}(r)`;
      const sizeElem = (x: string) => (prim ? prim.size(x) : `S${elem}(${x})`);
      const writeElem = (x: string) => (prim ? prim.write(x) : `W${elem}(w, ${x})`);
      const fixed = prim && FIXED[f.type.slice(2)];
      const lenRead = flex ? `r.compactArrayLength(${nullable})` : `r.arrayLength(${nullable})`;
      const id = n++;
      fns.push(`function A${id}(r) { const n = ${lenRead}; if (n === -1) return null; const a = new Array(n); for (let i = 0; i < n; i++) a[i] = ${readElem}; return a; }`);
      fns.push(`function AS${id}(a) { if (a === null) return ${flex ? 1 : 4}; let n = ${flex ? 'UV(a.length + 1)' : '4'};
        ${fixed ? `n += a.length * ${fixed};` : `for (let i = 0; i < a.length; i++) n += ${sizeElem('a[i]')};`} return n; }`);
      fns.push(`function AW${id}(w, a) { if (a === null) { ${nullable ? (flex ? 'w.unsignedVarint(0)' : 'w.int32(-1)') : "throw new Error('null array')"}; return; }
        ${flex ? 'w.unsignedVarint(a.length + 1)' : 'w.int32(a.length)'}; for (let i = 0; i < a.length; i++) ${writeElem('a[i]')}; }`);
      return { read: `A${id}(r)`, size: (x) => `AS${id}(${x})`, write: (x) => `AW${id}(w, ${x})` };
    }
    if (f.type === '{}') {
      const id = struct(f.fields!, flex);
      if (!nullable) return { read: `R${id}(r)`, size: (x) => `S${id}(${x})`, write: (x) => `W${id}(w, ${x})` };
      return {
        read: `(r.int8() < 0 ? null : R${id}(r))`,
        size: (x) => `(${x} === null ? 1 : 1 + S${id}(${x}))`,
        write: (x) => `(${x} === null ? w.int8(-1) : (w.int8(1), W${id}(w, ${x})))`,
      };
    }
    return primitive(f.type, flex, nullable);
  }

  function primitive(type: string, flex: boolean, nullable: boolean) {
    if (FIXED[type]) return { read: `r.${type}()`, size: () => String(FIXED[type]), write: (x: string) => `w.${type}(${x})` };
    if (type === 'string') {
      const read = flex ? (nullable ? 'r.compactNullableString()' : 'r.compactString()') : nullable ? 'r.nullableString()' : 'r.string()';
      return {
        read,
        size: (x: string) => `STR(${x}, ${flex})`,
        write: (x: string) => `WSTR(w, ${x}, ${flex}, ${nullable})`,
      };
    }
    // bytes and records: lengths then raw bytes; records handed over as chunks.
    const read = flex ? 'r.compactNullableBytes()' : 'r.nullableBytes()';
    return {
      read: nullable || type === 'records' ? read : flex ? 'r.compactBytes()' : 'r.bytes()',
      size: (x: string) => `BYT(${x}, ${flex}, ${type === 'records'})`,
      write: (x: string) => `WBYT(w, ${x}, ${flex}, ${type === 'records'})`,
    };
  }

  const root = struct(spec.fields, flexible);
  const source = `${fns.join('\n')}\nreturn { read: R${root}, size: S${root}, write: W${root} };`;
  const helpers = {
    UV: sizeOfUnsignedVarint,
    ID: isDefault,
    D: defaultOf,
    PE: ProtocolError,
    STR(v: string | null, flex: boolean) {
      if (v === null) return flex ? 1 : 2;
      const len = Buffer.byteLength(v);
      return (flex ? sizeOfUnsignedVarint(len + 1) : 2) + len;
    },
    WSTR(w: Writer, v: string | null, flex: boolean, nullable: boolean) {
      if (v === null) {
        if (!nullable) throw new Error('null string');
        if (flex) w.unsignedVarint(0);
        else w.int16(-1);
        return;
      }
      const len = Buffer.byteLength(v);
      if (flex) w.unsignedVarint(len + 1);
      else w.int16(len);
      w.utf8(v, len);
    },
    BYT(v: Buffer | null, flex: boolean, records: boolean) {
      if (v === null) return flex ? 1 : 4;
      if (records) zeroCopy += v.length;
      return (flex ? sizeOfUnsignedVarint(v.length + 1) : 4) + v.length;
    },
    WBYT(w: Writer, v: Buffer | null, flex: boolean, records: boolean) {
      const len = v === null ? -1 : v.length;
      if (flex) w.unsignedVarint(len + 1);
      else w.int32(len);
      if (v === null) return;
      if (records) {
        if (v.length) w.chunk(v);
      } else w.raw(v);
    },
  };
  let zeroCopy = 0;
  const names = ['K', ...Object.keys(helpers)];
  const compiled = new Function(...names, source)(consts, ...Object.values(helpers)) as {
    read(r: Reader): unknown;
    size(v: unknown): number;
    write(w: Writer, v: unknown): void;
  };
  return {
    decode: (buf) => compiled.read(new Reader(buf)),
    encode(v) {
      zeroCopy = 0;
      const total = compiled.size(v);
      const w = new Writer(total - zeroCopy);
      compiled.write(w, v);
      return w.finish();
    },
  };
}
