import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type Cell, writeExport } from './write-export.js';

/** A consumer that takes one write at a time and waits to be told to take the next. */
function slowSink() {
  const received: string[] = [];
  const pending: (() => void)[] = [];
  const out = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, done) {
      received.push(chunk.toString());
      pending.push(done);
    },
  });
  const release = () => pending.shift()?.();
  return { out, received, release };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('writeExport (CSV)', () => {
  it('asks for the next chunk only once the consumer has taken the last one', async () => {
    const { out, received, release } = slowSink();
    let pulled = 0;
    async function* chunks(): AsyncGenerator<Cell[][]> {
      for (let i = 0; i < 3; i++) {
        pulled++;
        yield [[i, `row ${i}`]];
      }
    }
    const done = writeExport(out, 'csv', ['n', 'text'], chunks());
    await tick();
    expect(received).toEqual(['n,text\n']);
    expect(pulled).toBe(0);
    release();
    await tick();
    expect(received).toEqual(['n,text\n', '0,row 0\n']);
    expect(pulled).toBe(1);
    while (pulled < 3 || received.length < 4) {
      release();
      await tick();
    }
    release();
    expect(await done).toBe(3);
    expect(received.join('')).toBe('n,text\n0,row 0\n1,row 1\n2,row 2\n');
  });

  it('stops reading rows when the consumer goes away', async () => {
    const { out, release } = slowSink();
    let pulled = 0;
    let finished = false;
    async function* chunks(): AsyncGenerator<Cell[][]> {
      try {
        for (let i = 0; i < 1000; i++) {
          pulled++;
          yield [[i]];
        }
      } finally {
        finished = true;
      }
    }
    const done = writeExport(out, 'csv', ['n'], chunks());
    release();
    await tick();
    out.destroy();
    const count = await done;
    expect(count).toBeLessThan(5);
    expect(pulled).toBeLessThan(5);
    expect(finished).toBe(true);
  });

  it('writes cells safely, one line per row, across chunks', async () => {
    const parts: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        parts.push(chunk.toString());
        done();
      },
    });
    async function* chunks(): AsyncGenerator<Cell[][]> {
      yield [
        ['=1+1', 'a,b', null],
        ['x"y', true, 2.5],
      ];
      yield [];
      yield [['é\n', false, -1]];
    }
    expect(await writeExport(out, 'csv', ['a', 'b', 'c'], chunks())).toBe(3);
    expect(parts.join('')).toBe(`a,b,c\n'=1+1,"a,b",\n"x""y",1,2.5\n"é\n",0,-1\n`);
  });
});
