/**
 * A minimal synchronous event emitter (the model stays free of Lumino and
 * JupyterLab).
 */
export class Emitter<T> {
  /**
   * Call `listener` on every emission until the returned function is called.
   */
  connect(listener: (value: T) => void): () => void {
    this._listeners.push(listener);
    return () => {
      const i = this._listeners.indexOf(listener);
      if (i >= 0) {
        this._listeners.splice(i, 1);
      }
    };
  }

  emit(value: T): void {
    for (const listener of [...this._listeners]) {
      listener(value);
    }
  }

  clear(): void {
    this._listeners.length = 0;
  }

  private _listeners: ((value: T) => void)[] = [];
}
