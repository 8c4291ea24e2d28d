// AssemblyScript prototype (issue 21), NOT part of the build: validate a whole JSON document (what the TS
// scanner's skipValue does) in WebAssembly, to measure the toolchain idea before choosing. Compile by hand:
//   npm install --no-save assemblyscript@0.28.20   (or in a scratch folder)
//   npx asc scripts/wasm-proto/skip.ts -O3 --noAssert --runtime stub --initialMemory 16 -o /tmp/skip.wasm
//   npm run bench:scan -- --wasm /tmp/skip.wasm
// The document is copied to memory at DOC; the container stack lives at STACK (at most 32 levels).
const STACK: i32 = 0;
const DOC: i32 = 64;
let end: i32 = 0;

@inline function at(i: i32): i32 { return i < end ? <i32>load<u8>(i) : -1; }
@inline function isDigit(c: i32): bool { return c >= 0x30 && c <= 0x39; }
@inline function isHex(c: i32): bool { return isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66); }

function ws(i: i32): i32 {
  while (true) { const c = at(i); if (c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09) i++; else return i; }
}
function str(i: i32): i32 {
  i++;
  while (true) {
    if (i >= end) return -1;
    const c = <i32>load<u8>(i);
    if (c == 0x22) return i + 1;
    if (c < 0x20) return -1;
    if (c == 0x5c) {
      const e = at(i + 1);
      if (e == 0x75) { for (let k = 2; k < 6; k++) if (!isHex(at(i + k))) return -1; i += 6; }
      else if (e == 0x22 || e == 0x5c || e == 0x2f || e == 0x62 || e == 0x66 || e == 0x6e || e == 0x72 || e == 0x74) i += 2;
      else return -1;
      continue;
    }
    i++;
  }
}
function num(i: i32): i32 {
  if (at(i) == 0x2d) i++;
  if (!isDigit(at(i))) return -1;
  if (at(i) == 0x30 && isDigit(at(i + 1))) return -1;
  while (isDigit(at(i))) i++;
  if (at(i) == 0x2e) { i++; if (!isDigit(at(i))) return -1; while (isDigit(at(i))) i++; }
  const c = at(i);
  if (c == 0x65 || c == 0x45) { i++; if (at(i) == 0x2b || at(i) == 0x2d) i++; if (!isDigit(at(i))) return -1; while (isDigit(at(i))) i++; }
  return i;
}
function lit(i: i32, c: i32): i32 {
  if (c == 0x74) return at(i + 1) == 0x72 && at(i + 2) == 0x75 && at(i + 3) == 0x65 ? i + 4 : -1;
  if (c == 0x66) return at(i + 1) == 0x61 && at(i + 2) == 0x6c && at(i + 3) == 0x73 && at(i + 4) == 0x65 ? i + 5 : -1;
  if (c == 0x6e) return at(i + 1) == 0x75 && at(i + 2) == 0x6c && at(i + 3) == 0x6c ? i + 4 : -1;
  return num(i);
}
function key(i: i32): i32 {
  if (at(i) != 0x22) return -1;
  i = str(i); if (i < 0) return -1;
  i = ws(i); if (at(i) != 0x3a) return -1;
  return ws(i + 1);
}
/** 1 when the `length` bytes at DOC are one valid JSON value (with blanks around it). */
export function skip(length: i32): i32 {
  end = DOC + length;
  let depth = 0;
  let i = ws(DOC);
  while (true) {
    const c = at(i);
    if (c == 0x7b || c == 0x5b) {
      if (depth >= 32) return 0;
      const close = c + 2;
      i = ws(i + 1);
      if (at(i) == close) { i++; }
      else { store<u8>(STACK + depth++, c); if (c == 0x7b) { i = key(i); if (i < 0) return 0; } continue; }
    } else if (c == 0x22) { i = str(i); } else { i = lit(i, c); }
    if (i < 0) return 0;
    while (true) {
      if (depth == 0) return ws(i) == end ? 1 : 0;
      i = ws(i);
      const d = at(i++);
      const open = <i32>load<u8>(STACK + depth - 1);
      if (d == 0x2c) { if (open == 0x7b) { i = key(ws(i)); if (i < 0) return 0; } else i = ws(i); break; }
      if (d != open + 2) return 0;
      depth--;
    }
  }
}
