// Types for the `minhash` package (CommonJS, no types of its own): the parts `punie dataset dedup` uses.
declare module 'minhash' {
  export class Minhash {
    constructor(config?: { numPerm?: number; seed?: number })
    hashvalues: number[]
    update(token: string): void
    jaccard(other: Minhash): number
  }
  export class LshIndex {
    constructor(args?: { bandSize?: number })
    insert(key: string, minhash: Minhash): void
    /** Keys sharing a band with `minhash`; every band must be in the index (insert before querying). */
    query(minhash: Minhash): string[]
  }
}
