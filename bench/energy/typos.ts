// Misspelled city names for the autocomplete recall benchmark: each name gets one of the four
// typing errors people make (a dropped, doubled, swapped or substituted letter), at a seeded
// random position, so every run measures the same set.

export type TypoKind = "dropped" | "doubled" | "swapped" | "substituted";
const TYPO_KINDS: TypoKind[] = ["dropped", "doubled", "swapped", "substituted"];

export interface Misspelling {
  query: string;
  expected: string;
  kind: TypoKind;
}

function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Substitutions come from neighbouring keys, as real typos do.
const NEIGHBOURS: Record<string, string> = {
  a: "qsz",
  b: "vgn",
  c: "xvd",
  d: "sfe",
  e: "wrd",
  f: "dgr",
  g: "fht",
  h: "gjy",
  i: "uko",
  j: "hku",
  k: "jli",
  l: "kop",
  m: "nj",
  n: "bm",
  o: "ipl",
  p: "ol",
  q: "wa",
  r: "eft",
  s: "adw",
  t: "rgy",
  u: "yij",
  v: "cb",
  w: "qes",
  x: "zc",
  y: "tuh",
  z: "xa",
};

function misspell(name: string, kind: TypoKind, random: () => number): string {
  const letters = [...name];
  // Positions of letters (not spaces), keeping the first letter: people rarely get it wrong.
  const positions = letters.map((ch, i) => (i > 0 && /[a-z]/i.test(ch) ? i : -1)).filter((i) => i > 0);
  if (positions.length < 2) return name;
  const at = positions[Math.floor(random() * positions.length)];
  const ch = letters[at];
  switch (kind) {
    case "dropped":
      letters.splice(at, 1);
      break;
    case "doubled":
      letters.splice(at, 0, ch);
      break;
    case "swapped": {
      const next = at + 1 < letters.length && /[a-z]/i.test(letters[at + 1]) ? at + 1 : at - 1;
      if (!/[a-z]/i.test(letters[next]) || letters[next].toLowerCase() === ch.toLowerCase() || next === 0) {
        return misspell(name, "substituted", random);
      }
      [letters[at], letters[next]] = [letters[next], letters[at]];
      break;
    }
    case "substituted": {
      const options = NEIGHBOURS[ch.toLowerCase()] ?? "e";
      letters[at] = options[Math.floor(random() * options.length)];
      break;
    }
  }
  return letters.join("");
}

/** `count` misspellings of names drawn (seeded) from `names`, cycling through the four kinds. */
export function misspellings(names: string[], count: number, seed = 42): Misspelling[] {
  const random = seededRandom(seed);
  const eligible = names.filter((name) => name.replace(/[^a-z]/gi, "").length >= 4);
  const out: Misspelling[] = [];
  for (let i = 0; out.length < count && i < count * 10; i++) {
    const expected = eligible[Math.floor(random() * eligible.length)];
    const kind = TYPO_KINDS[out.length % TYPO_KINDS.length];
    const query = misspell(expected, kind, random);
    if (query.toLowerCase() !== expected.toLowerCase()) out.push({ query, expected, kind });
  }
  return out;
}
