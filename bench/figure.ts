// One line of `npm run bench`'s table: a figure, its unit, and what it is held to.
export interface Figure {
  name: string
  value: number
  unit: string
  target?: string
  note?: string
}
