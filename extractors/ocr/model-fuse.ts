/**
 * The recogniser's graph made cheaper before it is loaded, computing the same function: PaddleOCR's
 * export spells every block of its backbone as Conv → Mul(scale) → Add(bias) (a "learnable affine"
 * with one scalar each) → hard-swish as Add(3) → Clip(0, 6) → Mul → Div(6). On one thread those
 * element-wise passes over the feature maps cost about as much as the convolutions. Here the scalar
 * affine is folded into the convolution's weights and bias (and the one after the activation into
 * the next convolution, when that is 1×1 without padding: through padding a shift would not be the
 * same; before a padded one it becomes a per-channel 1×1 convolution, which keeps the blocked
 * memory layout onnxruntime runs convolutions in, where a scalar Mul and Add made it convert back and
 * forth), and the hard-swish becomes HardSigmoid → Mul (two passes instead of four). The results differ from the original graph's by float
 * rounding only (1e-5). Per crop column the model runs about a third faster.
 *
 * The ONNX file is a protobuf: read and written here field by field (no protobuf library is
 * installed); everything not rewritten is copied byte for byte. A graph that does not have these
 * shapes is left as it is.
 */

interface Field {
  f: number;
  wt: number;
  v?: bigint;
  /** Value bytes (length-delimited, fixed32, fixed64). */
  vs: number;
  ve: number;
  /** The whole field, key included. */
  s0: number;
  e0: number;
}

function fields(b: Uint8Array, start = 0, end = b.length): Field[] {
  const out: Field[] = [];
  const p = { i: start };
  const varint = (): bigint => {
    let r = 0n, s = 0n;
    for (;;) {
      const x = b[p.i++];
      r |= BigInt(x & 127) << s;
      if (!(x & 128)) return r;
      s += 7n;
    }
  };
  while (p.i < end) {
    const s0 = p.i;
    const key = Number(varint());
    const f = key >> 3, wt = key & 7;
    let v: bigint | undefined, vs = p.i, ve = p.i;
    if (wt === 0) v = varint();
    else if (wt === 2) {
      const len = Number(varint());
      vs = p.i;
      ve = p.i = vs + len;
    } else if (wt === 5) ve = p.i = vs + 4;
    else if (wt === 1) ve = p.i = vs + 8;
    else throw new Error(`protobuf wire type ${wt}`);
    out.push({ f, wt, v, vs, ve, s0, e0: p.i });
  }
  return out;
}

const utf8 = new TextDecoder();
const text = (b: Uint8Array, x: Field) => utf8.decode(b.subarray(x.vs, x.ve));

function varintBytes(n: number): number[] {
  const out: number[] = [];
  do {
    let x = n & 127;
    n = Math.floor(n / 128);
    if (n) x |= 128;
    out.push(x);
  } while (n);
  return out;
}
const enc = new TextEncoder();
const lenField = (f: number, bytes: Uint8Array): Uint8Array => concat([Uint8Array.from([...varintBytes((f << 3) | 2), ...varintBytes(bytes.length)]), bytes]);
const strField = (f: number, s: string) => lenField(f, enc.encode(s));
const varField = (f: number, n: number) => Uint8Array.from([...varintBytes(f << 3), ...varintBytes(n)]);
function floatField(f: number, x: number): Uint8Array {
  const out = new Uint8Array([...varintBytes((f << 3) | 5), 0, 0, 0, 0]);
  new DataView(out.buffer).setFloat32(out.length - 4, x, true);
  return out;
}
function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, o), (o += p.length);
  return out;
}

interface Node {
  inputs: string[];
  outputs: string[];
  op: string;
  /** The node's bytes in the file (kept when the node is kept). */
  bytes: Uint8Array;
  /** A Constant's float tensor, when it is one. */
  value?: { dims: number[]; data: Float32Array };
  /** Float attributes (Clip's min and max). */
  attrs: Map<string, number>;
  /** Integer-list attributes (a Conv's pads). */
  ints: Map<string, number[]>;
}

function readTensor(b: Uint8Array, t: Field): { dims: number[]; data: Float32Array } | undefined {
  const tf = fields(b, t.vs, t.ve);
  const dims: number[] = [];
  let type = 0, data: Float32Array | undefined;
  for (const x of tf) {
    if (x.f === 1 && x.wt === 0) dims.push(Number(x.v));
    else if (x.f === 1 && x.wt === 2) dims.push(...packedVarints(b, x));
    else if (x.f === 2) type = Number(x.v);
    else if (x.f === 9) data = new Float32Array(b.slice(x.vs, x.ve).buffer);
    else if (x.f === 4 && x.wt === 2) data = new Float32Array(b.slice(x.vs, x.ve).buffer);
    else if (x.f === 4 && x.wt === 5) data = new Float32Array(b.slice(x.vs, x.ve).buffer);
  }
  if (type !== 1 || !data) return undefined;
  return { dims, data };
}

