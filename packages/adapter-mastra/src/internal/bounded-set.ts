/** A set that forgets its oldest members past `limit` (insertion order). */
export class BoundedSet<T> {
  readonly #items = new Set<T>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  add(item: T): void {
    this.#items.delete(item);
    this.#items.add(item);
    if (this.#items.size > this.#limit) {
      const oldest = this.#items.values().next().value as T;
      this.#items.delete(oldest);
    }
  }

  has(item: T): boolean {
    return this.#items.has(item);
  }

  get size(): number {
    return this.#items.size;
  }
}