function packedVarints(b: Uint8Array, x: Field): number[] {
  const out: number[] = [];
  let n = 0, s = 0;
  for (let i = x.vs; i < x.ve; i++) {
    n += (b[i] & 127) * 2 ** s;
    if (b[i] & 128) s += 7;
    else out.push(n), (n = 0), (s = 0);
  }
  return out;
}

function readNode(b: Uint8Array, n: Field): Node {
  const nf = fields(b, n.vs, n.ve);
  const node: Node = { inputs: [], outputs: [], op: '', bytes: b.subarray(n.s0, n.e0), attrs: new Map(), ints: new Map() };
  for (const x of nf) {
    if (x.f === 1) node.inputs.push(text(b, x));
    else if (x.f === 2) node.outputs.push(text(b, x));
    else if (x.f === 4) node.op = text(b, x);
    else if (x.f === 5) {
      const af = fields(b, x.vs, x.ve);
      const name = af.find((y) => y.f === 1);
      const fv = af.find((y) => y.f === 2 && y.wt === 5);
      const tv = af.find((y) => y.f === 5 && y.wt === 2);
      if (name && fv) node.attrs.set(text(b, name), new DataView(b.buffer, b.byteOffset + fv.vs, 4).getFloat32(0, true));
      const ints = af.filter((y) => y.f === 8).flatMap((y) => (y.wt === 0 ? [Number(y.v)] : packedVarints(b, y)));
      const one = af.find((y) => y.f === 3 && y.wt === 0);
      if (name && one) node.ints.set(text(b, name), [Number(one.v)]);
      if (name && ints.length) node.ints.set(text(b, name), ints);
      if (name && tv && text(b, name) === 'value') node.value = readTensor(b, tv);
    }
  }
  return node;
}

function nodeBytes(op: string, inputs: string[], outputs: string[], extra: Uint8Array[] = []): Uint8Array {
  return lenField(1, concat([...inputs.map((s) => strField(1, s)), ...outputs.map((s) => strField(2, s)), strField(4, op), ...extra]));
}

function constantBytes(name: string, dims: number[], data: Float32Array): Uint8Array {
  const tensor = concat([...dims.map((d) => varField(1, d)), varField(2, 1), lenField(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength))]);
  const attr = concat([strField(1, 'value'), lenField(5, tensor), varField(20, 4)]);
  return nodeBytes('Constant', [], [name], [lenField(5, attr)]);
}

const intAttr = (name: string, x: number) => lenField(5, concat([strField(1, name), varField(3, x), varField(20, 2)]));
const floatAttr = (name: string, x: number) => lenField(5, concat([strField(1, name), floatField(2, x), varField(20, 1)]));

export interface Fused {
  bytes: Uint8Array;
  /** Scalar affines folded into a convolution's weights. */
  folded: number;
  /** Hard-swishes made HardSigmoid → Mul. */
  swishes: number;
  /** Scalar affines before a padded convolution made one per-channel 1×1 convolution. */
  channelwise: number;
}

/** The model's bytes with the affine folded and the hard-swish shortened; the input when nothing fits. */
export function fuseRecogniser(model: Uint8Array): Fused {
  try {
    return fuse(model);
  } catch {
    return { bytes: model, folded: 0, swishes: 0, channelwise: 0 };
  }
}

function fuse(b: Uint8Array): Fused {
  const top = fields(b);
  const g = top.find((x) => x.f === 7 && x.wt === 2);
  if (!g) return { bytes: b, folded: 0, swishes: 0, channelwise: 0 };
  const gf = fields(b, g.vs, g.ve);
  const nodes = gf.filter((x) => x.f === 1).map((x) => readNode(b, x));
  const producer = new Map<string, number>();
  const uses = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.outputs) producer.set(o, i);
    for (const x of n.inputs) uses.set(x, (uses.get(x) ?? 0) + 1);
  });
  for (const x of gf.filter((y) => y.f === 12)) {
    // the graph's outputs are uses too
    const name = fields(b, x.vs, x.ve).find((y) => y.f === 1);
    if (name) uses.set(text(b, name), (uses.get(text(b, name)) ?? 0) + 1);
  }
  const constOf = (name: string) => {
    const i = producer.get(name);
    return i === undefined ? undefined : nodes[i].op === 'Constant' ? nodes[i].value : undefined;
  };
  const scalar = (name: string) => {
    const v = constOf(name);
    return v && v.data.length === 1 ? v.data[0] : undefined;
  };
  const only = (name: string) => uses.get(name) === 1;
  /** The one node that reads `name` next (its only use), with the other input. */
  const next = (i: number, op: string, name: string): { j: number; other: string | undefined } | undefined => {
    const j = i + 1;
    const n = nodes[j];
    if (!n || n.op !== op || !only(name) || !n.inputs.includes(name)) return undefined;
    return { j, other: n.inputs.find((x) => x !== name) };
  };

  const out: (Uint8Array | undefined)[] = nodes.map((n) => n.bytes);
  const dropConst = (name: string) => {
    const i = producer.get(name);
    if (i !== undefined && only(name) && nodes[i].op === 'Constant') out[i] = undefined;
  };
  let folded = 0, swishes = 0, channelwise = 0;
  /** Convolutions whose weights were changed: their input, output, weights and bias now. */
  const convs = new Map<number, { input: string; output: string; w: Float32Array; dims: number[]; b: Float32Array }>();
  const convState = (i: number) => {
    const n = nodes[i];
    const got = convs.get(i);
    if (got) return got;
    const w = constOf(n.inputs[1]);
    const bias = n.inputs[2] ? constOf(n.inputs[2]) : undefined;
    if (!w || w.dims.length !== 4 || !only(n.inputs[1]) || (n.inputs[2] && !(bias && only(n.inputs[2])))) return undefined;
    const st = { input: n.inputs[0], output: n.outputs[0], w: Float32Array.from(w.data), dims: w.dims, b: bias ? Float32Array.from(bias.data) : new Float32Array(w.dims[0]) };
    return st;
  };
  const claim = (i: number, st: NonNullable<ReturnType<typeof convState>>) => {
    if (!convs.has(i)) {
      dropConst(nodes[i].inputs[1]);
      if (nodes[i].inputs[2]) dropConst(nodes[i].inputs[2]);
      convs.set(i, st);
    }
  };
  /** Mul(x, scalar) → Add(scalar) → Conv, from the Mul at i: x, the scale and shift, the Add's output. */
  const affineBeforeConv = (i: number) => {
    const n = nodes[i];
    const sName = n.inputs.find((y) => scalar(y) !== undefined);
    const input = n.inputs.find((z) => z !== sName);
    const add = sName !== undefined && input !== undefined ? next(i, 'Add', n.outputs[0]) : undefined;
    const t = add?.other !== undefined ? scalar(add.other) : undefined;
    const conv = add && t !== undefined ? next(add.j, 'Conv', nodes[add.j].outputs[0]) : undefined;
    if (!conv || t === undefined) return undefined;
    return { input: input!, s: scalar(sName!)!, t, add: add!.j, output: nodes[add!.j].outputs[0], conv: conv.j, consts: [sName!, add!.other!] };
  };
  nodes.forEach((n, i) => {
    // Mul(scalar) → Add(scalar) → Conv
    const m = n.op === 'Mul' && out[i] && n.inputs.length === 2 ? affineBeforeConv(i) : undefined;
    if (m) {
      const c = nodes[m.conv];
      const st = c.inputs[0] === m.output ? convState(m.conv) : undefined;
      if (st && st.dims[2] === 1 && st.dims[3] === 1 && (c.ints.get('pads') ?? []).every((p) => p === 0)) {
        // a 1×1 Conv without padding: the affine goes into its weights (with padding it would not:
        // the padding's zeros are not shifted)
        const cout = st.dims[0], per = st.w.length / cout;
        for (let o = 0; o < cout; o++) {
          let sum = 0;
          for (let k = 0; k < per; k++) sum += st.w[o * per + k];
          st.b[o] += m.t * sum;
          for (let k = 0; k < per; k++) st.w[o * per + k] *= m.s;
        }
        st.input = m.input;
        claim(m.conv, st);
        out[i] = out[m.add] = undefined;
        folded++;
      } else {
        // a padded one: the affine becomes one per-channel 1×1 convolution (the layout convolutions
        // run in stays, where a scalar Mul and Add make it convert back and forth)
        const w = constOf(c.inputs[1]);
        if (w && w.dims.length === 4) {
          const C = w.dims[1] * (c.ints.get('group')?.[0] ?? 1);
          const wName = `${n.outputs[0]}.dw_w`, bName = `${n.outputs[0]}.dw_b`;
          out[i] = concat([
            constantBytes(wName, [C, 1, 1, 1], new Float32Array(C).fill(m.s)),
            constantBytes(bName, [C], new Float32Array(C).fill(m.t)),
            nodeBytes('Conv', [m.input, wName, bName], [m.output], [intAttr('group', C)]),
          ]);
          out[m.add] = undefined;
          channelwise++;
        }
      }
      if (out[m.add] === undefined) m.consts.forEach(dropConst);
    }
    // Conv → Mul(scalar) → Add(scalar): the scale and bias go into the weights
    if (n.op === 'Conv' && out[i] && n.outputs.length === 1) {
      const mul = next(i, 'Mul', n.outputs[0]);
      const s = mul?.other !== undefined ? scalar(mul.other) : undefined;
      const add = mul && s !== undefined ? next(mul.j, 'Add', nodes[mul.j].outputs[0]) : undefined;
      const t = add?.other !== undefined ? scalar(add.other) : undefined;
      const st = mul && add && s !== undefined && t !== undefined ? convState(i) : undefined;
      if (st && mul && add) {
        for (let k = 0; k < st.w.length; k++) st.w[k] *= s!;
        for (let c = 0; c < st.b.length; c++) st.b[c] = st.b[c] * s! + t!;
        st.output = nodes[add.j].outputs[0];
        claim(i, st);
        dropConst(mul.other!);
        dropConst(add.other!);
        out[mul.j] = out[add.j] = undefined;
        folded++;
      }
    }
    // Add(3) → Clip(0, 6) → Mul(x, ·) → Div(6): x · HardSigmoid(x)
    if (n.op === 'Add' && out[i] && n.inputs.length === 2) {
      const x = n.inputs.find((y) => scalar(y) !== 3);
      const three = n.inputs.find((y) => y !== x);
      if (x === undefined || three === undefined || scalar(three) !== 3) return;
      const clip = next(i, 'Clip', n.outputs[0]);
      if (!clip || nodes[clip.j].inputs.length !== 1 || nodes[clip.j].attrs.get('min') !== 0 || nodes[clip.j].attrs.get('max') !== 6) return;
      const mul = next(clip.j, 'Mul', nodes[clip.j].outputs[0]);
      if (!mul || mul.other !== x) return;
      const div = next(mul.j, 'Div', nodes[mul.j].outputs[0]);
      if (!div || nodes[div.j].inputs[0] !== nodes[mul.j].outputs[0] || div.other === undefined || scalar(div.other) !== 6) return;
      const hs = `${n.outputs[0]}.hardsigmoid`;
      dropConst(three);
      dropConst(div.other);
      out[i] = concat([nodeBytes('HardSigmoid', [x], [hs], [floatAttr('alpha', 1 / 6), floatAttr('beta', 0.5)]), nodeBytes('Mul', [x, hs], [nodes[div.j].outputs[0]])]);
      out[clip.j] = out[mul.j] = out[div.j] = undefined;
      swishes++;
    }
  });
  for (const [i, st] of convs) {
    const n = nodes[i];
    const wName = `${n.inputs[1]}.fused`, bName = `${st.output}.fused_b`;
    out[i] = concat([constantBytes(wName, st.dims, st.w), constantBytes(bName, [st.dims[0]], st.b), convWithInputs(n, [st.input, wName, bName], st.output)]);
  }
  if (!folded && !swishes && !channelwise) return { bytes: b, folded, swishes, channelwise };
  const graph = concat([...gf.filter((x) => x.f !== 1).map((x) => b.subarray(x.s0, x.e0)), ...out.filter((x): x is Uint8Array => !!x).map((x) => x)]);
  // nodes first, as the file had them (the other fields after: their order does not matter)
  const bytes = concat(top.map((x) => (x === g ? lenField(7, graph) : b.subarray(x.s0, x.e0))));
  return { bytes, folded, swishes, channelwise };
}

/** A Conv node with other inputs and output, its attributes (strides, pads, group…) copied. */
function convWithInputs(n: Node, inputs: string[], output: string): Uint8Array {
  const [whole] = fields(n.bytes);
  const inner = fields(n.bytes, whole.vs, whole.ve);
  const keep = inner.filter((x) => x.f !== 1 && x.f !== 2).map((x) => n.bytes.subarray(x.s0, x.e0));
  return lenField(1, concat([...inputs.map((s) => strField(1, s)), strField(2, output), ...keep]));
}
